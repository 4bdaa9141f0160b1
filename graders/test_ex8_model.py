"""Exercise 8.2(a): MLP2d.forward applies self.net and returns the scores."""
import numpy as np

from autograder import checks, in_worker, tensor


@in_worker
def forward_and_net(gradients2d, hidden, x):
    import torch

    model = gradients2d.MLP2d(hidden)
    with torch.no_grad():
        return model(x), model.net(x)


def test_forward_returns_the_scores_of_the_network(student):
    x = np.random.default_rng(0).normal(size=(17, 2)).astype(np.float32)
    scores, net = student.run(forward_and_net, 8, tensor(x))
    checks.close(scores, net, "MLP2d(hidden=8).forward(x [17, 2])", atol=1e-6, hints=[
        (lambda o, ref: np.allclose(o.sum(axis=1), 1, atol=1e-5),
         "forward returns probabilities: return the scores; the softmax belongs in the loss"),
    ])
