"""How a wrong result relates to the expected one: mistakes nobody planted, for any exercise.

Each relation turns the expected value into what a common mistake would have returned: its
transpose, its negation, every second value, its interior without the border, the values of
another part of the same result, a grid without its last point, and so on. A relation names a
failure only when that candidate is what was obtained (:func:`autograder.mistakes.same`) and
would itself fail the check (:func:`autograder.mistakes.differs`): a symmetric matrix is never
"transposed", a zero never "of the opposite sign". Relations come in two tiers: the specific ones
first, then the general ones (a constant factor, a constant offset, the right values in other
places) only where no specific one holds; these say what holds (:data:`FACTS`), not what caused it. Where two relations of one tier explain the result
with different mistakes, none is named: which one was made cannot be told.

Dtype failures have diagnoses of their own (:func:`of_dtype`), runtime errors theirs
(:func:`of_error`).
"""
from __future__ import annotations

import itertools
import re

import numpy as np

from autograder.core.codec import rearrange
from autograder.core.diagnosis import Failure, Hint, differs, part_of, same


FACTS = ("relation.scaled", "relation.offset", "relation.permuted", "relation.an-argument")  # naming no cause


def _along(axis: int, ndim: int) -> str:
    return "" if ndim == 1 else f" along axis {axis}"


def _arithmetic(values: np.ndarray, axis: int):
    """(first, step) when the values change by one constant step along ``axis``, else None."""
    if values.shape[axis] < 3:
        return None
    steps = np.diff(values, axis=axis)
    step = float(np.median(steps))
    scale = float(np.max(np.abs(values))) or 1.0
    if step == 0 or not np.allclose(steps, step, atol=1e-6 * scale, rtol=1e-6):
        return None
    first = np.take(values, 0, axis=axis)
    return first, step


