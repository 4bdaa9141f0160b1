"""Exercise 3's known mistakes: what softmax_t returns when written with them (numpy, in the judge)."""
import numpy as np

from autograder.mistakes import mistake


def softmax(z, axis=-1):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@mistake("softmax_t", "z was multiplied by T; the temperature divides the logits")
def multiplied(z, T):
    return softmax(np.asarray(z, dtype=np.float64) * T)


@mistake("softmax_t", "the temperature has no effect: divide the logits by T before exponentiating "
                      "(exp(z - max) / T cancels out when normalised)")
def no_temperature(z, T):
    return softmax(z) if T != 1 else None


@mistake("softmax_t", "the softmax ran over the wrong dimension: use the last one")
def first_axis(z, T):
    return softmax(np.asarray(z, dtype=np.float64) / T, axis=0) if np.ndim(z) > 1 else None


@mistake("softmax_t", "the exponentials were normalised over the wrong dimension: sum over the last one")
def summed_over_the_first_axis(z, T):
    s = np.asarray(z, dtype=np.float64) / T
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=0, keepdims=True) if np.ndim(z) > 1 else None


@mistake("softmax_t", "these are log-probabilities (log_softmax); softmax_t returns probabilities")
def log_softmax(z, T):
    s = np.asarray(z, dtype=np.float64) / T
    return s - s.max(axis=-1, keepdims=True) - np.log(np.exp(s - s.max(axis=-1, keepdims=True)).sum(axis=-1, keepdims=True))


@mistake("softmax_t", "the exponentials were not normalised: divide by their sum")
def unnormalised(z, T):
    s = np.asarray(z, dtype=np.float64) / T
    return np.exp(s - s.max(axis=-1, keepdims=True))


@mistake("softmax_t", "subtract the largest logit before exponentiating: exp overflows for large logits")
def unstable(z, T):
    """The softmax without the largest logit subtracted, in float32 as the student's tensors are."""
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(np.asarray(z, dtype=np.float32) / np.float32(T))
        return e / e.sum(axis=-1, keepdims=True)


@mistake("softmax_t", "the exponentials were normalised by their sum over the whole tensor: sum over the last "
                      "dimension only (dim=-1, keepdim=True)")
def summed_over_everything(z, T):
    s = np.asarray(z, dtype=np.float64) / T
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum() if np.ndim(z) > 1 else None


@mistake("softmax_t", "the maximum was taken over the first dimension (each column's): subtract each row's own "
                      "maximum, max(dim=-1, keepdim=True)")
def maximum_over_the_first_axis(z, T):
    s = np.asarray(z, dtype=np.float64) / T
    e = np.exp(s - s.max(axis=0))
    return e / e.sum(axis=-1, keepdims=True) if np.ndim(z) > 1 else None


@mistake("softmax_t", "the exponentials were normalised by their sum over the whole tensor: sum over the last "
                      "dimension only (dim=-1, keepdim=True)")
def softmax_of_the_whole_tensor(z, T):
    """The same mistake with the largest logit of the whole tensor subtracted (or none)."""
    s = np.asarray(z, dtype=np.float64) / T
    e = np.exp(s - s.max())
    return e / e.sum() if np.ndim(z) > 1 else None
