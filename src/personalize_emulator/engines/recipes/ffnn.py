"""FFNN (the 2018 preview's ``awspersonalizeffnnmodel``): a feed-forward network from a user's
history and metadata to a distribution over the catalogue.

Input: the mean embedding of the items in the user's history (training items plus session
events) and the mean embedding of the user's categorical metadata. Two ReLU layers with dropout
map it to a query vector; each item's output vector is its id embedding plus the mean of its
metadata embeddings, so an item known only from the Items dataset still gets a score. Training
is softmax cross-entropy: for a user, one of their items is the target and the others are the
input (leave-one-out), so the network learns what completes a history; a tenth of the samples
have an empty history, which teaches the same network the answer for users it never saw.
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

BATCH = 256
SAMPLES_PER_USER = 8
#: share of samples trained with an empty history, so unknown users get a popularity answer
EMPTY_HISTORY_RATE = 0.1


def _network(n_items: int, n_item_tokens: int, n_user_tokens: int, hidden: int,
             dropout: float):
    import torch
    from torch import nn

    class FFNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.item_in = nn.Embedding(n_items + 1, hidden, padding_idx=0)  # 0 = padding
            self.user_meta = nn.Embedding(n_user_tokens, hidden, padding_idx=0)
            self.item_out = nn.Embedding(n_items, hidden)
            self.item_meta = nn.Embedding(n_item_tokens, hidden, padding_idx=0)
            self.out_bias = nn.Parameter(torch.zeros(n_items))
            self.mlp = nn.Sequential(
                nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
                nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
                nn.Linear(hidden, hidden),
            )
            for emb in (self.item_in, self.user_meta, self.item_out, self.item_meta):
                nn.init.normal_(emb.weight, std=0.05)

        def forward(self, history, user_tokens, item_tokens):
            x = torch.cat([bag(self.item_in, history),
                           bag(self.user_meta, user_tokens)], dim=1)
            query = self.mlp(x)
            outputs = self.item_out.weight + bag(self.item_meta, item_tokens)
            return query @ outputs.T + self.out_bias

    return FFNN()


def _pad(histories: list[np.ndarray], length: int) -> np.ndarray:
    out = np.zeros((len(histories), length), dtype=np.int64)
    for r, h in enumerate(histories):
        h = h[-length:]
        out[r, : len(h)] = h + 1  # shift: 0 is padding
    return out


class FFNNModel(TorchModel):
    def _build(self):
        c = self.config
        return _network(len(self.items), c["n_item_tokens"], c["n_user_tokens"], c["hidden"],
                        c["dropout"])  # fmt: skip

    def score_items(self, query: Query) -> np.ndarray:
        import torch

        history = _pad([np.unique(self.query_item_indices(query))], self.config["max_history"])
        u = self.users.index(query.user_id)
        tokens = self.user_tokens[u] if u is not None else np.zeros(MAX_TOKENS, dtype=np.int64)
        with torch.no_grad():
            logits = self._model()(torch.from_numpy(history),
                                   torch.from_numpy(tokens[None, :]),
                                   torch.from_numpy(self.item_tokens))
        return logits[0].numpy().astype(np.float64)


class FFNNRecipe(Recipe):
    def fit(self, data: TrainingData, options: FitOptions) -> Model:
        frame = training_frame(data, options)
        torch, device = torch_setup(options)
        hidden = hyperparameter(options, "hidden_dimension", 128, int)
        epochs = hyperparameter(options, "epochs", 8, int)
        lr = hyperparameter(options, "learning_rate", 0.005, float)
        dropout = hyperparameter(options, "dropout", 0.2, float)

        enc = Encoded(frame, data)
        items, users = enc.items, enc.users
        history_index = HistoryIndex.build(frame, items)
        item_tokens, n_item_tokens = enc.item_tokens, enc.n_item_tokens
        user_tokens, n_user_tokens = enc.user_tokens, enc.n_user_tokens
        per_user = [np.unique(history_index.items_of(u)) for u in users.ids]
        max_history = int(min(200, max(len(h) for h in per_user)))

        net = _network(len(items), n_item_tokens, n_user_tokens, hidden, dropout).to(device)
        from .optim import Adam  # not torch.optim: its first use imports torch._dynamo

        opt = Adam(net.parameters(), lr=lr)
        rng = np.random.default_rng(options.seed)
        item_tok = torch.from_numpy(item_tokens).to(device)
        loss_fn = torch.nn.CrossEntropyLoss()
        eligible = np.asarray([k for k, h in enumerate(per_user) if len(h) >= 2])
        net.train()
        for _ in range(epochs):
            check_stop(options)
            sample_users = np.repeat(eligible, SAMPLES_PER_USER)
            rng.shuffle(sample_users)
            for start in range(0, len(sample_users), BATCH):
                batch = sample_users[start : start + BATCH]
                inputs, targets = [], []
                for u in batch:
                    h = per_user[u]
                    t = int(rng.integers(len(h)))
                    targets.append(h[t])
                    empty = rng.random() < EMPTY_HISTORY_RATE
                    inputs.append(h[:0] if empty else np.delete(h, t))
                logits = net(torch.from_numpy(_pad(inputs, max_history)).to(device),
                             torch.from_numpy(user_tokens[batch]).to(device), item_tok)
                loss = loss_fn(logits, torch.from_numpy(np.asarray(targets)).to(device))
                step(opt, loss)
        state = weights(net)
        counts = np.bincount(history_index.indices, minlength=len(items)).astype(float)
        config = {"hidden": hidden, "dropout": dropout, "n_item_tokens": n_item_tokens,
                  "n_user_tokens": n_user_tokens, "max_history": max_history,
                  "counts": counts.tolist()}
        return FFNNModel(items, history_index, users, item_tokens, user_tokens, config, state)
