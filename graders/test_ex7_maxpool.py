"""Exercise 7.1: maxpool_iter applies F.max_pool2d (k x k, stride 1, padding k // 2) `iters` times."""
import numpy as np
import pytest

from autograder import checks, tensor

SHAPE = (2, 3, 13, 17)  # batched, several channels, not square


def signed_batch(seed: int = 0) -> np.ndarray:
    """Values in [-1, 0): a border padded with zeros instead of -inf would show."""
    return np.random.default_rng(seed).random(SHAPE, dtype=np.float32) - 1.0


def padding_hints(k: int, iters: int):
    h, w = SHAPE[-2:]
    return [
        (lambda out, ref: out.shape[-2:] == (h - (k - 1) * iters, w - (k - 1) * iters),
         "the output shrank: looks like padding was not applied"),
    ]


def test_keeps_the_shape_of_a_batch_of_multichannel_images(student):
    out = student.maxpool_iter(tensor(signed_batch()), k=3, iters=2)
    checks.array(out, f"maxpool_iter(x {list(SHAPE)}, k=3, iters=2)", shape=SHAPE, hints=padding_hints(3, 2))


@pytest.mark.parametrize("k, iters", [(3, 1), (3, 2), (5, 1), (3, 5), (7, 3)])
def test_matches_the_reference(student, reference, k, iters):
    out = student.maxpool_iter(tensor(signed_batch()), k=k, iters=iters)
    reference.arrays({"out": out}, f"maxpool_k{k}_iters{iters}", what=f"maxpool_iter(x, k={k}, iters={iters})",
                     atol=0.0, hints=padding_hints(k, iters))


def test_zero_iterations_give_the_input_back(student):
    x = signed_batch(1)
    checks.close(student.maxpool_iter(tensor(x), k=3, iters=0), x, "maxpool_iter(x, k=3, iters=0)", atol=0.0)


def test_border_pixels_take_the_maximum_of_the_pixels_inside_the_image(student):
    # The window at a border reaches outside the image; max_pool2d's padding never wins there.
    x = np.full((1, 1, 6, 8), -1.0, dtype=np.float32)
    x[0, 0, 0, 0] = -0.5  # the brightest pixel, in a corner
    out = student.maxpool_iter(tensor(x), k=3, iters=2)
    expected = np.full_like(x, -1.0)
    expected[0, 0, :3, :3] = -0.5  # two 3 x 3 passes spread it two pixels down and right
    checks.close(out, expected, "maxpool_iter(corner pixel, k=3, iters=2)", atol=0.0, hints=[
        (lambda o, ref: np.any(o == 0.0), "the border was padded with zeros; max_pool2d pads with -inf"),
    ])
