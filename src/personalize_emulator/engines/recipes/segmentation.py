"""Item-Affinity and Item-Attribute-Affinity: which users will interact with these items?

A user's affinity for an item combines two estimates, each scaled to [0, 1] over users:

* neighbourhood -- the summed cosine similarity between the item and the items in the user's
  history (items co-interacted with by the same users);
* latent -- the dot product of the user's and the item's factors from a truncated SVD
  (``hidden_dimension`` factors) of the popularity-normalised user-item matrix.

Item-Affinity scores users for the mean affinity over the query's items. Item-Attribute-Affinity
first selects the catalogue items matching the query, ``ITEMS.<col> = "<value>"`` terms joined by
``AND`` (categorical multi-values match any of their ``|`` parts; matching ignores case), then
scores users the same way over those items. Items and attributes must have existed at training.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..artifacts import load_arrays, load_json, save_arrays, save_json
from ..base import EngineError, FitOptions, Model, Query, Recipe
from ..dataset import TrainingData
from ..training import check_stop, hyperparameter, prepare_interactions
from ..vocab import Vocabulary
from .similar_items import _l2_rows, randomized_svd

LATENT_WEIGHT = 0.5
RESERVED = {"ITEM_ID", "CREATION_TIMESTAMP"}
_TERM = re.compile(r'\s*ITEMS\.([A-Za-z0-9_]+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*', re.IGNORECASE)


def parse_attributes(text: str) -> list[tuple[str, str]]:
    """``ITEMS.genres = "Comedy" AND ITEMS.genres = "Action"`` -> [(GENRES, comedy), ...]."""
    terms = []
    for part in re.split(r"\s+AND\s+", str(text or "").strip(), flags=re.IGNORECASE):
        m = _TERM.fullmatch(part)
        if not m:
            raise EngineError(
                f"Invalid itemAttributes expression {text!r}: expected ITEMS.<column> = "
                '"<value>" terms joined by AND'
            )
        terms.append((m.group(1).upper(), m.group(2).replace('\\"', '"').lower()))
    return terms


class AffinityModel(Model):
    recipe_type = "USER_SEGMENTATION"

    def __init__(self, users: Vocabulary, items: Vocabulary, interactions: sp.csr_matrix,
                 user_factors: np.ndarray, item_factors: np.ndarray,
                 attributes: dict[str, np.ndarray]):
        self.users = users
        self.items = items
        self.x = interactions.tocsr()
        self.user_factors = np.asarray(user_factors, dtype=np.float64)
        self.item_factors = np.asarray(item_factors, dtype=np.float64)
        self.attributes = attributes  # column -> lower-cased string value per item
        xn = _l2_rows(self.x.T.tocsr())  # items x users, unit rows
        self._item_sim = (xn @ xn.T).tocsr()

    @property
    def user_ids(self):  # type: ignore[override]
        return self.users.ids

    @property
    def item_ids(self):  # type: ignore[override]
        return self.items.ids

    def _affinity(self, item_indices: np.ndarray) -> np.ndarray:
        sim = np.asarray(self._item_sim[item_indices].mean(axis=0)).ravel()
        knn = np.asarray(self.x @ sim).ravel()
        latent = self.user_factors @ self.item_factors[item_indices].mean(axis=0)
        return _unit(knn) + LATENT_WEIGHT * _unit(latent)

    def _items_for(self, query: Query) -> np.ndarray:
        if query.item_attributes:
            return self.matching_items(query.item_attributes)
        wanted = list(query.item_ids) or ([query.item_id] if query.item_id else [])
        if not wanted:
            raise EngineError("A segment query needs an itemId or itemAttributes.")
        idx = self.items.indices(wanted)
        if (idx < 0).any():
            missing = [w for w, i in zip(wanted, idx, strict=True) if i < 0]
            raise EngineError(f"Item {missing[0]} did not exist when the model was trained.")
        return idx

    def matching_items(self, expression: str) -> np.ndarray:
        keep = np.ones(len(self.items), dtype=bool)
        for column, value in parse_attributes(expression):
            values = self.attributes.get(column)
            if values is None:
                raise EngineError(
                    f"Column {column} in itemAttributes is not a non-textual Items column the "
                    "model was trained with."
                )
            keep &= np.fromiter(
                (value in {p.strip() for p in v.split("|")} for v in values), bool, len(values)
            )
        idx = np.flatnonzero(keep)
        if idx.size == 0:
            raise EngineError(f"No items match itemAttributes {expression!r}.")
        return idx

    def score_users(self, query: Query) -> np.ndarray:
        return self._affinity(self._items_for(query))

    def save(self, directory: Path) -> None:
        cols = sorted(self.attributes)
        save_arrays(directory, "model", users=self.users.to_array(), items=self.items.to_array(),
                    x_indptr=self.x.indptr, x_indices=self.x.indices, x_data=self.x.data,
                    user_factors=self.user_factors, item_factors=self.item_factors,
                    **{f"attr_{k}": self.attributes[c] for k, c in enumerate(cols)})
        save_json(directory, "affinity", {"columns": cols})

    @classmethod
    def load(cls, directory: Path) -> Model:
        a = load_arrays(directory, "model")
        cols = load_json(directory, "affinity")["columns"]
        users, items = Vocabulary.from_array(a["users"]), Vocabulary.from_array(a["items"])
        x = sp.csr_matrix((a["x_data"], a["x_indices"], a["x_indptr"]),
                          shape=(len(users), len(items)))
        attrs = {c: a[f"attr_{k}"] for k, c in enumerate(cols)}
        return cls(users, items, x, a["user_factors"], a["item_factors"], attrs)


def _unit(v: np.ndarray) -> np.ndarray:
    lo, hi = float(v.min(initial=0.0)), float(v.max(initial=0.0))
    return (v - lo) / (hi - lo) if hi > lo else np.zeros_like(v)


def _attributes(data: TrainingData, items: Vocabulary) -> dict[str, np.ndarray]:
    if data.items is None or "ITEM_ID" not in data.items.frame.columns:
        return {}
    frame = data.items.frame.copy()
    frame["ITEM_ID"] = frame["ITEM_ID"].astype(str)
    frame = frame.drop_duplicates("ITEM_ID", keep="last").set_index("ITEM_ID").reindex(items.ids)
    out = {}
    for col in frame.columns:
        if col in RESERVED or col in data.items.kinds.textual:
            continue
        values = frame[col]
        if pd.api.types.is_float_dtype(values):
            # integral floats compare as integers ("3" = 3.0)
            text = values.map(lambda v: "" if pd.isna(v) else (
                str(int(v)) if float(v).is_integer() else str(v)))
        else:
            text = values.map(lambda v: "" if pd.isna(v) else str(v))
        out[str(col).upper()] = np.asarray(text.str.lower().tolist(), dtype=str)
    return out


class ItemAffinityRecipe(Recipe):
    needs_attributes = False

    def fit(self, data: TrainingData, options: FitOptions) -> Model:
        frame = prepare_interactions(data, options)
        users = Vocabulary(frame["USER_ID"].unique())
        items = Vocabulary(frame["ITEM_ID"].unique())
        attributes = _attributes(data, items)
        if self.needs_attributes and not attributes:
            raise EngineError("Item-Attribute-Affinity needs an Items dataset with at least one "
                              "non-textual, non-reserved column.")
        u = users.indices(frame["USER_ID"].to_numpy())
        i = items.indices(frame["ITEM_ID"].to_numpy())
        x = sp.csr_matrix((np.ones(len(u)), (u, i)), shape=(len(users), len(items)))
        x.sum_duplicates()
        x.data[:] = 1.0
        check_stop(options)
        dim = hyperparameter(options, "hidden_dimension", 149, int)
        pop = np.asarray(x.sum(axis=0)).ravel()
        scaled = (x @ sp.diags(1.0 / np.sqrt(np.maximum(pop, 1.0)))).tocsr()
        k = max(1, min(dim, min(scaled.shape) - 1))
        uf, s = randomized_svd(scaled, k, options.seed)
        user_factors = uf * np.sqrt(s)
        item_factors = np.asarray(scaled.T @ uf) / np.sqrt(np.where(s > 0, s, 1.0))
        return AffinityModel(users, items, x, user_factors, item_factors, attributes)


class ItemAttributeAffinityRecipe(ItemAffinityRecipe):
    needs_attributes = True
