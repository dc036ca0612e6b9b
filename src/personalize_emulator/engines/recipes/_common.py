"""Pieces several non-sequential models share: catalogue + training histories, and their
save/load as plain arrays."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..artifacts import load_arrays, save_arrays
from ..base import Model, Query
from ..training import HistoryIndex
from ..vocab import Vocabulary


class CatalogueModel(Model):
    """A model over an item catalogue that remembers each training user's items."""

    def __init__(self, items: Vocabulary, histories: HistoryIndex):
        self.items = items
        self.histories = histories

    @property
    def item_ids(self) -> Sequence[str]:  # type: ignore[override]
        return self.items.ids

    def history(self, user_id: str) -> Sequence[str]:
        return [self.items.id(i) for i in self.histories.items_of(user_id)]

    def query_item_indices(self, query: Query) -> np.ndarray:
        """The user's training items followed by their session events (known items only)."""
        base = self.histories.items_of(query.user_id)
        if query.session_events:
            extra = self.items.indices([e.item_id for e in query.session_events])
            base = np.concatenate([base, extra[extra >= 0]])
        return base

    def _save_common(self, directory: Path, **arrays: np.ndarray) -> None:
        save_arrays(directory, "model", items=self.items.to_array(), **self.histories.arrays(),
                    **arrays)

    @staticmethod
    def _load_common(directory: Path) -> tuple[Vocabulary, HistoryIndex, dict[str, np.ndarray]]:
        arrays = load_arrays(directory, "model")
        return Vocabulary.from_array(arrays["items"]), HistoryIndex.from_arrays(arrays), arrays
