"""Provided code for exercise 9: the guided ReLU and the saliency plot. You do not need to edit it."""
import matplotlib

matplotlib.use("Agg")  # draw to files; works without a screen
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class GuidedReLUFunction(torch.autograd.Function):
    """ReLU forward; backward lets a gradient through only where it is positive AND the forward
    input was positive (Springenberg et al., "Striving for simplicity", 2014)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output.clamp(min=0) * (x > 0).to(grad_output.dtype)


class GuidedReLU(nn.Module):
    """Drop-in replacement for nn.ReLU whose backward pass is the guided one."""

    def __init__(self, inplace: bool = False):
        super().__init__()  # ``inplace`` is accepted for nn.ReLU's signature and ignored

    def forward(self, x):
        return GuidedReLUFunction.apply(x)


def to_display(gradient):
    """A [1, 3, H, W] gradient as an [H, W, 3] picture in [0, 1]: 0.5 is zero, and the largest
    absolute value of the gradient reaches 0 or 1."""
    g = gradient.detach()[0].permute(1, 2, 0)
    scale = g.abs().max()
    return (0.5 + 0.5 * g / scale if scale > 0 else torch.full_like(g, 0.5)).cpu().numpy()


def image_for_display(x):
    """Undo the ImageNet normalisation of a [1, 3, H, W] tensor: an [H, W, 3] picture in [0, 1]."""
    mean = torch.tensor(IMAGENET_MEAN).view(3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(3, 1, 1)
    return (x.detach()[0] * std + mean).clamp(0, 1).permute(1, 2, 0).cpu().numpy()


def plot_saliency(x, gradient, title="guided backpropagation", save_path=None):
    """The preprocessed image ``x`` beside its guided gradient. Returns the matplotlib figure."""
    fig, axes = plt.subplots(1, 2, figsize=(8.0, 4.3), dpi=100)
    axes[0].imshow(image_for_display(x))
    axes[0].set_title("input (224 x 224)")
    axes[1].imshow(to_display(gradient))
    axes[1].set_title(title)
    for ax in axes:
        ax.axis("off")
    fig.tight_layout()
    if save_path is not None:
        fig.savefig(save_path)
    return fig
