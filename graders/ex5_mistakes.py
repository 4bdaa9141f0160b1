"""Exercise 5's known mistakes: what the layer returns when written with them, as the probe
``layer_output`` (ex5_shared.py) returns it: {"out": ...}. Computed in the judge, in float64 numpy,
on the probe's own arguments. The judge's only (never in the student package, which holds their
results on its calls as data)."""
import math

import numpy as np

from autograder.mistakes import mistake


def layer(state, x, n_heads, mask=None, *, scale=True, fill=-np.inf, post_ln=True, transpose_heads=True,
          softmax_axis=-1, second_residual=True, ln_before_feed_forward=False, scale_by_d_model=False,
          inverted_mask=False, divisor=None, mask_how="fill", values="W_v", output_projection=True,
          merge_transpose=True, activation="relu", order="post"):
    """The layer in float64 numpy, with switches for the known mistakes. ``divisor``: what the scores
    are divided by (None: sqrt(d_head)); ``mask_how``: "fill" (the scores, before the softmax),
    "after softmax" (the weights zeroed, not renormalised) or "add" (the mask added to the scores);
    ``order``: where the residuals and LayerNorms sit ("post", "branches", "no first residual",
    "swapped", "ln1 on x")."""
    w = {k: np.asarray(v, dtype=np.float64) for k, v in state.items()}
    x = np.asarray(x, dtype=np.float64)
    b, t, d = x.shape
    dh = d // n_heads

    def ln(v, name):
        mu, var = v.mean(-1, keepdims=True), v.var(-1, keepdims=True)
        return (v - mu) / np.sqrt(var + 1e-5) * w[name + ".weight"] + w[name + ".bias"]

    def attention(h):
        q, k, v = (h @ w[f"W_{n}.weight"].T for n in ("q", "k", values[-1]))
        if transpose_heads:
            q, k, v = (a.reshape(b, t, n_heads, dh).transpose(0, 2, 1, 3) for a in (q, k, v))
        else:  # split by a plain view: [B, T, D] read as [B, n_heads, T, d_head]
            q, k, v = (a.reshape(b, n_heads, t, dh) for a in (q, k, v))
        by = divisor if divisor is not None else np.sqrt(d if scale_by_d_model else dh) if scale else 1.0
        s = q @ k.transpose(0, 1, 3, 2) / by
        if mask is not None and mask_how == "fill":
            blocked = np.broadcast_to(np.asarray(mask), s.shape) == 0
            s = np.where(~blocked if inverted_mask else blocked, fill, s)
        if mask is not None and mask_how == "add":
            s = s + np.asarray(mask, dtype=np.float64)
        with np.errstate(invalid="ignore"):  # a row masked out entirely is NaN, as torch's softmax gives it
            a = np.exp(s - s.max(softmax_axis, keepdims=True))
            a = a / a.sum(softmax_axis, keepdims=True)
        if mask is not None and mask_how == "after softmax":
            a = a * np.asarray(mask, dtype=np.float64)
        heads = a @ v  # [B, n_heads, T, d_head]
        merged = heads.transpose(0, 2, 1, 3).reshape(b, t, d) if merge_transpose else heads.reshape(b, t, d)
        return merged @ w["W_o.weight"].T + w["W_o.bias"] if output_projection else merged

    def act(h):
        if activation == "gelu":  # PyTorch's default GELU, exact: x * Phi(x)
            return h * 0.5 * (1.0 + np.vectorize(math.erf)(h / np.sqrt(2.0)))
        return np.maximum(h, 0) if activation == "relu" else h

    def ff(h):
        return act(h @ w["ff1.weight"].T + w["ff1.bias"]) @ w["ff2.weight"].T + w["ff2.bias"]

    if order == "branches":  # the LayerNorms on the branches: x + ln(branch)
        x = x + ln(attention(x), "ln1")
        return {"out": x + ln(ff(x), "ln2")}
    if order == "no first residual":
        x = ln(attention(x), "ln1")
        return {"out": ln(x + ff(x), "ln2")}
    if order == "swapped":  # ln2 after the attention, ln1 after the feed-forward
        x = ln(x + attention(x), "ln2")
        return {"out": ln(x + ff(x), "ln1")}
    if order == "ln1 on x":  # the buggy layer's x = ln1(x) + W_o(attn)
        x = ln(x, "ln1") + attention(x)
        return {"out": ln(x + ff(x), "ln2")}

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


@mistake("layer_output", "the scores were divided by d_head; the scale is 1/sqrt(d_head)")
def scaled_by_d_head(d, h, ff, state, x, mask):
    return layer(state, x, h, mask, divisor=float(d // h))


@mistake("layer_output", "the mask was applied after the softmax (masked weights set to 0, the rest not "
                         "renormalised): set the masked scores to -inf before the softmax")
def mask_after_softmax(d, h, ff, state, x, mask):
    return None if mask is None else layer(state, x, h, mask, mask_how="after softmax")


@mistake("layer_output", "the mask was added to the scores: a 0/1 (or boolean) mask selects; set the scores where "
                         "it is 0/False to -inf")
def mask_added(d, h, ff, state, x, mask):
    return None if mask is None else layer(state, x, h, mask, mask_how="add")


@mistake("layer_output", "the values were computed with W_k: v = W_v(x)")
def values_from_W_k(d, h, ff, state, x, mask):
    return layer(state, x, h, mask, values="W_k")


@mistake("layer_output", "W_o is missing: the heads, merged back to [B, T, d_model], go through W_o before the "
                         "residual")
def W_o_missing(d, h, ff, state, x, mask):
    return layer(state, x, h, mask, output_projection=False)


@mistake("layer_output", "the heads were merged by a reshape alone: transpose(1, 2) back to [B, T, n_heads, d_head] "
                         "before reshaping to [B, T, d_model]")
def heads_merged_without_transpose(d, h, ff, state, x, mask):
    return None if h == 1 else layer(state, x, h, mask, merge_transpose=False)


@mistake("layer_output", "the ReLU of the feed-forward is missing: ff2(relu(ff1(x)))")
def relu_missing(d, h, ff, state, x, mask):
    return layer(state, x, h, mask, activation="none")


@mistake("layer_output", "the feed-forward uses GELU; the layer's activation is a ReLU: ff2(relu(ff1(x)))")
def gelu(d, h, ff, state, x, mask):
    return layer(state, x, h, mask, activation="gelu")


@mistake("layer_output", "the LayerNorms were applied to the branches only (x + ln(branch)); post-LN normalises "
                         "the sum: x = ln1(x + W_o(attn))")
def layer_norm_on_the_branches(d, h, ff, state, x, mask):
    return layer(state, x, h, mask, order="branches")


@mistake("layer_output", "the first residual connection is missing: x = ln1(x + W_o(attn))")
def first_residual_missing(d, h, ff, state, x, mask):
    return layer(state, x, h, mask, order="no first residual")


@mistake("layer_output", "ln1 and ln2 are swapped: ln1 follows the attention, ln2 the feed-forward")
def layer_norms_swapped(d, h, ff, state, x, mask):
    return layer(state, x, h, mask, order="swapped")


@mistake("layer_output", "ln1 normalised x alone and the attention was added after it (the buggy layer's "
                         "x = ln1(x) + W_o(attn)): normalise the sum, x = ln1(x + W_o(attn))")
def ln1_on_x_only(d, h, ff, state, x, mask):
    return layer(state, x, h, mask, order="ln1 on x")
