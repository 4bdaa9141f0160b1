"""Exercise 9.2: preprocess_image resizes the shorter side to 256, centre-crops 224 and normalises."""
import pytest
from ex9_shared import picture

from autograder import checks, in_worker

PICTURES = ["exercise image", "tall crop", "wide crop", "small picture", "RGBA picture", "grayscale picture"]


@in_worker
def preprocess(guided_backprop, data: bytes):
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".png", delete=False) as f:
        f.write(data)
    return guided_backprop.preprocess_image(f.name)


@pytest.mark.parametrize("kind", PICTURES)
def test_the_network_input_matches_the_reference(student, reference, kind):
    data = picture(kind)
    out = student.run(preprocess, data)
    what = f"preprocess_image({kind})"
    # Known mistakes (a squashed picture, bicubic resampling) are in ex9_mistakes.py.
    hints = [
        (lambda x, ref: x.min() >= 0 and x.max() <= 1, "the values are in [0, 1]: normalise with the ImageNet mean and std"),
        (lambda x, ref: x.shape == (3, 224, 224), "add the batch dimension: [1, 3, 224, 224]"),
    ]
    checks.array(out, what, shape=(1, 3, 224, 224), kinds=("torch.Tensor",), hints=hints)
    # Correct resizes of other libraries (the weights' transforms() on a uint8 tensor,
    # transforms.v2 on floats) differ from PIL's by at most 0.018 here, one grey level over the std;
    # bicubic resampling already differs by 0.26, a squashed or unnormalised picture by about 2.
    reference.arrays({"x": out}, f"preprocess_{kind.replace(' ', '_')}", what=what, atol=0.05, hints=hints)
