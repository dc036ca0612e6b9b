"""Training loop for the sequence networks: windows, full-softmax loss, a decaying learning rate,
held-out model selection.

Each user's history is cut into windows of ``window`` next-item predictions counted back from the
latest event (so every event is predicted once, and the most recent context is always a full
window). Windows are bucketed by length into batches, whose order is shuffled every epoch by a
seeded generator. The loss is cross-entropy over the warm catalogue at every position, optionally
weighted towards recent events (``recency_mask`` / ``apply_recency_bias``) and, under
``eventsConfig``, by the predicted event's type weight (``Prepared.weights``, mean 1); a batch's
loss is divided by its weights before the event weights, so a batch of heavy events moves the
model more than a batch of light ones. Above
:data:`SAMPLED_ABOVE` warm items the full softmax is most of an epoch's cost, so it is replaced by
a sampled softmax: each batch shares :data:`N_SAMPLED` negatives drawn by popularity^0.75, every
logit is corrected by ``-log(N·q)`` (Jean et al. 2015) and a negative equal to the position's
target is masked out.

Each batch runs as fixed slices whose gradients are summed (``seq_threads``: two cores, same
bits on any machine). With ``TrainConfig.decay`` the learning rate falls linearly to 0 over the
epoch budget. Model selection follows the service's own offline protocol in miniature: a seeded
10% of users (at most 500) have their latest 10% of events held out of training, the held-out
NDCG@10 over unseen items is measured after each epoch, and the best epoch's weights are kept
(``patience`` epochs without improvement end training early). The same held-out users choose
the weight of the long-term (ALS) part of the blend. Under ``eventsConfig`` a held-out item's
gain is its event weight, as in the metric the solution reports, so the choices favour the
event types the solution weights.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import torch
import torch.nn.functional as F

from ..base import TrainingStopped
from .optim import Adam
from .seq_data import Prepared
from .seq_layers import dropout_stream
from .seq_threads import ShardRunner, split

PAD_TARGET = -100
SAMPLED_ABOVE = 2048  # warm items above which training uses a sampled softmax
N_SAMPLED = 512


@dataclass
class TrainConfig:
    window: int
    batch_size: int
    max_epochs: int
    lr: float = 3e-3
    recency: bool = True
    patience: int = 2
    validate: bool = True
    #: decay the learning rate linearly to 0 over ``max_epochs`` (a fixed training budget)
    decay: bool = False


@dataclass
class Holdout:
    users: np.ndarray  # user indices
    n_hold: np.ndarray  # events held out per user
    #: held-out item indices per user, or item index -> gain under eventsConfig
    truth: list[set[int]] | list[dict[int, float]] = field(default_factory=list)

    def hold_of(self) -> dict[int, int]:
        return {int(u): int(h) for u, h in zip(self.users, self.n_hold, strict=True)}


def choose_holdout(prep: Prepared, rng: np.random.Generator, min_users: int = 50) -> Holdout | None:
    lengths = np.array([len(s) for s in prep.sequences])
    cand = np.flatnonzero(lengths >= 3)
    if len(cand) < min_users:
        return None
    n = min(500, max(1, int(round(0.1 * len(cand)))))
    users = np.sort(rng.choice(cand, size=n, replace=False))
    n_hold = np.maximum(1, np.floor(0.1 * lengths[users] + 0.5).astype(int))
    truth: list = [set(prep.sequences[u][-h:].tolist()) for u, h in zip(users, n_hold, strict=True)]
    if prep.weights is not None:
        truth = [{} for _ in users]
        for row, (u, h) in enumerate(zip(users, n_hold, strict=True)):
            for item, w in zip(prep.sequences[u][-h:].tolist(), prep.weights[u][-h:], strict=True):
                truth[row][item] = max(truth[row].get(item, 0.0), float(w))
    return Holdout(users, n_hold, truth)


class Windows:
    """All training windows as padded arrays, sorted by length."""

    def __init__(self, prep: Prepared, spans: list[tuple[int, int]], window: int,
                 hold: dict[int, int], recency: bool):
        rows: list[tuple[int, int, int]] = []
        for u, start in spans:
            end = len(prep.sequences[u]) - hold.get(u, 0)
            e = end
            while e - start >= 2:
                s = max(start, e - window - 1)
                rows.append((u, s, e))
                e = s + 1
        rows.sort(key=lambda r: r[2] - r[1])
        n = len(rows)
        self.n = n
        self.items = np.zeros((n, window), np.int64)
        self.targets = np.full((n, window), PAD_TARGET, np.int64)
        self.weights = np.zeros((n, window), np.float32)
        #: a batch's loss is divided by the sum of these: the weights without eventsConfig's
        self.scale = self.weights if prep.weights is None else np.zeros((n, window), np.float32)
        self.users = np.zeros(n, np.int64)
        self.lengths = np.zeros(n, np.int64)
        n_ctx = len(prep.context_columns)
        self.ctx_in = np.zeros((n, window, n_ctx), np.int64) if n_ctx else None
        self.ctx_next = np.zeros((n, window, n_ctx), np.int64) if n_ctx else None
        if recency:
            all_t = np.concatenate([t for t in prep.times if len(t)])
            lo, hi = float(all_t.min()), float(all_t.max())
            span = hi - lo if hi > lo else 1.0
        for k, (u, s, e) in enumerate(rows):
            seq = prep.sequences[u]
            m = e - s - 1
            self.items[k, :m] = seq[s:e - 1]
            self.targets[k, :m] = seq[s + 1:e] - 1  # class index over warm items
            self.scale[k, :m] = 1.0 if not recency else \
                0.75 + 0.25 * (prep.times[u][s + 1:e] - lo) / span
            if prep.weights is not None:
                self.weights[k, :m] = self.scale[k, :m] * prep.weights[u][s + 1:e]
            self.users[k] = u
            self.lengths[k] = m
            if self.ctx_in is not None:
                self.ctx_in[k, :m] = prep.contexts[u][s:e - 1]
                self.ctx_next[k, :m] = prep.contexts[u][s + 1:e]

    def batches(self, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
        chunks = [np.arange(i, min(i + batch_size, self.n)) for i in range(0, self.n, batch_size)]
        order = rng.permutation(len(chunks))
        return [chunks[i] for i in order]


def _tensor(a: np.ndarray | None, idx: np.ndarray, width: int, device) -> torch.Tensor | None:
    if a is None:
        return None
    return torch.as_tensor(a[idx, :width], device=device)


def last_hidden(net, seqs: list[np.ndarray], users: np.ndarray, window: int, device,
                ctxs: list[np.ndarray] | None = None, ctx_next: np.ndarray | None = None
                ) -> torch.Tensor:
    """Hidden state after each sequence's last item (right padding, gathered at the end)."""
    width = max(1, max(min(len(s), window) for s in seqs))
    items = np.zeros((len(seqs), width), np.int64)
    lens = np.zeros(len(seqs), np.int64)
    c_in = c_next = None
    if ctxs is not None:
        n_ctx = ctxs[0].shape[1] if len(ctxs) and ctxs[0].ndim == 2 else 0
        c_in = np.zeros((len(seqs), width, n_ctx), np.int64)
        c_next = np.zeros((len(seqs), width, n_ctx), np.int64)
    for k, s in enumerate(seqs):
        tail = s[-window:]
        items[k, :len(tail)] = tail
        lens[k] = max(1, len(tail))
        if c_in is not None:
            tc = ctxs[k][-window:]
            c_in[k, :len(tc)] = tc
            if ctx_next is not None:
                c_next[k, lens[k] - 1] = ctx_next[k]
    h = net.encode(torch.as_tensor(items, device=device),
                   None if c_in is None else torch.as_tensor(c_in, device=device),
                   None if c_next is None else torch.as_tensor(c_next, device=device),
                   torch.as_tensor(users, device=device))
    return h[torch.arange(len(seqs), device=device), torch.as_tensor(lens - 1, device=device)]


