"""Shared by the Transformer graders (exercises 5 and 2): weights, inputs, masks, a numpy oracle."""
import numpy as np

from autograder import in_worker

SIZES = [(16, 4, 40), (24, 3, 64), (32, 1, 48), (32, 8, 64)]  # (d_model, n_heads, d_ff)
B, T = 2, 6


def parameter_shapes(d: int, ff: int) -> dict[str, tuple]:
    """The corrected layer's parameters, by the attribute names the API fixes."""
    return {"W_q.weight": (d, d), "W_k.weight": (d, d), "W_v.weight": (d, d), "W_o.weight": (d, d), "W_o.bias": (d,),
            "ff1.weight": (ff, d), "ff1.bias": (ff,), "ff2.weight": (d, ff), "ff2.bias": (d,),
            "ln1.weight": (d,), "ln1.bias": (d,), "ln2.weight": (d,), "ln2.bias": (d,)}


def weights(d: int, ff: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    out = {}
    for name, shape in parameter_shapes(d, ff).items():
        scale = 1.0 / np.sqrt(shape[-1])
        value = rng.normal(0.0, scale if name.endswith("weight") and len(shape) == 2 else 0.1, size=shape)
        out[name] = (value + (1.0 if name.startswith("ln") and name.endswith("weight") else 0.0)).astype(np.float32)
    return out


def inputs(d: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(100 + seed).normal(size=(B, T, d)).astype(np.float32)


MASKS = {
    "no mask": None,
    "causal mask": np.tril(np.ones((T, T), dtype=bool)),  # bool [T, T], True = may attend
    "key-padding mask": np.array([[1.0] * T, [1.0] * (T - 2) + [0.0] * 2], dtype=np.float32)[:, None, None, :],
}


@in_worker
def layer_output(transformer_layer, d, h, ff, state, x, mask):
    """Build the student's layer; if its parameters are the API's, load ``state`` and run it."""
    import torch

    layer = transformer_layer.TransformerLayer(d, h, ff)
    shapes = {name: list(p.shape) for name, p in layer.state_dict().items()}
    if set(shapes) != set(state) or any(shapes[k] != list(v.shape) for k, v in state.items()):
        return {"shapes": shapes}
    layer.load_state_dict({k: torch.as_tensor(v) for k, v in state.items()})
    layer.eval()
    with torch.no_grad():
        return {"out": layer(x) if mask is None else layer(x, mask)}


def numpy_layer(state, x, n_heads, mask=None, *, scale=True, fill=-np.inf, post_ln=True, transpose_heads=True,
                softmax_axis=-1, second_residual=True, ln_after_first_residual_only=False):
    """The corrected layer in float64 numpy, with switches for known mistakes (for hints only)."""
    w = {k: v.astype(np.float64) for k, v in state.items()}
    x = x.astype(np.float64)
    b, t, d = x.shape
    dh = d // n_heads

    def ln(v, name):
        mu, var = v.mean(-1, keepdims=True), v.var(-1, keepdims=True)
        return (v - mu) / np.sqrt(var + 1e-5) * w[name + ".weight"] + w[name + ".bias"]

    def attention(h):
        q, k, v = (h @ w[f"W_{n}.weight"].T for n in "qkv")
        if transpose_heads:
            q, k, v = (a.reshape(b, t, n_heads, dh).transpose(0, 2, 1, 3) for a in (q, k, v))
        else:  # split by a plain view: [B, T, D] read as [B, n_heads, T, d_head]
            q, k, v = (a.reshape(b, n_heads, t, dh) for a in (q, k, v))
        s = q @ k.transpose(0, 1, 3, 2) / (np.sqrt(dh) if scale else 1.0)
        if mask is not None:
            s = np.where(np.broadcast_to(mask, s.shape) == 0, fill, s)
        a = np.exp(s - s.max(softmax_axis, keepdims=True))
        a = a / a.sum(softmax_axis, keepdims=True)
        return (a @ v).transpose(0, 2, 1, 3).reshape(b, t, d) @ w["W_o.weight"].T + w["W_o.bias"]

    def ff(h):
        return np.maximum(h @ w["ff1.weight"].T + w["ff1.bias"], 0) @ w["ff2.weight"].T + w["ff2.bias"]

    if ln_after_first_residual_only:  # ln1 after the first residual, ln2 before the feed-forward
        x = ln(x + attention(x), "ln1")
        return x + ff(ln(x, "ln2"))
    if post_ln:
        x = ln(x + attention(x), "ln1")
        return ln((x if second_residual else 0) + ff(x), "ln2")
    x = x + attention(ln(x, "ln1"))
    return x + ff(ln(x, "ln2"))
