"""Exercise 8.2(b): train_classifier trains clearly better than chance and reports its accuracy."""
from autograder import checks, in_worker


@in_worker
def train_on_the_toy_set(gradients2d):
    import helper
    import torch

    X, y = helper.make_toy_dataset()
    model = gradients2d.MLP2d()
    initial = [p.detach().clone() for p in model.parameters()]
    result = gradients2d.train_classifier(model, X, y)
    if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], torch.nn.Module)):
        return {"result": result}
    trained, reported = result
    with torch.no_grad():
        real = (trained(X).argmax(dim=1) == y).float().mean().item()
    moved = [float((p.detach() - p0).abs().max()) for p, p0 in zip(model.parameters(), initial)]
    return {"reported": reported, "real": real, "n": len(y), "moved": moved}


PREFETCH = [(train_on_the_toy_set, (), {})]  # started while earlier exercises run


def trained(student):
    """One training run, shared by the tests below."""
    outcome = student.run_once(train_on_the_toy_set)
    if "result" in outcome:
        checks.fail(f"train_classifier should return (model, accuracy), got {checks.describe(outcome['result'])}")
    return outcome


def test_training_reaches_clearly_better_than_chance(student):
    training = trained(student)
    # Chance is 50 %; the reference reaches 97.5 % and 85 % leaves room for any sound training loop.
    if training["real"] < 0.85:
        checks.fail(f"after train_classifier the model classifies {100 * training['real']:.1f} % of the "
                    f"training points correctly; it should reach at least 85 %")


def test_training_updates_every_layer_of_the_model_it_was_given(student):
    training = trained(student)
    if max(training["moved"]) == 0.0:
        checks.fail("train_classifier left the model's parameters unchanged", hint="the loop never calls "
                                                                                    "optimizer.step()")
    if min(training["moved"]) == 0.0:
        checks.fail("train_classifier left some of the model's parameters unchanged",
                    hint="give the optimizer all of model.parameters()")


def test_the_reported_accuracy_is_the_models_accuracy_as_a_fraction(student):
    training = trained(student)
    reported = checks.number(training["reported"], "the accuracy returned by train_classifier")
    if abs(reported - 100 * training["real"]) < 0.5 and training["real"] > 0.01:
        checks.fail(f"train_classifier reported {reported:g}", hint="a percentage: report a fraction in [0, 1]")
    if abs(reported - training["real"] * training["n"]) < 0.5 and training["real"] > 0.01:
        checks.fail(f"train_classifier reported {reported:g}", hint="the number of points classified correctly: "
                                                                    "report the fraction (divide by the number of points)")
    if abs(reported - training["real"]) > 0.5 / training["n"]:
        checks.fail(f"train_classifier reported accuracy {reported:.4f}, but the returned model's accuracy "
                    f"on (X, y) is {training['real']:.4f}")