def ndcg_rows(scores: np.ndarray, truth: list[set[int]] | list[dict[int, float]]) -> np.ndarray:
    """NDCG@10 of each score row (item index columns, -inf = excluded): binary for a set of
    relevant items, with each item's gain for a dict (eventsConfig)."""
    n = len(truth)
    if n == 0:
        return np.zeros(0)
    disc = 1.0 / np.log2(np.arange(2, 12))
    k = min(10, scores.shape[1])
    # the top k of a stable sort, without sorting whole rows: everything above the k-th value,
    # then the lowest-indexed items equal to it
    kth = -np.partition(-scores, k - 1, axis=1)[:, k - 1:k]
    above = scores > kth
    equal = scores == kth
    chosen = above | (equal & (np.cumsum(equal, 1) <= k - above.sum(1, keepdims=True)))
    part = np.nonzero(chosen)[1].reshape(n, k)
    top = np.take_along_axis(part, np.argsort(-np.take_along_axis(scores, part, 1), 1,
                                              kind="stable"), 1)
    relevant = np.zeros(scores.shape)
    ideal = np.zeros(n)
    for row, rel in enumerate(truth):
        gains = rel if isinstance(rel, dict) else dict.fromkeys(rel, 1.0)
        cols = [i for i in gains if 0 <= i < scores.shape[1]]
        relevant[row, cols] = [gains[i] for i in cols]
        best = np.sort(np.fromiter(gains.values(), float, len(gains)))[::-1][:10]
        ideal[row] = (best * disc[:len(best)]).sum()
    hits = np.take_along_axis(relevant, top, 1)
    dcg = (hits * disc[:k]).sum(1)
    return np.where(ideal > 0, dcg / np.where(ideal > 0, ideal, 1.0), 0.0)


