"""Exercise 6's known mistakes: the parameter counts that leave out (or add) some of the corrected
layer's parameters, for count_parameters(d_model, d_ff). The judge's only (never in the student
package, which holds their results on its calls as data): the groups below add up to the answer."""
from autograder.mistakes import mistake


def groups(d: int, ff: int) -> dict[str, int]:
    """The corrected layer's parameters, by group."""
    return {"W_q, W_k, W_v, W_o weights": 4 * d * d, "W_o bias": d, "ff1 weight": d * ff, "ff1 bias": ff,
            "ff2 weight": ff * d, "ff2 bias": d, "ln1": 2 * d, "ln2": 2 * d}


def count(d: int, ff: int, without=(), extra: int = 0) -> int:
    return sum(n for name, n in groups(d, ff).items() if name not in without) + extra


@mistake("count_parameters", "the LayerNorms' parameters are missing: each has a weight and a bias of d_model values")
def layer_norms_missing(d_model, d_ff):
    return count(d_model, d_ff, without=("ln1", "ln2"))


@mistake("count_parameters", "each LayerNorm has a weight and a bias (2 d_model values), not d_model")
def layer_norms_halved(d_model, d_ff):
    return count(d_model, d_ff) - 2 * d_model


@mistake("count_parameters", "the biases of W_o, ff1 and ff2 are missing")
def biases_missing(d_model, d_ff):
    return count(d_model, d_ff, without=("W_o bias", "ff1 bias", "ff2 bias"))


@mistake("count_parameters", "ff1's bias (d_ff values) is missing")
def ff1_bias_missing(d_model, d_ff):
    return count(d_model, d_ff, without=("ff1 bias",))


@mistake("count_parameters", "ff2's bias (d_model values) is missing")
def ff2_bias_missing(d_model, d_ff):
    return count(d_model, d_ff, without=("ff2 bias",))


@mistake("count_parameters", "W_o's bias (d_model values) is missing: W_o keeps its bias")
def output_bias_missing(d_model, d_ff):
    return count(d_model, d_ff, without=("W_o bias",))


@mistake("count_parameters", "W_q, W_k and W_v have no biases (bias=False): do not count 3 d_model for them")
def projection_biases_counted(d_model, d_ff):
    return count(d_model, d_ff, extra=3 * d_model)


@mistake("count_parameters", "count both feed-forward matrices (d_model x d_ff each)")
def one_feed_forward_matrix(d_model, d_ff):
    return count(d_model, d_ff, without=("ff2 weight",))


@mistake("count_parameters", "there are four d_model x d_model projections (W_q, W_k, W_v, W_o)")
def three_projections(d_model, d_ff):
    return count(d_model, d_ff) - d_model * d_model


@mistake("count_parameters", "this counts the handout's buggy layer (ff2 = Linear(d_model, d_ff), LayerNorm(d_ff)): in "
                             "the corrected layer ff2's bias and the LayerNorms have d_model values")
def buggy_layer_counted(d_model, d_ff):
    return count(d_model, d_ff, without=("ff2 bias", "ln1", "ln2"), extra=d_ff + 4 * d_ff)


@mistake("count_parameters", "ff2's bias has d_model values (ff2 outputs d_model), not d_ff")
def ff2_bias_of_d_ff(d_model, d_ff):
    return count(d_model, d_ff, without=("ff2 bias",), extra=d_ff)


@mistake("count_parameters", "W_o is missing: a d_model x d_model weight and a bias of d_model values")
def output_projection_missing(d_model, d_ff):
    return count(d_model, d_ff, without=("W_q, W_k, W_v, W_o weights", "W_o bias"), extra=3 * d_model * d_model)
