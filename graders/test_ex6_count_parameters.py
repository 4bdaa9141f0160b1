"""Exercise 6: count_parameters gives the corrected layer's parameter count in closed form."""
import pytest

# (d_model, d_ff): the handout's case first.
SIZES = [(128, 512), (16, 40), (64, 256), (1, 1), (512, 2048)]


@pytest.mark.parametrize("d_model, d_ff", SIZES)
def test_the_count_equals_the_corrected_layers_real_count(student, reference, d_model, d_ff):
    # The reference count is checked against the real number of parameters in tests/.
    d, ff = d_model, d_ff
    reference.number(student.count_parameters(d_model, d_ff), f"count_d{d_model}_ff{d_ff}",
                     what=f"count_parameters({d_model}, {d_ff})", hints=[
                         (lambda got, want: want - got in (ff + d, ff + 2 * d, ff + 4 * d, ff + 6 * d),
                          "some biases are missing from the count"),
                         (lambda got, want: want - got in (2 * d, 4 * d), "the LayerNorms have a weight and a bias each"),
                         (lambda got, want: abs(want - got) == d * ff, "count both feed-forward matrices"),
                         (lambda got, want: abs(want - got) == d * d, "there are four d_model x d_model projections"),
                     ])
