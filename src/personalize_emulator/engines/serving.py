"""Turning a model's scores into a runtime answer, written once for every recipe.

Models only score their whole catalogue (``score_items`` / ``score_users`` / ``score_actions``).
Here the scores are cut to N after removing what must not be returned: the query item itself
(related items), the user's training and session items (``exclude_seen``), explicit exclusions
(e.g. a domain use case's purchased items) and a filter ``mask`` (a bool array over
``model.item_ids``, True = allowed). Ties are broken by catalogue order, so answers are
deterministic.

Scores, for recipes that return them (``model.returns_scores``), are a softmax over the whole
catalogue -- they sum to 1 over all items, as the service's are; personalised ranking uses the
same function restricted to the input list.

Exploration (User-Personalization and the personalised domain use cases) mixes cold items into
the list: an item is cold when it has few training interactions (at most the 10th percentile,
and at most ``COLD_MAX_INTERACTIONS``) and, when the model knows item ages, is younger than the
age cut-off. Each slot of the answer is given to the best-scored remaining cold item with
probability ``weight``; the draw is seeded from ``seed`` and the user id, so the same request
gets the same answer. Models opt in by exposing ``item_counts`` (interactions per catalogue
item) and optionally ``item_age_days`` (NaN where unknown).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np

from .base import EngineError, Model, Query
from .vocab import Vocabulary

COLD_MAX_INTERACTIONS = 15


def top_indices(scores: np.ndarray, n: int, allowed: np.ndarray | None = None) -> np.ndarray:
    """Indices of the n best scores among allowed entries; ties by index."""
    scores = np.asarray(scores, dtype=np.float64)
    idx = np.arange(len(scores)) if allowed is None else np.flatnonzero(allowed)
    if n <= 0 or idx.size == 0:
        return np.zeros(0, dtype=np.int64)
    sub = scores[idx]
    sub = np.where(np.isnan(sub), -np.inf, sub)
    if n < idx.size:
        # partial selection first, then an exact ordered sort of the survivors
        cut = np.partition(-sub, n - 1)[n - 1]
        keep = np.flatnonzero(-sub <= cut)
        idx, sub = idx[keep], sub[keep]
    order = np.lexsort((idx, -sub))
    return idx[order[:n]]


def softmax(scores: np.ndarray) -> np.ndarray:
    s = np.asarray(scores, dtype=np.float64)
    finite = np.isfinite(s)
    if not finite.any():
        return np.full(len(s), 1.0 / max(len(s), 1))
    z = np.where(finite, s - s[finite].max(), -np.inf)
    e = np.exp(z)
    return e / e.sum()


def _check_scores(model: Model, scores: np.ndarray, ids: Sequence[str], what: str) -> np.ndarray:
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape != (len(ids),):
        raise EngineError(
            f"{type(model).__name__} returned {scores.shape} scores for {len(ids)} {what}"
        )
    return scores


def _lookup(model: Model, ids: Sequence[str], wanted: Iterable[str]) -> np.ndarray:
    """Catalogue position of each wanted id, -1 when unknown.

    Models over a :class:`Vocabulary` (``model.items``) answer with its hash index; others get a
    dictionary built for the call. (``np.isin`` over object arrays took ~0.5 s per request on a
    100k-item catalogue.)
    """
    wanted = [str(w) for w in wanted]
    vocab = getattr(model, "items", None)
    if isinstance(vocab, Vocabulary) and len(vocab) == len(ids):
        return vocab.indices(wanted)
    index = {item: k for k, item in enumerate(ids)}
    return np.asarray([index.get(w, -1) for w in wanted], dtype=np.int64)


def _positions(model: Model, ids: Sequence[str], wanted: Iterable[str]) -> np.ndarray:
    where = _lookup(model, ids, wanted)
    return where[where >= 0]


def _seed_for(seed: int, key: str | None) -> int:
    digest = hashlib.sha256(f"{seed}:{key or ''}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def _cold_mask(model: Model, age_cutoff_days: float) -> np.ndarray | None:
    counts = getattr(model, "item_counts", None)
    if counts is None:
        return None
    counts = np.asarray(counts, dtype=np.float64)
    if counts.size == 0:
        return None
    limit = min(float(np.quantile(counts, 0.1)), COLD_MAX_INTERACTIONS)
    cold = counts <= limit
    ages = getattr(model, "item_age_days", None)
    if ages is not None:
        ages = np.asarray(ages, dtype=np.float64)
        cold &= np.isnan(ages) | (ages <= age_cutoff_days)
    return cold


def recommend(
    model: Model,
    query: Query,
    n: int = 25,
    *,
    exclude_seen: bool = True,
    exclude: Iterable[str] = (),
    mask: np.ndarray | None = None,
    exploration: tuple[float, float] | None = None,
    candidates: Iterable[str] | None = None,
    seed: int = 0,
    ranking_influence: dict[str, float] | None = None,
) -> list[tuple[str, float | None]]:
    """The top ``n`` items for a GetRecommendations-style query, with scores or None.

    ``ranking_influence`` (Semantic-Similarity's ``{"FRESHNESS": w, "POPULARITY": w}``) is
    passed to models that define ``apply_ranking_influence``.
    """
    ids = list(model.item_ids)
    scores = _check_scores(model, model.score_items(query), ids, "items")
    if ranking_influence and hasattr(model, "apply_ranking_influence"):
        scores = model.apply_ranking_influence(scores, ranking_influence)
    allowed = np.ones(len(ids), dtype=bool)
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != allowed.shape:
            raise EngineError(f"Filter mask has {mask.size} entries for {len(ids)} items")
        allowed &= mask
    if candidates is not None:
        wanted = np.zeros(len(ids), dtype=bool)
        wanted[_positions(model, ids, candidates)] = True
        allowed &= wanted
    blocked = set(exclude)
    if query.item_id is not None:
        blocked.add(query.item_id)
    if exclude_seen and query.user_id is not None:
        blocked.update(model.history(query.user_id))
    if exclude_seen:
        blocked.update(e.item_id for e in query.session_events)
    if blocked:
        allowed[_positions(model, ids, blocked)] = False

    chosen = top_indices(scores, n, allowed)
    if exploration is not None and len(chosen):
        chosen = _explore(model, scores, allowed, chosen, n, exploration, seed, query)
    shown = softmax(scores) if model.returns_scores else None
    return [(ids[k], float(shown[k]) if shown is not None else None) for k in chosen]


def _explore(model, scores, allowed, chosen, n, exploration, seed, query) -> np.ndarray:
    weight, cutoff = float(exploration[0]), float(exploration[1])
    if weight <= 0.0:
        return chosen
    cold = _cold_mask(model, cutoff)
    if cold is None:
        return chosen
    cold_pool = list(top_indices(scores, n, allowed & cold))
    if not cold_pool:
        return chosen
    rng = np.random.default_rng(_seed_for(seed, query.user_id or query.item_id))
    exploit = [k for k in top_indices(scores, n + len(cold_pool), allowed) if k not in cold_pool]
    picked: list[int] = []
    while len(picked) < n and (cold_pool or exploit):
        take_cold = cold_pool and (not exploit or rng.random() < weight)
        source = cold_pool if take_cold else exploit
        k = source.pop(0)
        if k not in picked:
            picked.append(k)
    return np.asarray(picked, dtype=np.int64)


def rank(model: Model, query: Query, item_list: Sequence[str]) -> list[tuple[str, float | None]]:
    """GetPersonalizedRanking: known items by score, then unknown ones (no score) in input order."""
    ids = list(model.item_ids)
    seen: set[str] = set()
    unique = [i for i in item_list if not (i in seen or seen.add(i))]
    where = _lookup(model, ids, unique)
    known = [i for i, k in zip(unique, where, strict=True) if k >= 0]
    unknown = [i for i, k in zip(unique, where, strict=True) if k < 0]
    scores = _check_scores(model, model.score_items(replace(query, item_ids=list(unique))), ids,
                           "items")
    sub = scores[where[where >= 0]]
    order = top_indices(sub, len(known))
    probs = softmax(sub) if model.returns_scores else None
    out: list[tuple[str, float | None]] = [
        (known[k], float(probs[k]) if probs is not None else None) for k in order
    ]
    return out + [(i, None) for i in unknown]


def segment(
    model: Model, query: Query, n: int, *, mask: np.ndarray | None = None
) -> list[tuple[str, float]]:
    """Users most likely to interact with the query's items or attributes (batch segments)."""
    ids = list(model.user_ids)
    scores = _check_scores(model, model.score_users(query), ids, "users")
    allowed = None if mask is None else np.asarray(mask, dtype=bool)
    return [(ids[k], float(scores[k])) for k in top_indices(scores, n, allowed)]


def recommend_actions(
    model: Model,
    query: Query,
    n: int = 5,
    *,
    mask: np.ndarray | None = None,
    exclude: Iterable[str] = (),
    now: float | None = None,
) -> list[tuple[str, float]]:
    """GetActionRecommendations: propensity order, ties by higher VALUE; never expired actions.

    Models may expose ``action_values`` and ``action_expiration`` (epoch seconds, NaN = never)
    aligned with ``model.action_ids``.
    """
    ids = list(model.action_ids)
    scores = _check_scores(model, model.score_actions(query), ids, "actions")
    allowed = np.ones(len(ids), dtype=bool) if mask is None else np.asarray(mask, dtype=bool).copy()
    expiration = getattr(model, "action_expiration", None)
    if expiration is not None:
        when = time.time() if now is None else float(now)
        exp = np.asarray(expiration, dtype=np.float64)
        allowed &= np.isnan(exp) | (exp > when)
    blocked = set(exclude)
    if blocked:
        index = {a: k for k, a in enumerate(ids)}
        allowed[[index[a] for a in blocked if a in index]] = False
    values = getattr(model, "action_values", None)
    values = np.zeros(len(ids)) if values is None else np.nan_to_num(np.asarray(values, float))
    idx = np.flatnonzero(allowed)
    order = np.lexsort((idx, -values[idx], -scores[idx]))
    return [(ids[k], float(scores[k])) for k in idx[order[:max(n, 0)]]]


def item_age_days(creation: np.ndarray, reference: float) -> np.ndarray:
    """Age in days of each item at ``reference`` (epoch seconds); NaN where unknown."""
    creation = np.asarray(creation, dtype=np.float64)
    return (reference - creation) / 86_400.0 if math.isfinite(reference) else creation * np.nan