def _specific(obtained: np.ndarray, expected: np.ndarray, integers: bool = False):
    """(id, text, candidate) for the specific relations that fit these shapes, in the order tried."""
    o, e = obtained.shape, expected.shape
    if o != e and obtained.size == expected.size:
        if obtained.squeeze().shape == expected.squeeze().shape:
            if obtained.ndim > expected.ndim:
                yield "relation.extra-dimension", f"an extra dimension of size 1: the shape is {o}, expected {e} " \
                                                  "(squeeze it)", expected.reshape(o)
            else:
                yield "relation.missing-dimension", f"a dimension of size 1 is missing: the shape is {o}, expected " \
                                                    f"{e} (add it, e.g. with [None] or unsqueeze)", expected.reshape(o)
        for perm in itertools.permutations(range(expected.ndim)):
            if perm != tuple(range(expected.ndim)) and tuple(e[p] for p in perm) == o:
                text = ("these are the expected values transposed: the last two axes are swapped"
                        if perm == (*range(expected.ndim - 2), expected.ndim - 1, expected.ndim - 2)
                        else f"the expected values with their axes in the order {perm}")
                yield "relation.axes", text, np.transpose(expected, perm)
    if obtained.ndim == expected.ndim and o != e:
        differing = [a for a in range(expected.ndim) if o[a] != e[a]]
        if all(o[a] < e[a] for a in differing):
            cut = {e[a] - o[a] for a in differing}
            if len(cut) == 1 and cut.pop() % 2 == 0:  # the same border gone on both sides of every axis
                m = (e[differing[0]] - o[differing[0]]) // 2
                index = tuple(slice(m, -m) if a in differing else slice(None) for a in range(expected.ndim))
                yield "relation.border", f"the output lost a border of {m} on each side: the padding is missing " \
                                         "(it keeps the size)", expected[index]
            for stride in range(2, 9):
                index = tuple(slice(None, None, stride) if a in differing else slice(None) for a in range(expected.ndim))
                if expected[index].shape == o:
                    nth = {2: "second", 3: "third"}.get(stride, f"{stride}th")
                    yield "relation.stride", f"every {nth} value of the expected result: a stride of {stride} where 1 " \
                                             "is expected (a pooling's default stride is its kernel size)", \
                        expected[index]
        if len(differing) == 1:
            a, d = differing[0], o[differing[0]] - e[differing[0]]
            if d in (-1, 1):
                if d < 0:
                    for end, index in (("last", slice(None, -1)), ("first", slice(1, None))):
                        yield "relation.one-too-few", f"one value too few{_along(a, expected.ndim)}: the {end} one " \
                                                      "is missing", \
                            expected[tuple(index if i == a else slice(None) for i in range(expected.ndim))]
    if o != e:
        if obtained.size == expected.size and obtained.squeeze().shape != expected.squeeze().shape:
            yield "relation.reshaped", f"the right values in shape {o}: reshape to {e}", expected.reshape(o)
        return
    if expected.ndim >= 2 and e[-1] == e[-2]:
        yield "relation.axes", "these are the expected values transposed: the last two axes are swapped", \
            expected.swapaxes(-1, -2)
    yield "relation.sign", "every value has the opposite sign", -expected
    if np.count_nonzero(expected < 0) >= 2:  # one sign is no evidence of absolute values
        yield "relation.absolute", "these are the absolute values of the expected ones", np.abs(expected)
    yield "relation.percentage", "every value is 100 times the expected one: a percentage instead of a fraction", \
        100 * expected
    for a in range(expected.ndim):
        if e[a] > 2:  # two values in reverse are two values swapped: no evidence of a reversal
            yield "relation.reversed", f"the right values in reverse order{_along(a, expected.ndim)}", \
                np.flip(expected, a)
        if e[a] > 1:
            for shift in (1, -1, 2, -2):
                if e[a] > 2 * abs(shift) + 1:
                    yield from _shifted(obtained, expected, a, shift)
            norms = np.linalg.norm(expected, axis=a, keepdims=True)
            if np.all(norms > 0) and expected.size >= 3:
                yield "relation.unit-length", f"the vectors{_along(a, expected.ndim)} were normalised to unit " \
                                              "length", \
                    expected / norms
            grid = _arithmetic(expected, a)
            if grid is not None:
                first, step = grid
                n = e[a]
                ramp = np.arange(n).reshape([-1 if i == a else 1 for i in range(expected.ndim)])
                yield "relation.grid-endpoint", f"the grid{_along(a, expected.ndim)} misses its last " \
                                                "value: equally spaced from the first to the last value, both " \
                                                "included (np.linspace), not a range that stops one step short", \
                    np.expand_dims(first, a) + ramp * step * (n - 1) / n
                yield "relation.grid-half-step", f"the grid{_along(a, expected.ndim)} is shifted by " \
                                                 "half a step: its points are the cells' edges, not their centres", \
                    expected + step / 2
    varied = len(np.unique(expected)) >= 2  # a transform of one constant matches any constant: no evidence
    if np.all(expected > 0) and varied:
        yield "relation.logarithm", "these are the logarithms of the expected values (log_softmax or a log too many)", \
            np.log(expected)
        shifted = _gaussian_shift(obtained, expected)
        if shifted is not None:
            yield shifted
    if varied:
        yield "relation.exponential", "these are the exponentials of the expected values (a log missing)", \
            np.exp(np.clip(expected, -700, 700))
    if integers:  # labels: the same groups under other numbers
        relabelled = _relabelled(obtained, expected)
        if relabelled is not None:
            yield "relation.relabelled", "the same groups, numbered differently", relabelled


def _shifted(obtained, expected, axis: int, shift: int):
    """The expected values moved by ``shift`` places along ``axis`` (an index off by one or two),
    compared where both are defined (the values moved in at the edge are the obtained ones)."""
    n = expected.shape[axis]
    inside, source = [slice(None)] * expected.ndim, [slice(None)] * expected.ndim
    if shift > 0:
        inside[axis], source[axis] = slice(shift, None), slice(None, n - shift)
    else:
        inside[axis], source[axis] = slice(None, n + shift), slice(-shift, None)
    candidate = obtained.astype(np.float64).copy()
    candidate[tuple(inside)] = expected[tuple(source)]
    word = "later" if shift > 0 else "earlier"
    yield "relation.shifted", f"the values are shifted by {abs(shift)} place{'s' * (abs(shift) > 1)}" \
                              f"{_along(axis, expected.ndim)} (each one sits {abs(shift)} {word}): an index is off by " \
                              f"{abs(shift)}", candidate


def _gaussian_shift(obtained, expected):
    """The same Gaussian bump moved off centre: log(obtained / expected) is then exactly an affine
    function of the indices (it is for any Gaussian, for no other bump)."""
    if not (np.all(obtained > 0) and obtained.ndim in (1, 2) and min(obtained.shape) >= 3):
        return None
    ratio = np.log(obtained) - np.log(expected)
    grids = np.meshgrid(*[np.arange(n, dtype=np.float64) for n in expected.shape], indexing="ij")
    design = np.stack([g.ravel() for g in grids] + [np.ones(expected.size)], axis=1)
    coefficients, *_ = np.linalg.lstsq(design, ratio.ravel(), rcond=None)
    if np.max(np.abs(design @ coefficients - ratio.ravel())) > 1e-4 or np.allclose(coefficients[:-1], 0, atol=1e-6):
        return None
    candidate = expected * np.exp((design @ coefficients).reshape(expected.shape))
    return ("relation.off-centre", "the same bump moved off its centre: the peak should sit at the middle index "
                                   "(k // 2)", candidate)


