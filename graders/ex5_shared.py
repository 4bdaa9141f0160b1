"""Shared by the Transformer graders (exercises 5 and 2): weights, inputs, masks."""
import numpy as np

from autograder import in_worker

SIZES = [(16, 4, 40), (24, 3, 64), (32, 1, 48), (32, 8, 64)]  # (d_model, n_heads, d_ff)
B, T = 2, 6


@in_worker
def parameter_shapes(transformer_layer, d, h, ff):
    """The shapes of the parameters of the (reference's) layer, by name, in its order: stored with
    the reference data (fixtures/ex5/parameters_d<d>_ff<ff>.npz) when it is regenerated."""
    layer = transformer_layer.TransformerLayer(d, h, ff)
    return {name: list(p.shape) for name, p in layer.state_dict().items()}


def parameters(student, reference_inputs, d: int, h: int, ff: int) -> dict[str, tuple]:
    """The corrected layer's parameters, by the attribute names the API fixes: their shapes."""
    stored = reference_inputs.get(f"parameters_d{d}_ff{ff}", lambda: student.run(parameter_shapes, d, h, ff))
    return {name: tuple(int(n) for n in shape) for name, shape in stored.items()}


def weights(shapes: dict[str, tuple], seed: int = 0) -> dict[str, np.ndarray]:
    """Seeded random weights for parameters of these shapes (in their order)."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, shape in shapes.items():
        scale = 1.0 / np.sqrt(shape[-1])
        value = rng.normal(0.0, scale if name.endswith("weight") and len(shape) == 2 else 0.1, size=shape)
        out[name] = (value + (1.0 if name.startswith("ln") and name.endswith("weight") else 0.0)).astype(np.float32)
    return out


def inputs(d: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(100 + seed).normal(size=(B, T, d)).astype(np.float32)


MASKS = {
    "no mask": None,
    "causal mask": np.tril(np.ones((T, T), dtype=bool)),  # bool [T, T], True = may attend
    "key-padding mask": np.array([[1.0] * T, [1.0] * (T - 2) + [0.0] * 2], dtype=np.float32)[:, None, None, :],
}


@in_worker
def layer_output(transformer_layer, d, h, ff, state, x, mask):
    """Build the student's layer; if its parameters are the API's, load ``state`` and run it."""
    import torch

    layer = transformer_layer.TransformerLayer(d, h, ff)
    shapes = {name: list(p.shape) for name, p in layer.state_dict().items()}
    if set(shapes) != set(state) or any(shapes[k] != list(v.shape) for k, v in state.items()):
        return {"shapes": shapes}
    layer.load_state_dict({k: torch.as_tensor(v) for k, v in state.items()})
    layer.eval()
    with torch.no_grad():
        return {"out": layer(x) if mask is None else layer(x, mask)}
