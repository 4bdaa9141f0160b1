"""Shared by the exercise-8 graders: the fixed trained model, and grid alignment checks."""
import numpy as np

from autograder import checks, in_worker

# Non-square bounds, different step counts; both meshgrid indexings are accepted.
GRIDS = {
    "wide": ((-1.5, 2.5, -1.0, 1.5), 9),
    "tall": ((-0.5, 0.5, -2.0, 2.0), 7),
    "fine": ((-2.0, 3.0, -1.5, 2.0), 31),
}


@in_worker
def train_reference_model(gradients2d):
    """The reference's trained classifier (run only when regenerating, on the solutions)."""
    import helper
    import torch

    torch.manual_seed(0)
    X, y = helper.make_toy_dataset()
    model, _ = gradients2d.train_classifier(gradients2d.MLP2d(), X, y)
    return {name: value for name, value in model.state_dict().items()}


def fixed_model_weights(student, reference_inputs) -> dict:
    """Weights of a trained classifier, stored with the reference data: gradings of
    evaluate_on_grid and compute_input_gradients never depend on the student's training."""
    return reference_inputs.get("trained_mlp", lambda: student.run(train_reference_model))


def load_fixed_model(gradients2d, weights):
    """The student's MLP2d with the fixed weights (call inside the worker)."""
    import torch

    model = gradients2d.MLP2d(hidden=weights["net.0.weight"].shape[0])
    model.load_state_dict({name: torch.as_tensor(value) for name, value in weights.items()})
    return model.eval()


def aligned(result, names: tuple[str, ...], bounds, steps: int, what: str) -> list[np.ndarray]:
    """Check that ``result`` is (XX, YY, *rest) over the stated grid and return ``rest`` in "xy"
    layout (row i <-> ys[i], column j <-> xs[j]), whatever meshgrid indexing the student chose."""
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        checks.fail(f"{what} should return the tuple ({', '.join(names)}), got {checks.describe(result)}")
    # The API fixes shapes, not precision: a numpy grid in float64 is as right as float32 tensors.
    arrays = [checks.array(a, f"{what}: {n}", shape=(steps, steps), dtype="floating") for a, n in zip(result, names)]
    XX, YY, rest = arrays[0], arrays[1], arrays[2:]
    xs, ys = np.linspace(bounds[0], bounds[1], steps), np.linspace(bounds[2], bounds[3], steps)
    near = lambda a, b: np.allclose(a, b, atol=1e-5)  # noqa: E731 - float32 linspace against float64
    if near(XX, xs[None, :]) and near(YY, ys[:, None]):
        return rest
    if near(XX, xs[:, None]) and near(YY, ys[None, :]):
        return [a.T for a in rest]
    # Which of the two is off, against the layout its other coordinate shows (a mistake is named from it).
    xy = bool(np.ptp(np.asarray(XX, dtype=np.float64)[0]) >= np.ptp(np.asarray(XX, dtype=np.float64)[:, 0]))
    grid = {"XX": np.broadcast_to(xs[None, :] if xy else xs[:, None], XX.shape),
            "YY": np.broadcast_to(ys[:, None] if xy else ys[None, :], YY.shape)}
    name, value = ("XX", XX) if not near(XX, grid["XX"]) else ("YY", YY)
    checks.fail(f"{what}: XX, YY are not the meshgrid of {steps} equally spaced values from min to max "
                f"(x in [{bounds[0]}, {bounds[1]}], y in [{bounds[2]}, {bounds[3]}]); {name} differs",
                value, expected=np.array(grid[name]), atol=1e-5)
