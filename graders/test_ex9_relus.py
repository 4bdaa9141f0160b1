"""Exercise 9.3: replace_relus puts a GuidedReLU in the place of every nn.ReLU, at any depth."""
import numpy as np
from ex9_shared import seeded_resnet50

from autograder import checks, in_worker


@in_worker
def replace_in_resnet50(guided_backprop):
    import torch
    from helper_guided import GuidedReLU

    model = seeded_resnet50()
    relus = [name for name, m in model.named_modules() if isinstance(m, torch.nn.ReLU)]
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        before = model(x)
    returned = guided_backprop.replace_relus(model)
    with torch.no_grad():
        after = model(x)
    return {
        "relus": relus,
        "left": [name for name, m in model.named_modules() if isinstance(m, torch.nn.ReLU)],
        "guided": [name for name, m in model.named_modules() if isinstance(m, GuidedReLU)],
        "same_object": returned is model,
        "before": before, "after": after,
    }




PREFETCH = [(replace_in_resnet50, (), {})]  # started while earlier exercises run


def test_no_nn_relu_is_left_at_any_depth(student):
    replaced = student.run_once(replace_in_resnet50)
    left = replaced["left"]
    if left:
        checks.fail(f"replace_relus left {len(left)} of {len(replaced['relus'])} nn.ReLU modules in ResNet-50, "
                    f"e.g. {left[0]!r}", hint="recurse into the children's children" if "relu" not in left else None)


def test_a_guided_relu_stands_in_every_place_of_a_relu(student):
    replaced = student.run_once(replace_in_resnet50)
    missing = sorted(set(replaced["relus"]) - set(replaced["guided"]))
    if missing:
        checks.fail(f"replace_relus put no helper_guided.GuidedReLU at {len(missing)} place(s), e.g. {missing[0]!r}")


def test_it_works_in_place_and_returns_the_same_module(student):
    replaced = student.run_once(replace_in_resnet50)
    if not replaced["same_object"]:
        checks.fail("replace_relus returned another module than it was given",
                    hint="change the module in place and return that same module")


def test_the_forward_output_is_unchanged(student):
    replaced = student.run_once(replace_in_resnet50)
    # Guided ReLUs change only the backward pass.
    checks.close(replaced["after"], np.asarray(replaced["before"]), "ResNet-50 output after replace_relus",
                 atol=1e-5, rtol=1e-5)
