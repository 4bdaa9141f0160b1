"""Exercise 9.1: load_model builds torchvision's ResNet-50 with the IMAGENET1K_V1 weights, in eval mode.

Offline: the worker intercepts torchvision's download and serves seeded weights, recording which
weights were asked for. The pretrained weights themselves are checked in test_ex9_pretrained.py.
"""
from ex9_shared import stand_in_weights

from autograder import checks, in_worker


@in_worker
def load_with_intercepted_download(guided_backprop):
    import torch
    import torchvision

    served = stand_in_weights()  # no seed can rebuild these: see the bug "weights forgotten"
    requested = []

    def fake_download(url, *args, **kwargs):
        requested.append(url)
        return dict(served)

    originals = (torchvision.models._api.load_state_dict_from_url, torch.hub.load_state_dict_from_url)
    torchvision.models._api.load_state_dict_from_url = torch.hub.load_state_dict_from_url = fake_download
    try:
        model = guided_backprop.load_model()
    finally:
        torchvision.models._api.load_state_dict_from_url, torch.hub.load_state_dict_from_url = originals
    if not isinstance(model, torch.nn.Module):
        return {"model": model}
    state = model.state_dict()
    return {
        "requested": requested,
        "expected_url": torchvision.models.ResNet50_Weights.IMAGENET1K_V1.url,
        "type": type(model).__name__,
        "training": [name for name, m in model.named_modules() if m.training],
        "loaded": all(k in state and torch.equal(state[k], v) for k, v in served.items()),
    }


PREFETCH = [(load_with_intercepted_download, (), {})]  # started while earlier exercises run


def load(student):
    """One intercepted load_model call, shared by the tests below."""
    out = student.run_once(load_with_intercepted_download)
    if "model" in out:
        checks.fail(f"load_model should return an nn.Module, got {checks.describe(out['model'])}")
    return out


def test_it_asks_torchvision_for_the_imagenet1k_v1_weights(student):
    loaded = load(student)
    if loaded["requested"] != [loaded["expected_url"]]:
        asked = loaded["requested"][0].rsplit("/", 1)[-1] if loaded["requested"] else "no weights"
        checks.fail(f"load_model asked for {asked}; it should load ResNet50_Weights.IMAGENET1K_V1 "
                    f"({loaded['expected_url'].rsplit('/', 1)[-1]})")


def test_it_returns_a_resnet50_holding_those_weights(student):
    loaded = load(student)
    if loaded["type"] != "ResNet" or not loaded["loaded"]:
        checks.fail(f"load_model returned a {loaded['type']} without the requested weights loaded",
                    hint="use torchvision.models.resnet50(weights=...)")


def test_it_returns_the_model_in_eval_mode(student):
    loaded = load(student)
    if loaded["training"]:
        checks.fail(f"load_model returned a model in training mode ({loaded['training'][0] or 'the model'})",
                    hint="call .eval() so that batch norm uses its running statistics")
