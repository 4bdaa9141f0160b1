"""The wire format: plain values round-trip; nothing that needs pickle gets through."""
import io

import numpy as np
import pytest

from autograder.core.codec import MalformedMessage, Opaque, Value, decode, encode


def test_plain_values_round_trip():
    value = {"a": [1, 2.5, float("nan"), None, True, "s", b"\x00\xff"], "t": (np.float32(3.5), 2**70),
             "x": np.arange(6, dtype=np.float32).reshape(2, 3)}
    back = decode(encode(value))
    assert back["a"][:2] == [1, 2.5] and np.isnan(back["a"][2]) and back["a"][3:] == [None, True, "s", b"\x00\xff"]
    assert back["t"] == (3.5, 2**70)
    assert isinstance(back["x"], Value) and back["x"].origin == "numpy.ndarray"
    np.testing.assert_array_equal(back["x"], np.arange(6, dtype=np.float32).reshape(2, 3))


def test_tensors_arrive_as_arrays_that_remember_being_tensors():
    torch = pytest.importorskip("torch")
    back = decode(encode([torch.ones(2, 2, requires_grad=True) * 2, torch.zeros(3, dtype=torch.bfloat16)]))
    assert back[0].origin == "torch.Tensor" and back[0].source_dtype == "torch.float32"
    assert back[1].source_dtype == "torch.bfloat16" and back[1].dtype == np.float32


def test_unknown_objects_cross_as_their_type_name():
    assert decode(encode(object())) == Opaque("builtins.object")
    assert decode(encode(np.array([object()]))) == Opaque("numpy.ndarray[object]")
    assert decode(encode({1: 2})) == Opaque("builtins.dict")  # only string keys cross


def test_a_pickled_payload_is_rejected():
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.frombuffer(b'{"$array": 0}', dtype=np.uint8), a0=np.array([object()], dtype=object))
    with pytest.raises(MalformedMessage):
        decode(buffer.getvalue())
    with pytest.raises(MalformedMessage):
        decode(b"garbage")


def test_numpy_scalars_and_0d_arrays_keep_their_values_and_shapes():
    """np.float64 is a float whose repr is 'np.float64(2.5)' under numpy 2; X.mean() of an array is
    a 0-d array: both arrive as what they were."""
    scalars = decode(encode([np.float64(2.5), np.float32(0.25), np.int64(-3), np.bool_(True)]))
    assert scalars == [2.5, 0.25, -3, True]
    zero_d = decode(encode(np.asarray(np.arange(4.0).mean())))
    assert zero_d.shape == () and float(zero_d) == 1.5


def test_a_number_that_is_no_number_is_a_malformed_message():
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.frombuffer(b'{"$float": "np.float64(2.5)"}', dtype=np.uint8))
    with pytest.raises(MalformedMessage):
        decode(buffer.getvalue())
