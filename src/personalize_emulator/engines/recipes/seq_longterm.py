"""The long-term half of the hierarchical model: implicit-feedback ALS, in torch.

The sequence network models "what comes next"; this factor model captures a user's overall taste
from the whole history (Hu, Koren & Volinsky 2008: confidence ``1 + alpha`` on observed pairs,
squared loss over all pairs). The baselines study (``shared/baselines/SEQUENTIAL.md``) found that a
z-score blend of the two clears 1.10x the best open-source baseline where either alone does not.

Each half-step solves every user's (item's) normal equations with a few conjugate-gradient steps
vectorised over all users at once (``index_add_`` over the interaction list), warm-started from the
previous iterate, as implicit's ``AlternatingLeastSquares`` does. Users unseen at training time (or
known users with fresh session events) are folded in with one exact ``f x f`` solve.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


@dataclass
class ALSConfig:
    factors: int = 64
    alpha: float = 1.0
    regularization: float = 1.0
    iterations: int = 10
    cg_steps: int = 3


DENSE_LIMIT = 40_000_000  # users x items above which the sparse (gather) path is used


def _half_step(fixed: torch.Tensor, solve: torch.Tensor, apply_r, apply_rt,
               cfg: ALSConfig, should_stop) -> None:
    """Update ``solve`` (n x f) in place given ``fixed`` (m x f).

    ``apply_r(p)`` must return ``R ⊙ (p @ fixed.T)`` reduced back as ``(...) @ fixed`` -- i.e.
    the sum over each row's observed columns of ``fixed[j] (fixed[j]·p)`` -- and ``apply_rt()``
    the sum of ``fixed[j]`` over each row's observed columns.
    """
    f = fixed.shape[1]
    gram = fixed.T @ fixed + cfg.regularization * torch.eye(f, dtype=fixed.dtype)

    def apply(p: torch.Tensor) -> torch.Tensor:
        return p @ gram + cfg.alpha * apply_r(p)

    b = (1.0 + cfg.alpha) * apply_rt()
    x = solve
    r = b - apply(x)
    p = r.clone()
    rs = (r * r).sum(1, keepdim=True)
    for _ in range(cfg.cg_steps):
        if should_stop():
            break
        ap = apply(p)
        denom = (p * ap).sum(1, keepdim=True)
        a = rs / torch.where(denom > 1e-20, denom, torch.ones_like(denom))
        x += a * p
        r -= a * ap
        rs_new = (r * r).sum(1, keepdim=True)
        p = r + (rs_new / torch.where(rs > 1e-20, rs, torch.ones_like(rs))) * p
        rs = rs_new


def _operators(rows: torch.Tensor, cols: torch.Tensor, n_rows: int, n_cols: int, fixed_ref):
    """(apply_r, apply_rt) for one side; ``fixed_ref()`` returns the current fixed factors."""
    if n_rows * n_cols <= DENSE_LIMIT:
        dense = torch.zeros(n_rows, n_cols, dtype=torch.float32)
        dense[rows, cols] = 1.0

        def apply_r(p):
            y = fixed_ref()
            return (dense * (p @ y.T)) @ y

        def apply_rt():
            return dense @ fixed_ref()
        return apply_r, apply_rt

    def apply_r_sparse(p):
        yc = fixed_ref()[cols]
        t = (yc * p[rows]).sum(1, keepdim=True)
        return torch.zeros_like(p).index_add_(0, rows, yc * t)

    def apply_rt_sparse():
        y = fixed_ref()
        return torch.zeros(n_rows, y.shape[1], dtype=y.dtype).index_add_(0, rows, y[cols])
    return apply_r_sparse, apply_rt_sparse


def fit_als(user_rows: np.ndarray, item_cols: np.ndarray, n_users: int, n_items: int,
            cfg: ALSConfig, seed: int, should_stop=lambda: False) -> tuple[np.ndarray, np.ndarray]:
    """Factor a binary user x item matrix given as unique (user, item) pairs."""
    gen = torch.Generator().manual_seed(seed)
    factors = {"u": torch.rand(n_users, cfg.factors, generator=gen) * 0.01,
               "i": torch.rand(n_items, cfg.factors, generator=gen) * 0.01}
    rows = torch.as_tensor(np.array(user_rows, np.int64))
    cols = torch.as_tensor(np.array(item_cols, np.int64))
    user_ops = _operators(rows, cols, n_users, n_items, lambda: factors["i"])
    item_ops = _operators(cols, rows, n_items, n_users, lambda: factors["u"])
    for _ in range(cfg.iterations):
        if should_stop():
            break
        _half_step(factors["i"], factors["u"], *user_ops, cfg, should_stop)
        _half_step(factors["u"], factors["i"], *item_ops, cfg, should_stop)
    return factors["u"].numpy().copy(), factors["i"].numpy().copy()


def fold_in(item_factors: np.ndarray, items: np.ndarray, cfg_alpha: float,
            cfg_reg: float, gram: np.ndarray | None = None) -> np.ndarray:
    """Exact least-squares user vector for a set of item indices (rows of ``item_factors``)."""
    f = item_factors.shape[1]
    if gram is None:
        gram = item_factors.T @ item_factors
    if len(items) == 0:
        return np.zeros(f, np.float32)
    y = item_factors[items].astype(np.float64)
    a = gram + cfg_reg * np.eye(f) + cfg_alpha * (y.T @ y)
    b = (1.0 + cfg_alpha) * y.sum(0)
    return np.linalg.solve(a, b).astype(np.float32)
