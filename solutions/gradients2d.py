"""Exercise 8: gradients of a 2-D classifier with respect to its input.

Fill in the parts marked ``# TODO``. Run ``python gradients2d.py`` to train the classifier and
draw p(y=1 | x), the decision boundary and the gradient field.
"""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from helper import make_toy_dataset, plot_data_boundary_and_gradients


class MLP2d(nn.Module):
    """A small classifier R^2 -> two class scores (logits)."""

    def __init__(self, hidden: int = 32):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, hidden), nn.Tanh(),
                                 nn.Linear(hidden, hidden), nn.Tanh(), nn.Linear(hidden, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Scores [N, 2] for inputs [N, 2]: ``self.net`` applied to ``x`` (no softmax here)."""
        # TODO: apply the network to x.
        # BEGIN SOLUTION
        return self.net(x)
        # END SOLUTION


def train_classifier(model, X, y, epochs: int = 100, lr: float = 0.01, batch_size: int = 64):
    """Train ``model`` on (X, y) with Adam and the cross-entropy loss, in mini-batches.

    Returns the trained model and its accuracy on (X, y) after training, a fraction in [0, 1].
    """
    # TODO: wrap (X, y) in a TensorDataset and a shuffling DataLoader; create torch.optim.Adam
    # (or SGD) and nn.CrossEntropyLoss; for every epoch and batch: zero the gradients, compute the
    # loss, backpropagate, step. Then compute the accuracy on all of X without gradients.
    # BEGIN SOLUTION
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(X).argmax(dim=1) == y).float().mean().item()
    return model, accuracy
    # END SOLUTION


def evaluate_on_grid(model, x_min, x_max, y_min, y_max, steps: int = 200):
    """p(y=1 | x) on a steps x steps grid: returns XX, YY and P, each [steps, steps], aligned.

    xs and ys hold ``steps`` equally spaced values from min to max, both ends included;
    P[i, j] = p(y=1 | (XX[i, j], YY[i, j])).
    """
    # TODO: (a) xs, ys with torch.linspace; (b) XX, YY = torch.meshgrid(...); (c) stack the grid
    # into [steps * steps, 2]; (d) scores -> softmax over the class dimension -> column 1;
    # (e) reshape to [steps, steps] so that P lines up with XX and YY.
    # BEGIN SOLUTION
    xs = torch.linspace(x_min, x_max, steps)
    ys = torch.linspace(y_min, y_max, steps)
    XX, YY = torch.meshgrid(xs, ys, indexing="xy")
    grid = torch.stack([XX.reshape(-1), YY.reshape(-1)], dim=1)
    with torch.no_grad():
        probs = torch.softmax(model(grid), dim=1)
    P = probs[:, 1].reshape(steps, steps)
    return XX, YY, P
    # END SOLUTION


def compute_input_gradients(model, x_min, x_max, y_min, y_max, steps: int = 25):
    """grad_x p(y=1 | x) on a steps x steps grid: returns XX, YY, GX, GY, each [steps, steps].

    The grid is built as in evaluate_on_grid; (GX[i, j], GY[i, j]) is the gradient of
    p(y=1 | x) with respect to x at (XX[i, j], YY[i, j]).
    """
    # TODO: build the grid as in evaluate_on_grid and call grid.requires_grad_(True); compute
    # p1 = p(y=1 | x) for every point; model.zero_grad(); p1.sum().backward(); the two columns
    # of grid.grad, reshaped to [steps, steps], are GX and GY.
    # BEGIN SOLUTION
    xs = torch.linspace(x_min, x_max, steps)
    ys = torch.linspace(y_min, y_max, steps)
    XX, YY = torch.meshgrid(xs, ys, indexing="xy")
    grid = torch.stack([XX.reshape(-1), YY.reshape(-1)], dim=1)
    grid.requires_grad_(True)
    p1 = torch.softmax(model(grid), dim=1)[:, 1]
    model.zero_grad()
    p1.sum().backward()
    grads = grid.grad
    return XX, YY, grads[:, 0].reshape(steps, steps), grads[:, 1].reshape(steps, steps)
    # END SOLUTION


if __name__ == "__main__":
    torch.manual_seed(0)
    X, y = make_toy_dataset()
    model, accuracy = train_classifier(MLP2d(), X, y)
    print(f"training accuracy: {accuracy:.3f}")
    bounds = (X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, X[:, 1].min() - 0.5, X[:, 1].max() + 0.5)
    bounds = tuple(float(b) for b in bounds)
    plot_data_boundary_and_gradients(X, y, evaluate_on_grid(model, *bounds),
                                     compute_input_gradients(model, *bounds), save_path="gradients2d.png")
    print("saved gradients2d.png")