def ndcg_at_10(scores: np.ndarray, truth: list[set[int]] | list[dict[int, float]]) -> float:
    """Mean NDCG@10 of score rows (item index columns, -inf = excluded; see ``ndcg_rows``)."""
    rows = ndcg_rows(scores, truth)
    return float(rows.mean()) if len(rows) else 0.0


def holdout_logits(net, prep: Prepared, holdout: Holdout, window: int, device) -> np.ndarray:
    """Sequence-model logits for the held-out users, seen items set to -inf."""
    net.eval()
    with torch.no_grad():
        seqs = [prep.sequences[u][:len(prep.sequences[u]) - h]
                for u, h in zip(holdout.users, holdout.n_hold, strict=True)]
        ctxs = None
        if prep.contexts is not None:
            ctxs = [prep.contexts[u][:len(prep.contexts[u]) - h]
                    for u, h in zip(holdout.users, holdout.n_hold, strict=True)]
        h = last_hidden(net, seqs, holdout.users, window, device, ctxs)
        logits = (h @ net.output_weights().T + net.output_bias()).cpu().numpy()
    logits[:, 0] = -np.inf
    for k, s in enumerate(seqs):
        logits[k, s] = -np.inf
    return logits


class _Sampler:
    """Sampled-softmax loss over warm items (class index = item index - 1)."""

    def __init__(self, prep: Prepared, rng: np.random.Generator, device):
        q = (prep.popularity[1:prep.n_warm + 1] + 1.0) ** 0.75
        self.q = torch.as_tensor(q / q.sum(), dtype=torch.float32, device=device)
        self.log_nq = torch.log(self.q * N_SAMPLED)
        self.gen = torch.Generator(device=device).manual_seed(int(rng.integers(2 ** 62)))

    def negatives(self) -> torch.Tensor:
        """One batch's shared negatives (drawn before the batch's slices start)."""
        return torch.multinomial(self.q, N_SAMPLED, replacement=True, generator=self.gen)

    def loss(self, net, h: torch.Tensor, targets: torch.Tensor, neg: torch.Tensor
             ) -> torch.Tensor:
        """Per-position cross-entropy (0 at padding), like ``F.cross_entropy(reduction="none")``."""
        valid = targets != PAD_TARGET
        tgt = torch.where(valid, targets, torch.zeros_like(targets))
        w_all, bias = net.output_weights(), net.bias
        pos = (h * w_all[tgt + 1]).sum(-1) + bias[tgt + 1] - self.log_nq[tgt]
        negs = h @ w_all[neg + 1].T + bias[neg + 1] - self.log_nq[neg]
        negs = negs.masked_fill(neg[None, :] == tgt[:, None], float("-inf"))
        logits = torch.cat([pos[:, None], negs], 1)
        ce = torch.logsumexp(logits, 1) - pos
        return torch.where(valid, ce, torch.zeros_like(ce))


