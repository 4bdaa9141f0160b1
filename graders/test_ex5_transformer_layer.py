"""Exercise 5: the corrected TransformerLayer, with the weights set by the grader, against the reference
(itself checked against torch.nn.TransformerEncoderLayer in tests/), without and with masks."""
import pytest
from ex5_shared import MASKS, SIZES, inputs, layer_output, parameters, weights

from autograder import checks, tensor

IDS = [f"d{d}-h{h}-ff{ff}" for d, h, ff in SIZES]
MISSING = {"ln": "a LayerNorm has a weight and a bias", "W_": "W_o is a Linear with a bias: only W_q, W_k and W_v "
                                                              "have none", "ff": "ff1 and ff2 are Linear layers with biases"}


def run(student, reference_inputs, d, h, ff, mask_name):
    """The student's layer with the grader's weights, run on the grader's input; its parameters'
    names and shapes must be the API's (those of the reference's layer) for the weights to load."""
    mask, expected = MASKS[mask_name], parameters(student, reference_inputs, d, h, ff)
    out = student.run(layer_output, d, h, ff, weights(expected), tensor(inputs(d)),
                      None if mask is None else tensor(mask, dtype=mask.dtype))
    if "shapes" in out:
        layer, got = f"TransformerLayer({d}, {h}, {ff})", {k: tuple(v) for k, v in out["shapes"].items()}
        for name, shape in expected.items():
            if name not in got:
                checks.fail(f"{layer} has no parameter {name}", hint=MISSING.get(name.split(".")[0][:2]))
            if got[name] != shape:
                checks.fail(f"{layer}: parameter {name} has shape {got[name]}, expected {shape}")
        checks.fail(f"{layer} has parameters the API does not name: {sorted(set(got) - set(expected))}")
    return out["out"]


@pytest.mark.parametrize("d, h, ff", SIZES, ids=IDS)
def test_the_parameters_have_the_names_and_shapes_the_api_gives(student, reference_inputs, d, h, ff):
    run(student, reference_inputs, d, h, ff, "no mask")


@pytest.mark.parametrize("mask_name", list(MASKS))
@pytest.mark.parametrize("d, h, ff", SIZES, ids=IDS)
def test_the_output_matches_the_reference(student, reference, reference_inputs, d, h, ff, mask_name):
    out = run(student, reference_inputs, d, h, ff, mask_name)
    # Known mistakes (scores not scaled, masked scores set to 0, pre-LN, heads split without a
    # transpose, ...) are in ex5_mistakes.py. float32 against the float32 reference: measured
    # <= 1e-6 for correct variants (F.scaled_dot_product_attention, a boolean or additive mask).
    reference.arrays({"out": out}, f"layer_d{d}_h{h}_ff{ff}_{mask_name.replace(' ', '_')}",
                     what=f"TransformerLayer({d}, {h}, {ff}) with {mask_name}", atol=1e-5)
