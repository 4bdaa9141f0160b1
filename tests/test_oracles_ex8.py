"""The exercise-8 reference agrees with torch.func's Jacobian of p(y=1 | x), computed point by point."""
import numpy as np
import pytest
from conftest import ROOT, load_solution

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def solution():
    return load_solution("gradients2d")


@pytest.fixture(scope="module")
def model(solution):
    weights = np.load(ROOT / "fixtures" / "ex8" / "trained_mlp.npz")
    model = solution.MLP2d()
    model.load_state_dict({k: torch.as_tensor(weights[k]) for k in weights.files})
    return model.eval()


def test_gradients_equal_the_jacobian_of_the_class_1_probability(solution, model):
    XX, YY, GX, GY = solution.compute_input_gradients(model, -2.0, 3.0, -1.5, 2.0, steps=13)
    p1 = lambda x: torch.softmax(model(x[None]), dim=1)[0, 1]  # noqa: E731 - one point at a time
    points = torch.stack([XX.reshape(-1), YY.reshape(-1)], dim=1).detach()
    jacobian = torch.vmap(torch.func.grad(p1))(points)
    torch.testing.assert_close(GX.reshape(-1), jacobian[:, 0], atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(GY.reshape(-1), jacobian[:, 1], atol=1e-6, rtol=1e-5)


def test_gradients_equal_float64_central_finite_differences(solution, model):
    """The oracle the graders used to run next to the student's code, now here: what the reference
    stores is the derivative of p(y=1 | x), to float64 central differences (h = 1e-5)."""
    XX, YY, GX, GY = solution.compute_input_gradients(model, -1.5, 2.5, -1.0, 1.5, steps=9)
    net = model.net.double()
    p1 = lambda x: torch.softmax(net(x), dim=1)[:, 1]  # noqa: E731
    points = torch.stack([XX.reshape(-1), YY.reshape(-1)], dim=1).double()
    h = 1e-5
    with torch.no_grad():
        fd = [(p1(points + h * e) - p1(points - h * e)) / (2 * h) for e in torch.eye(2, dtype=torch.float64)]
    # float32 autograd against float64 differences: measured <= 3e-6.
    torch.testing.assert_close(GX.reshape(-1).double(), fd[0], atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(GY.reshape(-1).double(), fd[1], atol=1e-5, rtol=1e-4)
    model.net.float()


def test_probabilities_are_the_softmax_of_the_scores_at_each_grid_point(solution, model):
    XX, YY, P = solution.evaluate_on_grid(model, -1.0, 2.0, -0.5, 0.5, steps=5)
    for i, j in [(0, 0), (1, 3), (4, 2)]:
        x = torch.tensor([[XX[i, j], YY[i, j]]])
        expected = torch.exp(model(x)[0, 1]) / torch.exp(model(x)[0]).sum()
        assert abs(float(P[i, j]) - float(expected)) < 1e-6


def test_the_toy_set_is_not_linearly_separable_but_the_reference_learns_it(solution):
    from helper import make_toy_dataset

    X, y = make_toy_dataset()
    assert X.dtype == torch.float32 and X.shape == (400, 2) and y.dtype == torch.int64
    torch.manual_seed(0)
    linear, linear_accuracy = solution.train_classifier(torch.nn.Linear(2, 2), X, y)
    torch.manual_seed(0)
    _, accuracy = solution.train_classifier(solution.MLP2d(), X, y)
    assert linear_accuracy < 0.9 < accuracy
