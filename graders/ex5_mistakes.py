"""Exercise 5's known mistakes: what the layer returns when written with them, as the probe
``layer_output`` (ex5_shared.py) returns it: {"out": ...}. Computed in the judge, in float64 numpy,
on the probe's own arguments. The judge's only (never in the student package, which holds their
results on its calls as data)."""
import numpy as np

from autograder.mistakes import mistake


def layer(state, x, n_heads, mask=None, *, scale=True, fill=-np.inf, post_ln=True, transpose_heads=True,
          softmax_axis=-1, second_residual=True, ln_before_feed_forward=False, scale_by_d_model=False,
          inverted_mask=False):
    """The layer in float64 numpy, with switches for the known mistakes."""
    w = {k: np.asarray(v, dtype=np.float64) for k, v in state.items()}
    x = np.asarray(x, dtype=np.float64)
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
        s = q @ k.transpose(0, 1, 3, 2) / (np.sqrt(d if scale_by_d_model else dh) if scale else 1.0)
        if mask is not None:
            blocked = np.broadcast_to(np.asarray(mask), s.shape) == 0
            s = np.where(~blocked if inverted_mask else blocked, fill, s)
        with np.errstate(invalid="ignore"):  # a row masked out entirely is NaN, as torch's softmax gives it
            a = np.exp(s - s.max(softmax_axis, keepdims=True))
            a = a / a.sum(softmax_axis, keepdims=True)
        return (a @ v).transpose(0, 2, 1, 3).reshape(b, t, d) @ w["W_o.weight"].T + w["W_o.bias"]

    def ff(h):
        return np.maximum(h @ w["ff1.weight"].T + w["ff1.bias"], 0) @ w["ff2.weight"].T + w["ff2.bias"]

    if ln_before_feed_forward:  # ln1 after the first residual, ln2 before the feed-forward
        x = ln(x + attention(x), "ln1")
        return {"out": x + ff(ln(x, "ln2"))}
    if post_ln:
        x = ln(x + attention(x), "ln1")
        return {"out": ln((x if second_residual else 0) + ff(x), "ln2")}
    x = x + attention(ln(x, "ln1"))
    return {"out": x + ff(ln(x, "ln2"))}


@mistake("layer_output", "the attention scores were not scaled by 1/sqrt(d_head)")
def not_scaled(d, h, ff, state, x, mask):
    return layer(state, x, h, mask, scale=False)


@mistake("layer_output", "masked scores were set to 0; set them to -inf so that they get no weight")
def masked_with_zero(d, h, ff, state, x, mask):
    return None if mask is None else layer(state, x, h, mask, fill=0.0)


@mistake("layer_output", "the mask was ignored")
def mask_ignored(d, h, ff, state, x, mask):
    return None if mask is None else layer(state, x, h, None)


@mistake("layer_output", "this is the pre-LN order; the API asks for x = ln1(x + attention), x = ln2(x + ff)")
def pre_ln(d, h, ff, state, x, mask):
    return layer(state, x, h, mask, post_ln=False)


@mistake("layer_output", "the second LayerNorm is applied before the feed-forward; post-LN: "
                         "x = ln2(x + ff2(relu(ff1(x))))")
def ln_before_feed_forward(d, h, ff, state, x, mask):
    return layer(state, x, h, mask, ln_before_feed_forward=True)


@mistake("layer_output", "the heads were split by a view alone: view as [B, T, n_heads, d_head], then transpose(1, 2)")
def heads_without_transpose(d, h, ff, state, x, mask):
    return None if h == 1 else layer(state, x, h, mask, transpose_heads=False)


@mistake("layer_output", "the softmax ran over the queries; normalise over the keys (the last dimension)")
def softmax_over_queries(d, h, ff, state, x, mask):
    return layer(state, x, h, mask, softmax_axis=-2)


@mistake("layer_output", "the second residual connection is missing: x = ln2(x + ff2(relu(ff1(x))))")
def second_residual_missing(d, h, ff, state, x, mask):
    return layer(state, x, h, mask, second_residual=False)


@mistake("layer_output", "the scores were scaled by 1/sqrt(d_model); the scale is 1/sqrt(d_head), the size of one head")
def scaled_by_d_model(d, h, ff, state, x, mask):
    return None if h == 1 else layer(state, x, h, mask, scale_by_d_model=True)


@mistake("layer_output", "the mask is inverted: 1/True means may attend; set the scores where the mask is 0/False "
                         "to -inf")
def mask_inverted(d, h, ff, state, x, mask):
    return None if mask is None else layer(state, x, h, mask, inverted_mask=True)
