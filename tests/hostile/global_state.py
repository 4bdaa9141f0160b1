import numpy as _np
import torch as _torch

_torch.set_default_dtype(_torch.float64)
_torch.set_grad_enabled(False)
_torch.manual_seed(12345)
_np.random.seed(54321)

{solution}
