"""DeepFM (the 2018 preview's ``awspersonalizedeepfmmodel``): a factorization machine plus a
deep component over user, item and metadata fields.

Fields: the user id, the item id, the item's categorical metadata (``|`` multi-values averaged)
and the user's categorical metadata. The FM part scores first-order weights and pairwise field
interactions, ``0.5 * ((sum v)^2 - sum v^2)``; the deep part is an MLP over the concatenated
field embeddings; their sum is the logit of "the user interacts with the item". Training is
implicit-feedback binary cross-entropy with ``negative_samples`` uniformly drawn negatives per
(user, item) pair. A reserved "unknown user" row is trained by replacing the user in 5% of the
samples, so users the model never saw get a popularity-and-metadata answer from the same network.

Torch is imported only when the recipe fits or loads; what it shares with ``ffnn.py`` is in
``neural_common``.
"""

from __future__ import annotations

import numpy as np

from ..base import FitOptions, Model, Query, Recipe
from ..dataset import TrainingData
from ..training import HistoryIndex, check_stop, hyperparameter
from .neural_common import (
    MAX_TOKENS,
    Encoded,
    TorchModel,
    bag,
    step,
    torch_setup,
    training_frame,
    weights,
)

UNKNOWN_USER_RATE = 0.05
BATCH = 1024


def _network(n_users: int, n_items: int, n_item_tokens: int, n_user_tokens: int,
             dim: int, hidden: int):
    import torch
    from torch import nn

    class DeepFM(nn.Module):
        def __init__(self):
            super().__init__()
            self.user = nn.Embedding(n_users + 1, dim)  # last row: unknown user
            self.item = nn.Embedding(n_items, dim)
            self.item_meta = nn.Embedding(n_item_tokens, dim, padding_idx=0)
            self.user_meta = nn.Embedding(n_user_tokens, dim, padding_idx=0)
            self.user_bias = nn.Embedding(n_users + 1, 1)
            self.item_bias = nn.Embedding(n_items, 1)
            self.deep = nn.Sequential(
                nn.Linear(4 * dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden // 2), nn.ReLU(),
                nn.Linear(hidden // 2, 1),
            )
            for emb in (self.user, self.item, self.item_meta, self.user_meta):
                nn.init.normal_(emb.weight, std=0.05)
            nn.init.zeros_(self.user_bias.weight)
            nn.init.zeros_(self.item_bias.weight)

        def forward(self, users, items, item_tokens, user_tokens):
            fields = torch.stack([
                self.user(users), self.item(items),
                bag(self.item_meta, item_tokens), bag(self.user_meta, user_tokens),
            ], dim=1)
            fm = 0.5 * (fields.sum(dim=1).pow(2) - fields.pow(2).sum(dim=1)).sum(dim=1)
            first = self.user_bias(users).squeeze(1) + self.item_bias(items).squeeze(1)
            deep = self.deep(fields.flatten(1)).squeeze(1)
            return first + fm + deep

    return DeepFM()


class DeepFMModel(TorchModel):
    def _build(self):
        c = self.config
        return _network(len(self.users), len(self.items), c["n_item_tokens"],
                        c["n_user_tokens"], c["dim"], c["hidden"])  # fmt: skip

    def score_items(self, query: Query) -> np.ndarray:
        import torch

        u = self.users.index(query.user_id)
        u = len(self.users) if u is None else u
        n = len(self.items)
        with torch.no_grad():
            logits = self._model()(
                torch.full((n,), u, dtype=torch.long), torch.arange(n),
                torch.from_numpy(self.item_tokens),
                torch.from_numpy(np.repeat(self.user_tokens[u][None, :], n, axis=0)),
            )
        return logits.numpy().astype(np.float64)


class DeepFMRecipe(Recipe):
    def fit(self, data: TrainingData, options: FitOptions) -> Model:
        frame = training_frame(data, options)
        torch, device = torch_setup(options)
        dim = hyperparameter(options, "embedding_dimension", 16, int)
        hidden = hyperparameter(options, "hidden_dimension", 64, int)
        epochs = hyperparameter(options, "epochs", 8, int)
        lr = hyperparameter(options, "learning_rate", 0.01, float)
        negatives = hyperparameter(options, "negative_samples", 4, int)

        enc = Encoded(frame, data)
        items, users = enc.items, enc.users
        item_tokens, n_item_tokens = enc.item_tokens, enc.n_item_tokens
        user_tokens, n_user_tokens = enc.user_tokens, enc.n_user_tokens
        user_tokens = np.vstack([user_tokens, np.zeros((1, MAX_TOKENS), dtype=np.int64)])
        pairs = np.unique(np.stack([users.indices(frame["USER_ID"].to_numpy()),
                                    items.indices(frame["ITEM_ID"].to_numpy())], axis=1), axis=0)
        net = _network(len(users), len(items), n_item_tokens, n_user_tokens, dim, hidden)
        net.to(device)
        from .optim import Adam  # not torch.optim: its first use imports torch._dynamo

        opt = Adam(net.parameters(), lr=lr)
        rng = np.random.default_rng(options.seed)
        item_tok = torch.from_numpy(item_tokens).to(device)
        user_tok = torch.from_numpy(user_tokens).to(device)
        loss_fn = torch.nn.BCEWithLogitsLoss()
        for _ in range(epochs):
            check_stop(options)
            neg_items = rng.integers(len(items), size=len(pairs) * negatives)
            u = np.concatenate([pairs[:, 0], np.repeat(pairs[:, 0], negatives)])
            i = np.concatenate([pairs[:, 1], neg_items])
            y = np.concatenate([np.ones(len(pairs)), np.zeros(len(neg_items))]).astype(np.float32)
            u = np.where(rng.random(len(u)) < UNKNOWN_USER_RATE, len(users), u)
            order = rng.permutation(len(u))
            for start in range(0, len(order), BATCH):
                b = order[start : start + BATCH]
                ub = torch.from_numpy(u[b]).to(device)
                ib = torch.from_numpy(i[b]).to(device)
                logits = net(ub, ib, item_tok[ib], user_tok[ub])
                loss = loss_fn(logits, torch.from_numpy(y[b]).to(device))
                step(opt, loss)
        state = weights(net)
        counts = np.bincount(pairs[:, 1], minlength=len(items)).astype(float)
        config = {"dim": dim, "hidden": hidden, "n_item_tokens": n_item_tokens,
                  "n_user_tokens": n_user_tokens, "counts": counts.tolist()}
        return DeepFMModel(items, HistoryIndex.build(frame, items), users, item_tokens,
                           user_tokens, config, state)
