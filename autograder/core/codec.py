"""The wire format between the judge (pytest) and a worker: JSON plus raw arrays, never pickle.

A message is an ``.npz`` archive: entry ``meta`` holds UTF-8 JSON, entries ``a0, a1, ...`` the
arrays it refers to. It is read back with ``allow_pickle=False``, so whatever bytes a worker
sends can at worst be rejected; they can never run code in the judge.

Values that cross: None, bool, int, float, str, bytes, lists, tuples, dicts with string keys,
numpy arrays and scalars, and torch tensors (which arrive on the other side as numpy arrays
that remember they were tensors, see :class:`Value`). Anything else crosses as an
:class:`Opaque` naming its type, so a grader can say "expected a tensor, got a list of dicts".
"""
from __future__ import annotations

import io
import json
import zipfile

import numpy as np

MAX_MESSAGE_BYTES = 512 * 1024 * 1024


class Value(np.ndarray):
    """An array received from the other side; ``origin`` says what it was there.

    ``origin`` is ``"torch.Tensor"`` or ``"numpy.ndarray"``; ``source_dtype`` the dtype it had
    there (``"torch.float32"``, ``"float64"``, ...). ``call`` is the student call (or probe) whose
    result this array is part of (:class:`autograder.mistakes.Call`, set by the judge), and
    ``steps`` the rearrangements a grader made of that part since (``.T``, indexing, ``reshape``):
    a known mistake's result is rearranged the same way before it is compared. Anything else
    derived from a Value (arithmetic, a ufunc, ``np.flip``) keeps no call: it is no longer what
    the call returned, and naming a mistake from it could be wrong.
    """

    origin: str = "numpy.ndarray"
    source_dtype: str = ""
    call = None
    steps: tuple = ()  # not "view": that is ndarray's method

    def __array_finalize__(self, obj):
        self.origin = getattr(obj, "origin", "numpy.ndarray")
        self.source_dtype = getattr(obj, "source_dtype", "")
        self.call, self.steps = None, ()  # only the rearrangements below carry the call on

    def _rearranged(self, result, step):
        if isinstance(result, Value) and self.call is not None:
            result.call, result.steps = self.call, (*self.steps, step) if step else self.steps
        return result

    def __getitem__(self, key):
        return self._rearranged(super().__getitem__(key), ("getitem", key))

    @property
    def T(self):  # noqa: N802 - numpy's name
        return self._rearranged(super().T, ("transpose", None))

    def transpose(self, *axes):
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) or axes == (None,) else axes
        return self._rearranged(super().transpose(*([axes] if axes else [])), ("transpose", tuple(axes) or None))

    def swapaxes(self, a, b):
        return self._rearranged(super().swapaxes(a, b), ("swapaxes", (a, b)))

    def reshape(self, *shape, **kwargs):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return self._rearranged(super().reshape(shape, **kwargs), ("reshape", tuple(shape)))

    def squeeze(self, axis=None):
        return self._rearranged(super().squeeze(axis), ("squeeze", axis))

    def ravel(self, order="C"):
        return self._rearranged(super().ravel(order), ("reshape", (-1,)))

    def astype(self, dtype, *args, **kwargs):  # the same values: a mistake's result compares as well
        return self._rearranged(super().astype(dtype, *args, **kwargs), None)

    def copy(self, order="C"):
        return self._rearranged(super().copy(order), None)


def rearrange(array, steps: tuple):
    """``array`` rearranged by the steps a :class:`Value` recorded."""
    out = np.asarray(array)
    for step, argument in steps:
        if step == "getitem":
            out = out[argument]
        elif step == "transpose":
            out = out.transpose(argument) if argument else out.T
        elif step == "swapaxes":
            out = out.swapaxes(*argument)
        elif step == "reshape":
            out = out.reshape(argument)
        elif step == "squeeze":
            out = out.squeeze(argument)
    return np.asarray(out)


class Opaque:
    """Stands for a value of a type that does not cross the boundary (a module, a generator...)."""

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name}>"

    def __eq__(self, other) -> bool:
        return isinstance(other, Opaque) and other.type_name == self.type_name


class TensorArg:
    """Judge-side marker: send this array so that it arrives as a ``torch.Tensor``."""

    def __init__(self, array, dtype: str | None = None, requires_grad: bool = False):
        self.array = np.asarray(array) if dtype is None else np.asarray(array, dtype=dtype)
        self.requires_grad = requires_grad

    def __repr__(self) -> str:  # by content: equal arguments make equal cache keys
        import hashlib

        digest = hashlib.sha1(np.ascontiguousarray(self.array).tobytes()).hexdigest()[:16]
        return f"tensor({self.array.dtype}{list(self.array.shape)}:{digest}, requires_grad={self.requires_grad})"


