"""Exercise 6: count_parameters gives the corrected layer's parameter count in closed form."""
import pytest

# (d_model, d_ff): the handout's case first.
SIZES = [(128, 512), (16, 40), (64, 256), (1, 1), (512, 2048)]


@pytest.mark.parametrize("d_model, d_ff", SIZES)
def test_the_count_equals_the_corrected_layers_real_count(student, reference, d_model, d_ff):
    # The reference count is checked against the real number of parameters in tests/. Known
    # mistakes (biases or LayerNorms left out, biases counted that W_q, W_k, W_v do not have, ...)
    # are in ex6_mistakes.py.
    reference.number(student.count_parameters(d_model, d_ff), f"count_d{d_model}_ff{d_ff}",
                     what=f"count_parameters({d_model}, {d_ff})")
