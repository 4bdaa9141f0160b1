"""Exercise 2: without a mask the layer is permutation-equivariant; a causal mask breaks that."""
import numpy as np
from ex5_shared import MASKS, inputs

from autograder import checks, in_worker, tensor

PERMUTATION = [3, 0, 5, 1, 4, 2]


@in_worker
def permuted_and_original(transformer_layer, d, h, ff, x, permutation, mask):
    """The student's layer with its own (seeded) initialisation: equivariance holds for any weights."""
    import torch

    layer = transformer_layer.TransformerLayer(d, h, ff).eval()
    run = (lambda t: layer(t)) if mask is None else (lambda t: layer(t, mask))
    with torch.no_grad():
        return {"of_permuted": run(x[:, permutation]), "permuted": run(x)[:, permutation]}


def outputs(student, mask_name):
    mask = MASKS[mask_name]
    return student.run(permuted_and_original, 16, 4, 40, tensor(inputs(16, seed=7)), PERMUTATION,
                       None if mask is None else tensor(mask, dtype=mask.dtype))


def test_permuting_the_tokens_permutes_the_output(student):
    out = outputs(student, "no mask")
    checks.close(out["of_permuted"], np.asarray(out["permuted"]), "layer(x[:, perm]) against layer(x)[:, perm]",
                 atol=1e-5, hints=[(lambda o, ref: o.shape == ref.shape,
                                    "something in the layer depends on the token order")])


def test_a_causal_mask_breaks_the_equivariance(student):
    out = outputs(student, "causal mask")
    checks.array(out["of_permuted"], "layer(x[:, perm], causal)", shape=out["permuted"].shape)
    if np.allclose(out["of_permuted"], out["permuted"], atol=1e-4):
        checks.fail("with a causal mask, layer(x[:, perm]) still equals layer(x)[:, perm]", hint="the mask is not applied")
