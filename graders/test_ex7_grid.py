"""Exercise 7.5: the 2 x 5 grid of run_experiment for sample_image.png, as ten arrays and as a picture."""

from autograder import in_worker
from autograder.figures import rendered


@in_worker
def grid(iter_maxpool, render: bool):
    """The provided helper's panels for the sample image (loaded by the framework, not the student),
    drawn with matplotlib's default style when ``render``."""
    import helper_maxpool
    import matplotlib.pyplot as plt
    import numpy as np
    import torch
    from PIL import Image

    gray = np.asarray(Image.open("sample_image.png").convert("L"), dtype=np.float32) / 255.0
    image = torch.from_numpy(gray)[None, None]
    panels = helper_maxpool.experiment_panels(image, iter_maxpool.maxpool_iter, iter_maxpool.gaussian_blur_iter,
                                              iter_maxpool.tensor_to_numpy_image)
    if not render:
        return panels
    with plt.style.context("default"):
        return rendered(helper_maxpool.draw_grid(panels))


PREFETCH = [(grid, (), {"render": False}), (grid, (), {"render": True})]  # started while earlier exercises run


def test_the_ten_panels_match_the_reference(student, reference):
    panels = student.run_once(grid, render=False)
    reference.arrays(panels, "grid_panels", what="run_experiment panel", atol=1e-5)


def test_the_rendered_grid_matches_the_reference_picture(student, reference):
    # What the grid shows (ten panels, their titles, pictures and grey scale) must equal the
    # reference's; the picture itself may differ in at most 3 % of its 8 px blocks. Measured
    # (python scripts/spread.py pictures): matplotlib 3.7.0 / Pillow 10.0.0 against the fixture (3.11.2 /
    # 13.0.0) 0.01 %; planted bugs: average pooling 11.6 %, blur without padding 3.4 %,
    # unnormalised kernel 40 % (the subtler ones, one iteration too many 0.07 %, are caught by the scene).
    reference.figure(student.run_once(grid, render=True), "grid", what="the 2 x 5 grid", max_changed_share=0.03)