def _is_tensor(obj) -> bool:
    return type(obj).__module__.startswith("torch") and type(obj).__name__ in ("Tensor", "Parameter")


def encode(obj) -> bytes:
    arrays: list[np.ndarray] = []

    def add(array: np.ndarray) -> int:
        arrays.append(np.require(array, requirements="C"))  # 0-d stays 0-d (ascontiguousarray makes it 1-d)
        return len(arrays) - 1

    def enc(o):
        if isinstance(o, np.generic):  # before float: np.float64 is a float whose repr is 'np.float64(2.5)'
            if isinstance(o, (np.floating, np.integer, np.bool_)):
                return {"$scalar": enc(o.item()), "origin": f"numpy.{type(o).__name__}"}
            return {"$opaque": f"numpy.{type(o).__name__}"}
        if o is None or isinstance(o, (bool, str)):
            return o
        if isinstance(o, int):
            return o if abs(o) < 2**53 else {"$bigint": str(o)}
        if isinstance(o, float):
            return {"$float": repr(o)}  # JSON has no NaN / inf
        if isinstance(o, TensorArg):
            return {"$array": add(o.array), "origin": "torch.Tensor", "requires_grad": o.requires_grad}
        if isinstance(o, np.ndarray):
            if o.dtype.hasobject:
                return {"$opaque": "numpy.ndarray[object]"}
            return {"$array": add(o), "origin": "numpy.ndarray", "dtype": str(o.dtype)}
        if _is_tensor(o):
            t = o.detach().cpu()
            dtype = str(t.dtype)
            if dtype in ("torch.float16", "torch.bfloat16"):
                t = t.float()  # numpy has no bfloat16; source_dtype keeps the truth
            return {"$array": add(t.numpy()), "origin": "torch.Tensor", "dtype": dtype}
        if isinstance(o, (bytes, bytearray)):
            return {"$bytes": add(np.frombuffer(bytes(o), dtype=np.uint8))}
        if isinstance(o, tuple):
            return {"$tuple": [enc(v) for v in o]}
        if isinstance(o, list):
            return [enc(v) for v in o]
        if isinstance(o, dict) and all(isinstance(k, str) for k in o):
            return {"$dict": {k: enc(v) for k, v in o.items()}}
        t = type(o)
        return {"$opaque": f"{t.__module__}.{t.__qualname__}"}

    meta = json.dumps(enc(obj)).encode()
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.frombuffer(meta, dtype=np.uint8), **{f"a{i}": a for i, a in enumerate(arrays)})
    return buffer.getvalue()


class MalformedMessage(ValueError):
    pass


def decode(data: bytes, *, to_tensor=None):
    """Decode a message. ``to_tensor`` (worker side only) turns tensor-marked arrays into tensors."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            entries = {name: archive[name] for name in archive.files}
        meta = json.loads(entries.pop("meta").tobytes().decode())
    except (ValueError, OSError, KeyError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise MalformedMessage(f"unreadable message from the other side: {exc}") from None

    def array(i) -> np.ndarray:
        if not isinstance(i, int) or f"a{i}" not in entries:
            raise MalformedMessage("message refers to a missing array")
        return entries[f"a{i}"]

    def dec(o):
        if isinstance(o, list):
            return [dec(v) for v in o]
        if not isinstance(o, dict):
            return o
        try:
            if "$float" in o:
                return float(o["$float"])
            if "$bigint" in o:
                return int(o["$bigint"])
        except (TypeError, ValueError):
            raise MalformedMessage(f"not a number: {str(o)[:80]}") from None
        if "$tuple" in o:
            return tuple(dec(v) for v in o["$tuple"])
        if "$dict" in o:
            return {k: dec(v) for k, v in o["$dict"].items()}
        if "$bytes" in o:
            return array(o["$bytes"]).tobytes()
        if "$scalar" in o:
            return dec(o["$scalar"])
        if "$opaque" in o:
            return Opaque(str(o["$opaque"]))
        if "$array" in o:
            a = array(o["$array"])
            if o.get("origin") == "torch.Tensor" and to_tensor is not None:
                return to_tensor(a, bool(o.get("requires_grad")))
            v = a.view(Value)
            v.origin = str(o.get("origin", "numpy.ndarray"))
            v.source_dtype = str(o.get("dtype", a.dtype))
            return v
        raise MalformedMessage(f"unknown value tag in message: {sorted(o)[:3]}")

    return dec(meta)
