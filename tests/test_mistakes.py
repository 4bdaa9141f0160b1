"""Naming the mistake (autograder/mistakes.py, autograder/core/relations.py): a hint is evidence, never
a guess. Known mistakes are recomputed on the student's own call and named only where they explain
the failure; relations of a wrong result to the expected one name mistakes nobody planted."""
import numpy as np
import pytest

from autograder.core.codec import TensorArg, Value
from autograder.core.diagnosis import Call, Catalogue, Failure, Hint, diagnose, flatten, mistake
from autograder.core.relations import of_dtype, of_error
from autograder.core.student import remember

EXPECTED = np.arange(1.0, 13.0).reshape(3, 4) / 7.0


def received(array, call=None, origin="torch.Tensor", dtype=np.float32) -> Value:
    """An array as the judge receives it from a worker, remembering the call it came from."""
    value = np.asarray(array, dtype=dtype).view(Value)
    value.origin = origin
    if call is not None:
        remember(value, call)
    return value


def named(obtained, expected=EXPECTED, kind="values", hints=(), atol=1e-6, rtol=0.0, shape=None):
    value = obtained if isinstance(obtained, Value) else received(obtained)
    hint = diagnose(Failure(kind, value, expected, shape, atol, rtol), hints)
    return None if hint is None else hint.text


@pytest.mark.parametrize("obtained, text", [
    (-EXPECTED, "opposite sign"),
    (100 * EXPECTED, "100 times the expected one: a percentage"),
    (2.5 * EXPECTED, "every value is 2.5 times the expected one"),
    (EXPECTED + 0.25, "off by the same 0.25"),
    (EXPECTED[::-1], "reverse order along axis 0"),
    (np.roll(EXPECTED.ravel(), 5).reshape(3, 4)[:, ::-1], "the right values, in the wrong places"),
    (EXPECTED.T, "transposed: the last two axes are swapped"),
    (EXPECTED.reshape(2, 6), "the right values in shape (2, 6): reshape to (3, 4)"),
    (EXPECTED[None], "an extra dimension of size 1"),
    (EXPECTED[:-1], "one value too few along axis 0: the last one is missing"),
    (np.log(EXPECTED), "logarithms of the expected values"),
])
def test_a_wrong_result_is_named_by_how_it_relates_to_the_expected_one(obtained, text):
    assert text in named(obtained)


def test_a_missing_dimension_a_border_and_a_stride_are_named_on_shape_failures():
    image = np.random.default_rng(1).random((1, 2, 9, 12))
    assert "a dimension of size 1 is missing" in named(image[0], image, kind="shape")
    assert "lost a border of 1 on each side" in named(image[..., 1:-1, 1:-1], image, kind="shape")
    assert "every third value" in named(image[..., ::3, ::3], image, kind="shape")


def test_grids_misses_and_shifts_index_slips_and_unit_vectors_are_named():
    grid = np.linspace(-1.0, 2.0, 7)
    assert "misses its last value" in named(-1.0 + np.arange(7) * 3.0 / 7, grid)
    assert "shifted by half a step" in named(grid + 0.25, grid)
    signal = np.random.default_rng(2).normal(size=20)
    assert "shifted by 1 place" in named(np.r_[0.0, signal[:-1]], signal)
    arrows = np.random.default_rng(3).normal(size=(2, 10))
    assert "normalised to unit length" in named(arrows / np.linalg.norm(arrows, axis=0), arrows)
    assert "absolute values" in named(np.abs(arrows), arrows)


def test_a_gaussian_off_its_centre_is_named_and_another_bump_is_not():
    x = np.arange(5.0)
    gauss = lambda centre: np.exp(-((x[:, None] - centre) ** 2 + (x[None, :] - centre) ** 2) / 2)  # noqa: E731
    centred, moved = gauss(2.0) / gauss(2.0).sum(), gauss(2.5) / gauss(2.5).sum()
    assert "moved off its centre" in named(moved, centred)
    triangle = lambda c: np.maximum(3 - np.abs(x[:, None] - c) - np.abs(x[None, :] - c), 0.1)  # noqa: E731
    assert named(triangle(2.5), triangle(2.0)) is None


def test_labels_numbered_differently_are_the_same_groups():
    labels = np.array([0, 0, 1, 2, 1, 2, 0])
    assert "numbered differently" in named(received(np.array([2, 2, 0, 1, 0, 1, 2]), dtype=np.int64), labels)


