"""Naming the mistake: known mistakes recomputed on the student's own call, and the relations of a
wrong result to the expected one (autograder/mistakes.py)."""
import numpy as np
import pytest

from autograder import mistakes
from autograder.codec import TensorArg, Value
from autograder.mistakes import Call, diagnose, mistake

EXPECTED = np.arange(1.0, 13.0).reshape(3, 4) / 7.0


def received(array, call=None) -> Value:
    """An array as the judge receives it from a worker, remembering the call it came from."""
    value = np.asarray(array, dtype=np.float32).view(Value)
    value.origin = "torch.Tensor"
    if call is not None:
        value.call = call
    return value


@pytest.mark.parametrize("obtained, named", [
    (EXPECTED.T, "transposed"),
    (-EXPECTED, "opposite sign"),
    (100 * EXPECTED, "100 times the expected one: a percentage"),
    (2.5 * EXPECTED, "2.5 times the expected one"),
    (EXPECTED + 0.25, "off by the same 0.25"),
    (EXPECTED[::-1], "reverse order along axis 0"),
    (np.roll(EXPECTED.ravel(), 5).reshape(3, 4), "the right values, in the wrong places"),
    (EXPECTED.reshape(4, 3), "the right values in shape (4, 3): reshape to (3, 4)"),
])
def test_a_wrong_result_is_named_by_how_it_relates_to_the_expected_one(obtained, named):
    assert named in diagnose(received(obtained), EXPECTED)


def test_a_result_that_relates_to_nothing_names_nothing():
    noise = np.random.default_rng(0).normal(size=EXPECTED.shape)
    assert diagnose(received(noise), EXPECTED) is None
    assert diagnose(received(noise)) is None  # no expected value, no known mistake


@pytest.fixture
def known(monkeypatch):
    monkeypatch.setattr(mistakes, "KNOWN", {})

    @mistake("double", "this is the input three times")
    def tripled(x, factor=2):
        return 3 * np.asarray(x, dtype=np.float64)

    @mistake("double", "never applies")
    def broken(x, factor=2):
        raise ValueError("a mistake that does not apply to these arguments")

    @mistake("split", "the halves are swapped")
    def swapped(x):
        x = np.asarray(x, dtype=np.float64)
        return x[len(x) // 2:], x[: len(x) // 2]

    return mistakes.KNOWN


def test_a_known_mistake_is_recomputed_on_the_students_own_call(known):
    x = np.array([1.0, -2.0, 4.0], dtype=np.float32)
    call = Call("double", (TensorArg(x),), {"factor": 2})
    assert diagnose(received(3 * x, call), 2 * x) == "this is the input three times"
    assert diagnose(received(5 * x, call), 2 * x) == "every value is 2.5 times the expected one: a scaling or " \
                                                        "normalisation is missing or extra"  # no known mistake matched


def test_each_part_of_a_tuple_is_compared_with_the_same_part_of_the_mistake(known):
    x = np.arange(6.0)
    first, second = received(x[3:], Call("split", (x,), {}, part=0)), received(x[:3], Call("split", (x,), {}, part=1))
    assert diagnose(first) == diagnose(second) == "the halves are swapped"


def test_student_calls_mark_their_results_and_their_tuples_parts():
    from autograder.student import _remember

    call = Call("f", (1,), {})
    single, pair = received([1.0]), (received([1.0]), received([2.0]), 3)
    assert _remember(single, call).call == call
    _remember(pair, call)
    assert [part.call.part for part in pair[:2]] == [0, 1]
    assert not hasattr(single[:1].view(np.ndarray), "call")  # derived arrays do not claim the call
