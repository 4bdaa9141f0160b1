"""The exercise-9 reference agrees with captum's GuidedBackprop and with the weights' own transforms."""
import copy
import pytest
from conftest import ROOT, load_solution

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")
captum_attr = pytest.importorskip("captum.attr")


@pytest.fixture(scope="module")
def solution():
    return load_solution("guided_backprop")


@pytest.fixture(scope="module")
def resnet50():
    torch.manual_seed(0)
    return torchvision.models.resnet50(weights=None).eval()


@pytest.mark.parametrize("target", [243, 7])
def test_guided_gradients_agree_with_captum(solution, resnet50, target):
    x = torch.randn(1, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    ours = solution.guided_backprop(solution.replace_relus(copy.deepcopy(resnet50)), x, target)
    theirs = captum_attr.GuidedBackprop(copy.deepcopy(resnet50)).attribute(x.clone(), target=target)
    scale = theirs.abs().max()
    assert scale > 0
    torch.testing.assert_close(ours / scale, theirs / scale, atol=1e-5, rtol=1e-4)


def test_plain_gradients_differ_from_guided_ones(solution, resnet50):
    """Guarding the oracle comparison above: guided and plain gradients are far apart here."""
    x = torch.randn(1, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    guided = solution.guided_backprop(solution.replace_relus(copy.deepcopy(resnet50)), x, 243)
    plain = solution.guided_backprop(copy.deepcopy(resnet50), x, 243)
    assert (guided - plain).abs().max() > 0.1 * guided.abs().max()


def test_every_relu_is_replaced(solution):
    model = solution.replace_relus(torchvision.models.resnet50(weights=None))
    assert not [m for m in model.modules() if isinstance(m, torch.nn.ReLU)]
    assert sum(type(m).__name__ == "GuidedReLU" for m in model.modules()) == 17  # stem + 16 bottlenecks


def test_preprocessing_equals_the_weights_own_transforms(solution):
    from PIL import Image

    path = ROOT / "skeletons" / "exercise_image.png"
    transforms = torchvision.models.ResNet50_Weights.IMAGENET1K_V1.transforms()
    expected = transforms(Image.open(path).convert("RGB")).unsqueeze(0)
    torch.testing.assert_close(solution.preprocess_image(path), expected, atol=1e-6, rtol=0)
