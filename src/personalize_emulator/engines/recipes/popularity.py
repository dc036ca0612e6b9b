"""Popularity-Count: items ranked by how many interactions they have.

The score is the interaction count (after eventType / eventValueThreshold); GetRecommendations
returns no score for this recipe, so the counts only order the catalogue. The same answer for
every user -- user-dependent filters are applied by serving.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..base import FitOptions, Model, Query, Recipe
from ..dataset import TrainingData
from ..training import HistoryIndex, prepare_interactions
from ..vocab import Vocabulary
from ._common import CatalogueModel


def item_counts(frame, items: Vocabulary) -> np.ndarray:
    idx = items.indices(frame["ITEM_ID"].to_numpy())
    return np.bincount(idx[idx >= 0], minlength=len(items)).astype(np.float64)


class PopularityModel(CatalogueModel):
    recipe_type = "USER_PERSONALIZATION"
    returns_scores = False

    def __init__(self, items: Vocabulary, histories: HistoryIndex, counts: np.ndarray):
        super().__init__(items, histories)
        self.counts = np.asarray(counts, dtype=np.float64)

    def score_items(self, query: Query) -> np.ndarray:
        return self.counts.copy()

    def save(self, directory: Path) -> None:
        self._save_common(directory, counts=self.counts)

    @classmethod
    def load(cls, directory: Path) -> Model:
        items, histories, arrays = cls._load_common(directory)
        return cls(items, histories, arrays["counts"])


class PopularityCountRecipe(Recipe):
    def fit(self, data: TrainingData, options: FitOptions) -> Model:
        frame = prepare_interactions(data, options)
        items = Vocabulary(frame["ITEM_ID"].unique())
        return PopularityModel(items, HistoryIndex.build(frame, items), item_counts(frame, items))