def _relabelled(obtained, expected):
    """The expected labels renamed by a one-to-one map, if that is what was obtained."""
    pairs = {}
    for got, want in zip(obtained.ravel().tolist(), expected.ravel().tolist()):
        if pairs.setdefault(want, got) != got:
            return None
    if len(set(pairs.values())) != len(pairs) or all(k == v for k, v in pairs.items()):
        return None
    return np.vectorize(pairs.get)(expected).astype(np.float64)


def _general(obtained: np.ndarray, expected: np.ndarray, integers: bool = False):
    """The general relations: tried only where no specific one holds, and only on enough distinct
    values to be evidence (one fitted constant explains any two numbers)."""
    if obtained.shape != expected.shape or len(np.unique(expected)) < 3:
        return
    nonzero = np.abs(expected) > 1e-12 * (np.max(np.abs(expected)) or 1.0)
    if nonzero.sum() >= 2:
        c = float(np.median(obtained[nonzero] / expected[nonzero]))
        if np.isfinite(c) and abs(c + 1) > 1e-3 and abs(c - 100) > 1e-3:
            yield "relation.scaled", f"every value is {c:.4g} times the expected one", c * expected
    c = float(np.median(obtained - expected))
    if np.isfinite(c):
        yield "relation.offset", f"every value is off by the same {c:.4g}", expected + c
    if obtained.size >= 4 and np.count_nonzero(obtained != expected) >= 3 and np.all(np.isfinite(obtained)):
        order = np.sort(obtained, axis=None)
        if same(order, np.sort(expected, axis=None)):
            yield "relation.permuted", "the right values, in the wrong places", obtained


def _siblings(value, expected: np.ndarray, expected_source):
    """The other parts of the same tuple that hold what this part should, while this part holds
    something else than they do (a swap, not the same value returned twice): (id, text, candidate).
    Positional parts only: a dict's entries are named, and one entry holding what another should
    is a shift (a loop one pass short) as often as a swap."""
    call = getattr(value, "call", None)
    whole = getattr(call, "whole", None) if call is not None else None
    if whole is None or not call.path:
        return
    parent = part_of(whole, call.path[:-1])
    if not isinstance(parent, (tuple, list)):
        return
    mine = np.asarray(value, dtype=np.float64)
    for key in range(len(parent)):
        if key == call.path[-1]:
            continue
        try:
            raw = np.asarray(parent[key])
            other = rearrange(raw.astype(np.float64), getattr(value, "steps", ()))
        except (TypeError, ValueError, IndexError):
            continue
        if np.shares_memory(raw, expected_source):  # the grader compares one part with another: no swap to see
            return
        if other.shape == expected.shape and same(other, expected) and \
                not (mine.shape == other.shape and same(mine, other)):
            yield "relation.swapped-parts", f"part {key!r} of the result holds what part {call.path[-1]!r} " \
                                            "should: are the parts in the right order?", other


def _argument(value) -> str | None:
    """Which argument of its call ``value`` is, unchanged (where it is one)."""
    call = getattr(value, "call", None)
    if call is None or getattr(value, "steps", ()):
        return None
    args, kwargs = call.plain()
    for where, argument in [*((f"argument {i + 1}", a) for i, a in enumerate(args)),
                            *((f"argument {k}", a) for k, a in kwargs.items())]:
        if isinstance(argument, np.ndarray) and argument.shape == np.shape(value) and \
                np.array_equal(np.asarray(value, dtype=np.float64), argument.astype(np.float64)):
            return where
    return None


