"""Exercise 5: the corrected TransformerLayer, with the weights set by the grader, against the reference
(itself checked against torch.nn.TransformerEncoderLayer in tests/), without and with masks."""
import numpy as np
import pytest
from ex5_shared import MASKS, SIZES, inputs, layer_output, numpy_layer, parameter_shapes, weights

from autograder import checks, tensor

IDS = [f"d{d}-h{h}-ff{ff}" for d, h, ff in SIZES]


def run(student, d, h, ff, mask_name):
    mask = MASKS[mask_name]
    out = student.run(layer_output, d, h, ff, weights(d, ff), tensor(inputs(d)),
                      None if mask is None else tensor(mask, dtype=mask.dtype))
    if "shapes" in out:
        layer, got = f"TransformerLayer({d}, {h}, {ff})", {k: tuple(v) for k, v in out["shapes"].items()}
        for name, shape in parameter_shapes(d, ff).items():
            if name not in got:
                hint = " (a LayerNorm without its weight and bias?)" if name.startswith("ln") else ""
                checks.fail(f"{layer} has no parameter {name}{hint}")
            if got[name] != shape:
                checks.fail(f"{layer}: parameter {name} has shape {got[name]}, expected {shape}")
        checks.fail(f"{layer} has parameters the API does not name: {sorted(set(got) - set(parameter_shapes(d, ff)))}")
    return out["out"]


@pytest.mark.parametrize("d, h, ff", SIZES, ids=IDS)
def test_the_parameters_have_the_names_and_shapes_the_api_gives(student, d, h, ff):
    run(student, d, h, ff, "no mask")


@pytest.mark.parametrize("mask_name", list(MASKS))
@pytest.mark.parametrize("d, h, ff", SIZES, ids=IDS)
def test_the_output_matches_the_reference(student, reference, d, h, ff, mask_name):
    out = run(student, d, h, ff, mask_name)
    state, x, mask = weights(d, ff), inputs(d), MASKS[mask_name]
    variant = lambda **kw: numpy_layer(state, x, h, **{"mask": mask, **kw})  # noqa: E731
    hints = [
        (lambda o, ref: np.allclose(o, variant(scale=False), atol=1e-4), "the attention scores were not scaled by 1/sqrt(d_head)"),
        (lambda o, ref: mask is not None and np.allclose(o, variant(fill=0.0), atol=1e-4),
         "masked scores were set to 0; set them to -inf so that they get no weight"),
        (lambda o, ref: mask is not None and np.allclose(o, variant(mask=None), atol=1e-4), "the mask was ignored"),
        (lambda o, ref: np.allclose(o, variant(post_ln=False), atol=1e-4),
         "this is the pre-LN order; the API asks for x = ln1(x + attention), x = ln2(x + ff)"),
        (lambda o, ref: np.allclose(o, variant(ln_after_first_residual_only=True), atol=1e-4),
         "the second LayerNorm is applied before the feed-forward; post-LN: x = ln2(x + ff2(relu(ff1(x))))"),
        (lambda o, ref: h > 1 and np.allclose(o, variant(transpose_heads=False), atol=1e-4),
         "the heads were split by a view alone: view as [B, T, n_heads, d_head], then transpose(1, 2)"),
        (lambda o, ref: np.allclose(o, variant(softmax_axis=-2), atol=1e-4),
         "the softmax ran over the queries; normalise over the keys (the last dimension)"),
        (lambda o, ref: np.allclose(o, variant(second_residual=False), atol=1e-4),
         "the second residual connection is missing: x = ln2(x + ff2(relu(ff1(x))))"),
    ]
    # float32 against the float32 reference: measured <= 1e-6 for correct variants
    # (F.scaled_dot_product_attention, a boolean or additive mask).
    reference.arrays({"out": out}, f"layer_d{d}_h{h}_ff{ff}_{mask_name.replace(' ', '_')}",
                     what=f"TransformerLayer({d}, {h}, {ff}) with {mask_name}", atol=1e-5, hints=hints)