def test_a_relation_is_named_only_where_it_does_not_hold_for_the_expected_value():
    symmetric = EXPECTED[:3, :3] + EXPECTED[:3, :3].T
    assert named(symmetric.T + 1e-3, symmetric, atol=1e-6) != "transposed"
    assert named(np.zeros(4), np.zeros(4)) is None  # a zero is never "of the opposite sign"
    noise = np.random.default_rng(0).normal(size=EXPECTED.shape)
    assert named(noise) is None


def test_two_relations_that_explain_the_result_as_well_name_nothing():
    negative = -np.array([[1.0, 2.0], [3.0, 5.0]])
    assert named(-negative, negative) is None  # the absolute values, or the opposite sign: which one?


def test_a_dtype_failure_is_named_only_by_what_explains_a_dtype():
    float64 = received(EXPECTED, origin="torch.Tensor", dtype=np.float64)
    float64.source_dtype = "torch.float64"
    hint = diagnose(Failure("dtype", float64, None, EXPECTED.shape), hints=[(lambda o, ref: True, "a value mistake")])
    assert hint.id == "dtype.float64" and ".float()" in hint.text
    assert of_dtype(received(EXPECTED, origin="numpy.ndarray", dtype=np.int64), None).id == "dtype.not-floating"
    int32 = received([1, 0, 2], origin="numpy.ndarray", dtype=np.int32)
    asked = lambda dtype: Failure("dtype", int32, None, (3,), dtype=dtype)  # noqa: E731
    assert of_dtype(int32, asked("int64")).id == "dtype.integer-width" and ".astype(np.int64)" in \
        of_dtype(int32, asked("int64")).text
    assert of_dtype(int32, asked("bool")) is None  # integers where booleans are asked for: no floating point
    assert of_dtype(int32, asked("float32")).id == "dtype.not-floating"


def test_a_graders_hint_is_named_only_where_it_does_not_hold_for_the_expected_value():
    shrank = (lambda o, ref: o.shape[-1] == 4, "the output shrank")  # true of the expected shape too
    assert named(EXPECTED * 3, hints=[shrank]) != "the output shrank"
    assert named(EXPECTED[:, :3], kind="shape", shape=EXPECTED.shape, expected=None,
                 hints=[(lambda o, ref: o.shape[-1] == 3, "the output shrank")]) == "the output shrank"


@pytest.fixture
def catalogue(tmp_path):
    graders = tmp_path / "graders"
    graders.mkdir()
    (graders / "ex3_mistakes.py").write_text('''
import numpy as np
from autograder.core.diagnosis import mistake

@mistake("double", "this is the input three times")
def tripled(x, factor=2):
    return 3 * np.asarray(x, dtype=np.float64)

@mistake("double", "the factor was ignored")
def ignored(x, factor=2):
    return None if factor == 1 else np.asarray(x, dtype=np.float64)

@mistake("split", "the halves are swapped")
def swapped(x):
    x = np.asarray(x, dtype=np.float64)
    return x[len(x) // 2:], x[: len(x) // 2]

@mistake("double", "never applies")
def broken(x, factor=2):
    raise ValueError("a mistake that does not apply to these arguments")
''')
    return Catalogue(graders, tmp_path / "fixtures")


class Source:
    def __init__(self, catalogue):
        self.catalogue = catalogue

    def of(self, call):
        return self.catalogue.of(call)

    def result(self, m, call):
        return self.catalogue.result(m, call)

    def known(self, m, call):
        return self.catalogue.computed(m, call)

    def refute(self, m):
        self.catalogue.refute(m)


def test_a_known_mistake_is_recomputed_on_the_students_own_call(catalogue):
    x = np.array([1.0, -2.0, 4.0], dtype=np.float32)
    call = Call("double", (TensorArg(x),), {"factor": 2}, 3, source=Source(catalogue))
    assert named(received(3 * x, call), 2 * x) == "this is the input three times"
    # A mistake that gives an argument back is no evidence of itself (every skipped step does that):
    assert named(received(x, call), 2 * x) == "this is the call's argument 1 unchanged"
    same = Call("double", (TensorArg(x),), {"factor": 1}, 3, source=Source(catalogue))
    assert named(received(x, same), x * 1.0 + 1) != "the factor was ignored"  # it returns None for factor 1


def test_a_known_mistake_that_returns_the_expected_result_is_not_named(catalogue):
    x = np.array([0.0, 0.0], dtype=np.float32)  # tripled zeros are zeros: no evidence of anything
    call = Call("double", (TensorArg(x),), {"factor": 2}, 3, source=Source(catalogue))
    assert named(received(x + 1, call), x) is None