def relate(obtained: np.ndarray, failure: Failure) -> Hint | None:
    """The relation of the expected value that explains what was obtained, or None."""
    expected = np.asarray(failure.expected, dtype=np.float64)
    if not np.all(np.isfinite(expected)) or expected.size == 0:
        return None
    for sibling in _siblings(failure.obtained, expected, failure.expected):
        if differs(obtained, expected, failure.atol, failure.rtol):
            return Hint(sibling[0], sibling[1])
    argument = _argument(failure.obtained)
    if argument is not None:
        return Hint("relation.an-argument", f"this is the call's {argument} unchanged")
    integers = np.issubdtype(getattr(failure.obtained, "dtype", np.float64), np.integer) and \
        np.issubdtype(np.asarray(failure.expected).dtype, np.integer)
    with np.errstate(all="ignore"):
        for tier in (_specific, _general):
            held = {}
            for hint_id, text, candidate in tier(obtained, expected, integers):
                try:
                    if same(obtained, candidate) and differs(candidate, expected, failure.atol, failure.rtol):
                        held.setdefault(hint_id, text)
                except (TypeError, ValueError):
                    continue
            if len(held) == 1:
                return Hint(*next(iter(held.items())))
            if held:  # two mistakes explain it as well: which one was made cannot be told
                return None
    return None


def of_dtype(value, failure: Failure) -> Hint | None:
    """What to do about a result of another dtype than the one asked for (only what that pair of
    dtypes says: a float64 where float32 was asked for, integers where floats were, an integer of
    another width)."""
    got = str(getattr(value, "source_dtype", "") or getattr(value, "dtype", ""))
    origin = getattr(value, "origin", "")
    wanted = getattr(failure, "dtype", None) or ""  # unknown: float32, the grader API's default
    if wanted and wanted != "floating" and not np.issubdtype(np.dtype(wanted), np.floating):
        if wanted.startswith("int") and "int" in got and "uint" not in got:
            how = f".to(torch.{wanted})" if origin == "torch.Tensor" else f".astype(np.{wanted})"
            return Hint("dtype.integer-width", f"{got.removeprefix('torch.')} integers where {wanted} ones are asked "
                                               f"for (np.argmin gives int32 on some machines): convert with {how}")
        return None
    if got.endswith("float64") and wanted in ("", "float32"):
        where = "a tensor" if origin == "torch.Tensor" else "a numpy array"
        how = ".float()" if origin == "torch.Tensor" else ".astype(np.float32)"
        return Hint("dtype.float64", f"{where} in float64 (numpy's default, which torch.from_numpy keeps): "
                                     f"convert it with {how}")
    if "int" in got or "bool" in got:
        return Hint("dtype.not-floating", f"{got.removeprefix('torch.')} values: the result needs converting to "
                                          "floating point")
    return None


# -- runtime errors by what usually causes them ---------------------------------------------------
ERRORS = [  # (pattern of the error's message, id, hint)
    (r"Output size is too small|negative dimension|Padding size should be less than",
     "error.output-too-small", "the input got smaller than the kernel: is the padding missing (padding=k // 2 keeps the "
                               "size)?"),
    (r"mat1 and mat2 shapes cannot be multiplied|size mismatch, got input|shapes .* not aligned|matmul: Input operand",
     "error.matmul-shapes", "the two sides of a matrix product do not fit: check their shapes, and which one is "
                            "transposed"),
    (r"The size of tensor a \(\d+\) must match the size of tensor b|operands could not be broadcast together",
     "error.broadcast", "two arrays do not broadcast: a dimension was lost or added (keepdim=True keeps a summed "
                        "dimension)"),
    (r"expected scalar type \w+ but found \w+|expected .* to have the same dtype|Found dtype \w+ but expected",
     "error.dtype-mix", "float64 and float32 tensors were mixed: convert with .float()"),
    (r"Expected \dD .*input|Expected \d-dimensional input|expected \dD or \dD input",
     "error.dimensions", "the input has too few or too many dimensions: the function wants [B, C, H, W] (add the batch "
                         "and channel dimensions)"),
    (r"does not require grad and does not have a grad_fn",
     "error.no-grad", "nothing to differentiate: set requires_grad=True on the input before the forward pass (and "
                      "not under torch.no_grad())"),
    (r"Trying to backward through the graph a second time",
     "error.backward-twice", "backward ran twice through one graph: run the forward pass again for each backward"),
    (r"Can't call numpy\(\) on Tensor that requires grad",
     "error.numpy-of-grad", "detach the tensor before .numpy(): tensor.detach().numpy()"),
    (r"boolean index did not match indexed array",
     "error.mask-length", "a boolean mask has another length than the axis it selects from: was it computed along the "
                          "other axis?"),
]


def of_error(error_type: str, message: str) -> Hint | None:
    """What usually causes an exception with this message."""
    for pattern, hint_id, text in ERRORS:
        if re.search(pattern, message or ""):
            return Hint(hint_id, text)
    return None
