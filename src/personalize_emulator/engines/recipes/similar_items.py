"""Similar-Items and Semantic-Similarity: related items from interactions and item content.

**Similar-Items** blends three views of "similar":

1. the SIMS neighbourhood (weighted co-occurrence, see ``sims.py``), scaled so an item's best
   neighbour scores 1;
2. an item-id embedding of ``item_id_hidden_dim`` dimensions -- a truncated SVD of the
   normalised co-occurrence matrix, which smooths co-occurrence for sparsely seen items;
3. an item-metadata embedding of ``item_metadata_hidden_dim`` dimensions -- a truncated SVD of
   the items' categorical values (``|``-separated multi-values), bucketed numeric fields and
   TF-IDF of textual fields.

An item with interactions is related through all three; an item that exists only in the Items
dataset (a new item) through its metadata, so it has neighbours and can be one.

**Semantic-Similarity** relates items by what their text says: the ``itemName`` field plus the
textual fields, as TF-IDF reduced by latent semantic analysis (a truncated SVD), so items
sharing vocabulary *and* items whose words co-occur across the catalogue come out close. It
needs an Items dataset with a name and a textual field; interactions, when present, order the
popular fallback for unknown items and, with CREATION_TIMESTAMP, back the campaign's
``rankingInfluence`` (POPULARITY, FRESHNESS), applied by serving.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.linalg import solve_triangular

from ..artifacts import load_arrays, save_arrays
from ..base import EngineError, FitOptions, Model, Query, Recipe
from ..dataset import Table, TrainingData
from ..training import (
    HistoryIndex,
    catalogue,
    check_stop,
    hyperparameter,
    prepare_interactions,
    validate_interactions,
)
from ..vocab import Vocabulary
from ._common import CatalogueModel
from .popularity import item_counts
from .sims import NEIGHBOURS, _fit_similarity, _top_k

ID_WEIGHT = 0.3
METADATA_WEIGHT = 0.5
RESERVED = {"ITEM_ID", "CREATION_TIMESTAMP"}
_TOKEN = re.compile(r"[^\W_]{2,}", re.UNICODE)


# --------------------------------------------------------------------------- features


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(str(text).lower())


def tfidf(texts: Iterable[str]) -> sp.csr_matrix:
    """Sublinear TF-IDF rows (L2-normalised) over a vocabulary built from the texts."""
    docs = [tokenize(t) for t in texts]
    vocab: dict[str, int] = {}
    for words in docs:
        for w in words:
            vocab.setdefault(w, len(vocab))
    rows, cols, vals = [], [], []
    for r, words in enumerate(docs):
        if not words:
            continue
        ids, counts = np.unique([vocab[w] for w in words], return_counts=True)
        rows.append(np.full(len(ids), r))
        cols.append(ids)
        vals.append(1.0 + np.log(counts))
    shape = (len(docs), max(len(vocab), 1))
    if not rows:
        return sp.csr_matrix(shape)
    m = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                      shape=shape)
    df = np.bincount(m.indices, minlength=shape[1])
    idf = np.log((1.0 + shape[0]) / (1.0 + df)) + 1.0
    return _l2_rows(m @ sp.diags(idf))


def _l2_rows(m):
    if sp.issparse(m):
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        return (sp.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ m).tocsr()
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms > 0, norms, 1.0)


def _aligned(table: Table | None, items: Vocabulary) -> pd.DataFrame | None:
    if table is None or "ITEM_ID" not in table.frame.columns:
        return None
    frame = table.frame.copy()
    frame["ITEM_ID"] = frame["ITEM_ID"].astype(str)
    frame = frame.drop_duplicates("ITEM_ID", keep="last").set_index("ITEM_ID")
    return frame.reindex(items.ids)


def metadata_matrix(table: Table | None, items: Vocabulary) -> sp.csr_matrix | None:
    """One row per catalogue item: categorical one-hots, numeric quartile buckets, text TF-IDF."""
    frame = _aligned(table, items)
    if frame is None:
        return None
    kinds = table.kinds
    blocks = []
    for col in frame.columns:
        if col in RESERVED:
            continue
        values = frame[col]
        if col in kinds.categorical or (col not in kinds.textual and col not in kinds.numeric
                                        and not pd.api.types.is_numeric_dtype(values)):
            texts = values.fillna("").astype(str).str.lower().str.split("|")
            tokens = sorted({t.strip() for lst in texts for t in lst if t.strip()})
            if not tokens:
                continue
            index = {t: k for k, t in enumerate(tokens)}
            rows = [r for r, lst in enumerate(texts) for t in lst if t.strip()]
            cols = [index[t.strip()] for lst in texts for t in lst if t.strip()]
            blocks.append(sp.csr_matrix((np.ones(len(rows)), (rows, cols)),
                                        shape=(len(frame), len(tokens))))
        elif col in kinds.textual:
            blocks.append(tfidf(values.fillna("").astype(str)))
        elif col in kinds.numeric or pd.api.types.is_numeric_dtype(values):
            num = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
            known = np.isfinite(num)
            if known.sum() < 2:
                continue
            edges = np.unique(np.quantile(num[known], [0.25, 0.5, 0.75]))
            bucket = np.where(known, np.searchsorted(edges, np.nan_to_num(num)), -1)
            rows = np.flatnonzero(bucket >= 0)
            blocks.append(sp.csr_matrix((np.ones(len(rows)), (rows, bucket[rows])),
                                        shape=(len(frame), len(edges) + 1)))
    if not blocks:
        return None
    return _l2_rows(sp.hstack([_l2_rows(b) for b in blocks]).tocsr())


def _orthonormal(y: np.ndarray) -> np.ndarray:
    """An orthonormal basis of y's columns by Cholesky-QR, twice (two GEMMs each pass).

    On the tall, thin blocks of the range finder this is several times faster than a
    Householder QR; when the Gram matrix is singular (rank-deficient blocks on small data)
    the Householder QR is used instead.
    """
    for _ in range(2):
        try:
            r = np.linalg.cholesky(y.T @ y)
        except np.linalg.LinAlgError:
            return np.linalg.qr(y)[0]
        y = solve_triangular(r, y.T, lower=True).T
    return y


def randomized_svd(a: sp.csr_matrix, k: int, seed: int, n_iter: int = 4, oversample: int = 10):
    """Leading k left singular vectors and values (Halko et al.), seeded and deterministic.

    Only the left side is needed, so the small projected problem ``B = Q^T A`` is solved by the
    eigendecomposition of ``B B^T`` (width x width) instead of an SVD of the wide ``B``.
    """
    rng = np.random.default_rng(seed)
    width = min(k + oversample, min(a.shape))
    q = _orthonormal(np.asarray(a @ rng.standard_normal((a.shape[1], width))))
    for _ in range(n_iter):
        q = _orthonormal(np.asarray(a.T @ q))
        q = _orthonormal(np.asarray(a @ q))
    b = np.asarray(a.T @ q).T  # width x n
    values, vectors = np.linalg.eigh(b @ b.T)
    order = np.argsort(-values, kind="stable")[:k]
    return q @ vectors[:, order], np.sqrt(np.clip(values[order], 0.0, None))


def embed(matrix, dim: int, seed: int) -> np.ndarray:
    """Rows of ``matrix`` reduced to ``dim`` dimensions by truncated SVD, L2-normalised."""
    n, m = matrix.shape
    k = min(dim, n - 1, m - 1)
    if k < 1:
        dense = matrix.toarray() if sp.issparse(matrix) else np.asarray(matrix)
        return _l2_rows(dense.astype(np.float64))
    u, s = randomized_svd(sp.csr_matrix(matrix, dtype=np.float64), k, seed)
    # fix each component's sign so the result does not depend on the solver's choice
    signs = np.sign(u[np.argmax(np.abs(u), axis=0), np.arange(u.shape[1])])
    return _l2_rows(u * s * np.where(signs == 0, 1.0, signs))


# --------------------------------------------------------------------------- Similar-Items


class SimilarItemsModel(CatalogueModel):
    recipe_type = "RELATED_ITEMS"
    returns_scores = False

    def __init__(self, items, histories, indptr, neighbours, weights, id_embedding,
                 meta_embedding, counts):
        super().__init__(items, histories)
        self.indptr = np.asarray(indptr, dtype=np.int64)
        self.neighbours = np.asarray(neighbours, dtype=np.int64)
        self.weights = np.asarray(weights, dtype=np.float64)
        self.id_embedding = np.asarray(id_embedding, dtype=np.float64)
        self.meta_embedding = np.asarray(meta_embedding, dtype=np.float64)
        self.item_counts = np.asarray(counts, dtype=np.float64)
        self._popular = self.item_counts / (self.item_counts.max(initial=0.0) + 1.0) * 1e-6

    def _related(self, anchor: int) -> np.ndarray:
        scores = self._popular.copy()
        lo, hi = self.indptr[anchor], self.indptr[anchor + 1]
        if hi > lo:
            w = self.weights[lo:hi]
            scores[self.neighbours[lo:hi]] += w / w.max()
        if self.item_counts[anchor] > 0 and self.id_embedding.shape[1]:
            warm = self.item_counts > 0
            scores[warm] += ID_WEIGHT * np.clip(
                self.id_embedding[warm] @ self.id_embedding[anchor], 0, None)
        if self.meta_embedding.shape[1]:
            scores += METADATA_WEIGHT * np.clip(
                self.meta_embedding @ self.meta_embedding[anchor], 0, None)
        return scores

    def score_items(self, query: Query) -> np.ndarray:
        anchor = self.items.index(query.item_id)
        if anchor is None and query.item_id is None:
            recent = self.query_item_indices(query)
            anchor = int(recent[-1]) if len(recent) else None
        if anchor is None:
            return self._popular.copy()
        scores = self._related(anchor)
        scores[anchor] = self._popular.min(initial=0.0) - 1.0
        return scores

    def save(self, directory: Path) -> None:
        self._save_common(directory, indptr=self.indptr, neighbours=self.neighbours,
                          weights=self.weights, id_embedding=self.id_embedding,
                          meta_embedding=self.meta_embedding, counts=self.item_counts)

    @classmethod
    def load(cls, directory: Path) -> Model:
        items, histories, a = cls._load_common(directory)
        return cls(items, histories, a["indptr"], a["neighbours"], a["weights"],
                   a["id_embedding"], a["meta_embedding"], a["counts"])


class SimilarItemsRecipe(Recipe):
    def fit(self, data: TrainingData, options: FitOptions) -> Model:
        frame = prepare_interactions(data, options)
        items = catalogue(frame, data)
        id_dim = hyperparameter(options, "item_id_hidden_dim", 100, int)
        meta_dim = hyperparameter(options, "item_metadata_hidden_dim", 100, int)
        similarity, _ = _fit_similarity(frame, items, options)
        check_stop(options)
        indptr, neighbours, weights = _top_k(similarity, NEIGHBOURS)
        id_embedding = embed(similarity, id_dim, options.seed)
        meta = metadata_matrix(data.items, items)
        meta_embedding = (embed(meta, meta_dim, options.seed) if meta is not None
                          else np.zeros((len(items), 0)))
        return SimilarItemsModel(items, HistoryIndex.build(frame, items), indptr, neighbours,
                                 weights, id_embedding, meta_embedding, item_counts(frame, items))


# --------------------------------------------------------------------------- Semantic-Similarity

LSA_DIMENSIONS = 128


def _item_name_field(table: Table) -> str | None:
    declared = getattr(table.kinds, "item_name", None)
    if declared:
        return declared
    for col in table.frame.columns:
        if col in table.kinds.textual or col in table.kinds.categorical:
            continue
        if re.search(r"NAME|TITLE", col, re.IGNORECASE) and col != "ITEM_ID":
            return col
    return None


class SemanticSimilarityModel(Model):
    recipe_type = "RELATED_ITEMS"
    returns_scores = False

    def __init__(self, items: Vocabulary, embedding: np.ndarray, counts: np.ndarray,
                 creation: np.ndarray | None = None):
        self.items = items
        self.embedding = np.asarray(embedding, dtype=np.float64)
        self.item_counts = np.asarray(counts, dtype=np.float64)
        self.creation = (np.full(len(items), np.nan) if creation is None
                         else np.asarray(creation, dtype=np.float64))
        self._popular = self.item_counts / (self.item_counts.max(initial=0.0) + 1.0) * 1e-6

    def apply_ranking_influence(self, scores: np.ndarray, influence) -> np.ndarray:
        """Blend similarity with FRESHNESS (newer CREATION_TIMESTAMP) and POPULARITY, each
        weighted by its ``rankingInfluence`` in [0, 1] (campaign / batch configuration)."""
        fresh = float(influence.get("FRESHNESS", 0.0) or 0.0)
        pop = float(influence.get("POPULARITY", 0.0) or 0.0)
        if fresh <= 0 and pop <= 0:
            return scores
        out = np.asarray(scores, dtype=np.float64).copy()
        if pop > 0:
            out += pop * np.log1p(self.item_counts) / max(np.log1p(self.item_counts).max(), 1e-9)
        if fresh > 0 and np.isfinite(self.creation).any():
            c = np.nan_to_num(self.creation, nan=np.nanmin(self.creation))
            span = c.max() - c.min()
            out += fresh * ((c - c.min()) / span if span > 0 else np.zeros_like(c))
        return out

    @property
    def item_ids(self):  # type: ignore[override]
        return self.items.ids

    def score_items(self, query: Query) -> np.ndarray:
        anchor = self.items.index(query.item_id)
        if anchor is None:
            return self._popular.copy()
        scores = self.embedding @ self.embedding[anchor] + self._popular
        scores[anchor] = -1.0
        return scores

    def save(self, directory: Path) -> None:
        save_arrays(directory, "model", items=self.items.to_array(), embedding=self.embedding,
                    counts=self.item_counts, creation=self.creation)

    @classmethod
    def load(cls, directory: Path) -> Model:
        a = load_arrays(directory, "model")
        return cls(Vocabulary.from_array(a["items"]), a["embedding"], a["counts"], a["creation"])


class SemanticSimilarityRecipe(Recipe):
    def fit(self, data: TrainingData, options: FitOptions) -> Model:
        table = data.items
        if table is None or len(table.frame) == 0:
            raise EngineError("Semantic-Similarity needs an Items dataset with item names and "
                              "descriptions; the Items dataset is missing or empty.")
        name = _item_name_field(table)
        textual = [c for c in table.frame.columns if c in table.kinds.textual]
        if name is None or not textual:
            raise EngineError("Semantic-Similarity needs an Items dataset with an itemName field "
                              "and a textual field.")
        frame = table.frame.copy()
        frame["ITEM_ID"] = frame["ITEM_ID"].astype(str)
        frame = frame.drop_duplicates("ITEM_ID", keep="last")
        items = Vocabulary(frame["ITEM_ID"])
        frame = frame.set_index("ITEM_ID").reindex(items.ids)
        texts = frame[name].fillna("").astype(str)
        for col in textual:
            texts = texts + " " + frame[col].fillna("").astype(str)
        embedding = embed(tfidf(texts.tolist()), LSA_DIMENSIONS, options.seed)
        counts = np.zeros(len(items))
        if data.interactions is not None and len(data.interactions):
            counts = item_counts(validate_interactions(data.interactions), items)
        creation = None
        if "CREATION_TIMESTAMP" in frame.columns:
            creation = pd.to_numeric(frame["CREATION_TIMESTAMP"], errors="coerce").to_numpy(float)
        return SemanticSimilarityModel(items, embedding, counts, creation)