def test_each_part_of_a_tuple_is_compared_with_the_same_part_of_the_mistake_as_the_grader_rearranged_it(catalogue):
    x = np.arange(6.0)
    result = (received(x[3:]), received(x[:3]))
    remember(result, Call("split", (x,), {}, 3, source=Source(catalogue)))
    assert named(result[0], x[:3]) == named(result[1], x[3:]) == "the halves are swapped"
    assert named(result[0][::-1], x[:3][::-1]) == "the halves are swapped"  # a view keeps its call and its steps
    assert named(result[0] * 1.0, x[:3]) != "the halves are swapped"  # arithmetic makes a new value: no call


def test_parts_of_a_result_in_swapped_order_are_named_without_any_known_mistake():
    a, b = np.arange(6.0).reshape(2, 3), np.arange(5.0)
    result = (received(b), received(a))
    remember(result, Call("f", (), {}, 1))
    assert "part 1 of the result holds what part 0 should" in named(result[0], a, kind="shape")


def test_known_mistakes_are_recorded_as_data_and_read_back_where_their_code_is_absent(catalogue, tmp_path):
    x = np.array([1.0, 2.0, 5.0], dtype=np.float32)
    call = Call("double", (TensorArg(x),), {"factor": 2}, 3, source=Source(catalogue))
    recorded = catalogue.record(call)
    folder = tmp_path / "package" / "fixtures" / "ex3"
    folder.mkdir(parents=True)
    np.savez(folder / "known_mistakes.npz", **recorded)
    (tmp_path / "package" / "fixtures" / "MANIFEST.sha256").write_text("")
    (tmp_path / "package" / "graders").mkdir()
    from_data = Catalogue(tmp_path / "package" / "graders", tmp_path / "package" / "fixtures")
    import autograder.core.manifest as manifest

    manifest._entries.clear()
    (tmp_path / "package" / "fixtures" / "MANIFEST.sha256").write_text(
        f"{manifest._digest(folder / 'known_mistakes.npz')}  ex3/known_mistakes.npz\n")
    data_call = Call("double", (TensorArg(x),), {"factor": 2}, 3, source=Source(from_data))
    assert named(received(3 * x, data_call), 2 * x) == "this is the input three times"
    other = Call("double", (TensorArg(x + 1),), {"factor": 2}, 3, source=Source(from_data))
    assert named(received(3 * (x + 1), other), 2 * (x + 1)) != "this is the input three times"  # not recorded


def test_runtime_errors_are_named_by_what_usually_causes_them():
    assert of_error("RuntimeError", "Given input size: (3x1x1). Calculated output size: (3x0x0). Output size is "
                                    "too small").id == "error.output-too-small"
    assert of_error("RuntimeError", "mat1 and mat2 shapes cannot be multiplied (4x3 and 4x3)").id == "error.matmul-shapes"
    assert of_error("ValueError", "something else entirely") is None


def test_flatten_finds_every_array_by_its_path():
    flat = flatten({"a": (np.ones(2), 3.0), "b": [np.zeros((1, 2))], "c": "text"})
    assert sorted(flat) == [("a", 0), ("a", 1), ("b", 0)]


def test_the_mistake_decorator_leaves_the_function_usable():
    @mistake("f", "a message", atol=0.5)
    def wrong(x):
        return x + 1

    assert wrong(1) == 2 and wrong.mistake.atol == 0.5 and wrong.mistake.id == "f.wrong"
    assert Hint("f.wrong", "a message") == Hint("f.wrong", "a message")


def test_a_known_mistake_that_another_result_shows_not_to_be_made_is_refuted(catalogue):
    """One result may be what a mistake returns by coincidence: a result of the same function that
    is right where the mistake's is wrong, or wrong in another way, refutes it (its hints are taken
    back at the end of the run: Grading.withdraw_refuted_hints)."""
    from autograder.core.diagnosis import passed

    source = Source(catalogue)
    x, y = np.array([1.0, 2.0], dtype=np.float32), np.array([0.0, 0.0, 5.0], dtype=np.float32)
    first = Call("double", (TensorArg(x),), {"factor": 2}, 3, source=source)
    assert named(received(3 * x, first), 2 * x) == "this is the input three times"
    assert "double.tripled" not in catalogue.refuted
    second = Call("double", (TensorArg(y),), {"factor": 2}, 3, source=source)
    passed(received(2 * y, second), 2 * y, 1e-6, 0.0)  # right where "tripled" is wrong
    assert "double.tripled" in catalogue.refuted
