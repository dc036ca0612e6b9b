"""Trending-Now: items whose interaction rate grows fastest.

The latest ``trend_discovery_frequency`` window before the end of the training data is compared
with the window before it. An item's trend is its growth in interactions standardised by its
previous level, ``(now - before) / sqrt(before + 1)``, so an item going from 0 to 40 outranks one
going from 400 to 440. Items that are not growing follow, ordered by overall popularity -- which
is also the whole answer when the last two windows hold no interactions (the documented
fallback). Trending-Now needs at least 1,000 interactions after event filtering.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..artifacts import load_json, save_json
from ..base import EngineError, FitOptions, Model, Query, Recipe
from ..dataset import TrainingData
from ..training import HistoryIndex, hyperparameter, prepare_interactions
from ..vocab import Vocabulary
from ._common import CatalogueModel
from .popularity import item_counts

_UNITS = {"minute": 60.0, "hour": 3600.0, "day": 86400.0}


def parse_frequency(text: str) -> float:
    """'30 minutes' / '1 hour' / '2 hours' / '3 hours' / '1 day' -> seconds."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(minute|hour|day)s?\s*", str(text), re.IGNORECASE)
    if not m or float(m.group(1)) <= 0:
        raise EngineError(
            f"Invalid trend_discovery_frequency {text!r}: expected e.g. '30 minutes', "
            "'1 hour', '2 hours', '3 hours' or '1 day'"
        )
    return float(m.group(1)) * _UNITS[m.group(2).lower()]


class TrendingModel(CatalogueModel):
    recipe_type = "USER_PERSONALIZATION"

    def __init__(self, items: Vocabulary, histories: HistoryIndex, scores: np.ndarray,
                 trend: np.ndarray, counts: np.ndarray, window: float, end_time: float):
        super().__init__(items, histories)
        self.scores = np.asarray(scores, dtype=np.float64)
        self.trend = np.asarray(trend, dtype=np.float64)
        self.item_counts = np.asarray(counts, dtype=np.float64)
        self.window = float(window)
        self.end_time = float(end_time)

    def score_items(self, query: Query) -> np.ndarray:
        return self.scores.copy()

    def save(self, directory: Path) -> None:
        self._save_common(directory, scores=self.scores, trend=self.trend,
                          counts=self.item_counts)
        save_json(directory, "trending", {"window": self.window, "end_time": self.end_time})

    @classmethod
    def load(cls, directory: Path) -> Model:
        items, histories, a = cls._load_common(directory)
        meta = load_json(directory, "trending")
        return cls(items, histories, a["scores"], a["trend"], a["counts"], meta["window"],
                   meta["end_time"])


class TrendingNowRecipe(Recipe):
    def __init__(self, min_interactions: int = 1000):
        self.min_interactions = int(min_interactions)

    def fit(self, data: TrainingData, options: FitOptions) -> Model:
        frame = prepare_interactions(data, options)
        if len(frame) < self.min_interactions:
            raise EngineError(
                f"Trending-Now needs at least {self.min_interactions} interactions after "
                f"eventType and eventValueThreshold filtering; there are {len(frame)}."
            )
        window = parse_frequency(
            hyperparameter(options, "trend_discovery_frequency", "2 hours", str)
        )
        items = Vocabulary(frame["ITEM_ID"].unique())
        end = float(frame["TIMESTAMP"].max()) + 1.0
        ts = frame["TIMESTAMP"].to_numpy()
        now = item_counts(frame[ts >= end - window], items)
        before = item_counts(frame[(ts >= end - 2 * window) & (ts < end - window)], items)
        trend = (now - before) / np.sqrt(before + 1.0)
        counts = item_counts(frame, items)
        popularity = counts / (counts.max() + 1.0)  # in [0, 1): below every growing item
        scores = np.where(trend > 0, 1.0 + trend, popularity)
        return TrendingModel(items, HistoryIndex.build(frame, items), scores, trend, counts,
                             window, end)
