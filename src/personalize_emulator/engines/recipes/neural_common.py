"""What the two torch recipes of the 2018 preview (DeepFM, FFNN) share: metadata tokens, the
training set-up and loop steps, and a model that keeps its network's weights and rebuilds the
network on first use.

Torch is imported only when one of them fits or loads.
"""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..artifacts import load_json, save_json
from ..base import FitOptions, Model
from ..dataset import Table, TrainingData
from ..training import (
    HistoryIndex,
    catalogue,
    hyperparameter,
    prepare_interactions,
    seed_everything,
    torch_device,
    torch_threads,
    trim_user_histories,
)
from ..vocab import Vocabulary
from ._common import CatalogueModel

MAX_TOKENS = 8


class FieldEncoder:
    """Categorical metadata of Items or Users -> padded token ids (0 = padding)."""

    @staticmethod
    def encode(table: Table | None, key: str, ids: Vocabulary) -> tuple[np.ndarray, int]:
        tokens = np.zeros((len(ids), MAX_TOKENS), dtype=np.int64)
        if table is None or key not in table.frame.columns:
            return tokens, 1
        frame = table.frame.copy()
        frame[key] = frame[key].astype(str)
        frame = frame.drop_duplicates(key, keep="last").set_index(key).reindex(ids.ids)
        vocab: dict[str, int] = {}
        cols = sorted(c for c in frame.columns if c in table.kinds.categorical)
        for row in range(len(ids)):
            found = []
            for col in cols:
                value = frame[col].iloc[row]
                if isinstance(value, str) and value:
                    for part in value.lower().split("|"):
                        if part.strip():
                            found.append(vocab.setdefault(f"{col}={part.strip()}", len(vocab) + 1))
            tokens[row, : min(len(found), MAX_TOKENS)] = found[:MAX_TOKENS]
        return tokens, len(vocab) + 1


class Encoded:
    """The catalogue and training users of a fit, with their metadata tokens."""

    def __init__(self, frame: pd.DataFrame, data: TrainingData):
        self.items = catalogue(frame, data)
        self.users = Vocabulary(frame["USER_ID"].unique())
        self.item_tokens, self.n_item_tokens = FieldEncoder.encode(data.items, "ITEM_ID",
                                                                   self.items)
        self.user_tokens, self.n_user_tokens = FieldEncoder.encode(data.users, "USER_ID",
                                                                   self.users)


def torch_setup(options: FitOptions):
    import torch

    torch_threads(options)
    seed_everything(options.seed)
    return torch, torch_device(options)


def training_frame(data: TrainingData, options: FitOptions) -> pd.DataFrame:
    """The interactions to train on, user histories trimmed by the percentile hyperparameters."""
    return trim_user_histories(
        prepare_interactions(data, options),
        hyperparameter(options, "min_user_history_length_percentile", 0.0, float),
        hyperparameter(options, "max_user_history_length_percentile", 0.99, float),
    )


def bag(emb: Any, tokens: Any) -> Any:
    """The mean embedding of each row's non-padding tokens (zeros for a row of padding)."""
    count = (tokens > 0).sum(dim=1, keepdim=True).clamp(min=1)
    return emb(tokens).sum(dim=1) / count


def step(opt: Any, loss: Any) -> None:
    """One optimiser step on ``loss``."""
    opt.zero_grad()
    loss.backward()
    opt.step()


def weights(net: Any) -> dict[str, Any]:
    """The trained network's weights, detached, on the CPU."""
    return {k: v.detach().cpu().clone() for k, v in net.state_dict().items()}


class TorchModel(CatalogueModel):
    """A catalogue model with user ids, item/user metadata tokens, a JSON ``config`` and the
    network's weights; subclasses give :meth:`_build` (built from ``config`` on first use)."""

    recipe_type = "USER_PERSONALIZATION"

    def __init__(self, items: Vocabulary, histories: HistoryIndex, users: Vocabulary,
                 item_tokens: np.ndarray, user_tokens: np.ndarray, config: dict[str, Any],
                 state: dict[str, Any]):  # fmt: skip
        super().__init__(items, histories)
        self.users = users
        self.item_tokens = np.asarray(item_tokens, dtype=np.int64)
        self.user_tokens = np.asarray(user_tokens, dtype=np.int64)
        self.config = dict(config)
        self.state = state
        self.item_counts = np.asarray(config.get("counts", []), dtype=np.float64)
        self._net = None

    @property
    def user_ids(self):  # type: ignore[override]
        return self.users.ids

    @abstractmethod
    def _build(self) -> Any: ...

    def _model(self):
        if self._net is None:
            self._net = self._build()
            self._net.load_state_dict(self.state)
            self._net.eval()
        return self._net

    def save(self, directory: Path) -> None:
        import torch

        self._save_common(directory, users=self.users.to_array(), item_tokens=self.item_tokens,
                          user_tokens=self.user_tokens)  # fmt: skip
        save_json(directory, "config", self.config)
        torch.save(self.state, Path(directory) / "weights.pt")

    @classmethod
    def load(cls, directory: Path) -> Model:
        import torch

        items, histories, a = cls._load_common(directory)
        state = torch.load(Path(directory) / "weights.pt", weights_only=True)
        return cls(items, histories, Vocabulary.from_array(a["users"]), a["item_tokens"],
                   a["user_tokens"], load_json(directory, "config"), state)  # fmt: skip
