"""Exercise 7.5: the 2 x 5 grid of run_experiment for sample_image.png, as ten arrays and as a picture."""

from autograder import in_worker


@in_worker
def grid(iter_maxpool, render: bool):
    """The provided helper's panels for the sample image (loaded by the framework, not the student),
    drawn with matplotlib's default style when ``render``."""
    import io

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
        fig = helper_maxpool.draw_grid(panels)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        plt.close(fig)
    return buffer.getvalue()


PREFETCH = [(grid, (), {"render": False}), (grid, (), {"render": True})]  # started while earlier exercises run


def test_the_ten_panels_match_the_reference(student, reference):
    panels = student.run_once(grid, render=False)
    reference.arrays(panels, "grid_panels", what="run_experiment panel", atol=1e-5)


def test_the_rendered_grid_matches_the_reference_picture(student, reference):
    # 0.1 % mean difference: float noise moves a few pixels by one grey level (measured 0.000 % for
    # correct variants); a wrong panel moves whole regions (measured >= 1 % for the planted bugs).
    reference.image(student.run_once(grid, render=True), "grid", what="the 2 x 5 grid", max_mean_difference=0.1)
