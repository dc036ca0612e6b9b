"""Adam, written out for the torch recipes.

``torch.optim``'s first use in a process imports ``torch._dynamo`` (about 2 s, ~1,500 modules
including sympy; much more on a busy machine), which is most of a small fit. This is the same
update without weight decay.
"""

from __future__ import annotations

import torch


class Adam:
    """Adam without weight decay, written out: ``torch.optim``'s first use imports
    ``torch._dynamo``, which costs about 2 s per process (much more on a busy machine)."""

    def __init__(self, params, lr: float, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8):
        self.params = [p for p in params if p.requires_grad]
        self.lr, self.betas, self.eps, self.t = lr, betas, eps, 0
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        step = self.lr / (1 - b1 ** self.t)
        c2 = (1 - b2 ** self.t) ** 0.5
        for p, m, v in zip(self.params, self.m, self.v, strict=True):
            if p.grad is None:
                continue
            m.mul_(b1).add_(p.grad, alpha=1 - b1)
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            p.addcdiv_(m, v.sqrt().div_(c2).add_(self.eps), value=-step)
