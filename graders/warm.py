"""Problem set 5's warm-up (problemset.toml: warm_up), run once by the forkserver after its
libraries: the lazy start-up work of torch and matplotlib done there, so every worker forked from
it shares it instead of paying (and copying) it."""
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def _warm() -> None:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # no thread pool is started before a fork
    try:
        x = torch.rand(1, 3, 20, 20, requires_grad=True)
        y = F.max_pool2d(F.relu(F.conv2d(x, torch.rand(4, 3, 3, 3), padding=1)), 3, 1, 1)
        y = F.linear(y.flatten(1), torch.rand(2, y[0].numel())).softmax(1)
        torch.autograd.grad(y[0, 0], x)
        fig, (a, b) = plt.subplots(1, 2, figsize=(2, 1), dpi=50)
        a.imshow(np.eye(3), cmap="gray")
        a.set_title("warm 1")
        b.quiver([0, 1], [0, 1], [1, 1], [1, 0])
        b.scatter([0, 1], [0, 1], c=[0, 1])
        fig.colorbar(a.images[0], ax=a)
        fig.tight_layout()
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)
    finally:
        torch.set_num_threads(threads)


_warm()