def _head_loss(net, sampler: _Sampler | None, neg: torch.Tensor | None, h: torch.Tensor,
               targets: torch.Tensor, weights: torch.Tensor, n_warm: int) -> torch.Tensor:
    """Sum of the recency-weighted next-item cross-entropy of flat hidden vectors ``h``."""
    if sampler is not None:
        ce = sampler.loss(net, h, targets, neg)
    else:
        logits = h @ net.output_weights()[1:n_warm + 1].T + net.bias[1:n_warm + 1]
        ce = F.cross_entropy(logits, targets, ignore_index=PAD_TARGET, reduction="none")
    return (ce * weights).sum()


def _slice_gradients(net, windows: Windows, part: np.ndarray, users: np.ndarray, seed: int,
                     neg: torch.Tensor | None, sampler: _Sampler | None, total_weight: float,
                     params: list[torch.Tensor], device) -> tuple[torch.Tensor | None, ...]:
    """Gradients of one slice of a batch (its share of the batch's mean loss)."""
    width = int(windows.lengths[part].max())
    with dropout_stream(seed):
        h = net.encode(_tensor(windows.items, part, width, device),
                       _tensor(windows.ctx_in, part, width, device),
                       _tensor(windows.ctx_next, part, width, device),
                       torch.as_tensor(users, device=device))
        loss = _head_loss(net, sampler, neg, h.reshape(-1, h.shape[-1]),
                          _tensor(windows.targets, part, width, device).reshape(-1),
                          _tensor(windows.weights, part, width, device).reshape(-1),
                          net.spec.n_warm) / total_weight
    return torch.autograd.grad(loss, params, allow_unused=True)


def train(net, prep: Prepared, windows: Windows, cfg: TrainConfig, rng: np.random.Generator,
          device, should_stop: Callable[[], bool], holdout: Holdout | None = None,
          log: Callable[[str], None] | None = None, runner: ShardRunner | None = None
          ) -> tuple[int, np.ndarray | None]:
    """Train ``net`` in place; return (epochs run, held-out logits of the kept epoch).

    Every batch runs as fixed slices (``seq_threads``), in parallel when ``runner`` allows.
    """
    runner = runner or ShardRunner(parallel=False)
    opt = Adam(net.parameters(), lr=cfg.lr)
    params = opt.params
    n_warm = prep.n_warm
    sampler = _Sampler(prep, rng, device) if n_warm > SAMPLED_ABOVE else None
    best, best_state, best_logits, bad, epochs = -1.0, None, None, 0, 0
    total_steps = cfg.max_epochs * -(-windows.n // cfg.batch_size)  # batches per epoch, rounded up
    step = 0
    for epoch in range(cfg.max_epochs):
        net.train()
        for idx in windows.batches(cfg.batch_size, rng):
            if should_stop():
                raise TrainingStopped()
            if cfg.decay:
                opt.lr = cfg.lr * (1.0 - step / total_steps)
            step += 1
            # half the windows train without the user's metadata, so anonymous sessions and
            # users whose session departs from their profile are served well too
            users = windows.users[idx].copy()
            users[rng.random(len(users)) < 0.5] = -1
            total_weight = max(float(windows.scale[idx].sum()), 1e-6)
            neg = sampler.negatives() if sampler is not None else None
            slices = split(np.arange(len(idx)))
            seeds = rng.integers(2 ** 62, size=len(slices))
            jobs = [partial(_slice_gradients, net, windows, idx[sl], users[sl], int(seed), neg,
                            sampler, total_weight, params, device) for sl, seed in zip(
                                slices, seeds, strict=True)]
            parts = runner.run(jobs)
            for p, *gs in zip(params, *parts, strict=True):
                g = None
                for x in gs:
                    if x is not None:
                        g = x if g is None else g + x
                p.grad = g
            opt.step()
        epochs = epoch + 1
        if holdout is None or not cfg.validate:
            continue
        logits = holdout_logits(net, prep, holdout, cfg.window, device)
        score = ndcg_at_10(logits, holdout.truth)
        if log:
            log(f"epoch {epochs}: held-out NDCG@10 {score:.4f}")
        if score > best:
            best, bad, best_logits = score, 0, logits
            best_state = copy.deepcopy(net.state_dict())
        else:
            bad += 1
            if bad >= cfg.patience:
                break
    if best_state is not None:
        net.load_state_dict(best_state)
    return epochs, best_logits
