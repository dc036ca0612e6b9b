"""String ids <-> dense integer indices.

Ids are kept in sorted order, so the same set of ids always gets the same indices (training is
reproducible whatever the row order of the input). Arrays are plain unicode numpy arrays, which
``np.savez`` stores and ``np.load(allow_pickle=False)`` reads back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np


class Vocabulary:
    def __init__(self, ids: Iterable[str]):
        arr = np.asarray([str(i) for i in ids], dtype=str)
        self._ids = np.unique(arr) if arr.size else np.asarray([], dtype=str)
        self._index = {s: i for i, s in enumerate(self._ids.tolist())}

    @classmethod
    def from_array(cls, array: np.ndarray) -> Vocabulary:
        """Rebuild from :meth:`to_array` output (already sorted and unique)."""
        vocab = cls.__new__(cls)
        vocab._ids = np.asarray(array, dtype=str)
        vocab._index = {s: i for i, s in enumerate(vocab._ids.tolist())}
        return vocab

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, item: object) -> bool:
        return item in self._index

    @property
    def ids(self) -> list[str]:
        return self._ids.tolist()

    def to_array(self) -> np.ndarray:
        return self._ids

    def index(self, item: str | None) -> int | None:
        if item is None:
            return None
        return self._index.get(str(item))

    def indices(self, items: Sequence[str] | np.ndarray) -> np.ndarray:
        """Indices for many ids; -1 where an id is unknown."""
        get = self._index.get
        return np.fromiter((get(str(i), -1) for i in items), dtype=np.int64, count=len(items))

    def id(self, index: int) -> str:
        return str(self._ids[index])
