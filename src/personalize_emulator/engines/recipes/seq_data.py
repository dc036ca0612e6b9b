"""Turn :class:`TrainingData` into what the sequence recipes train on.

Shared by the GRU (``hrnn``) and transformer (``sasrec``) recipes:

* :func:`prepare` checks the interactions, applies the solution's ``eventType``,
  ``eventValueThreshold`` and ``eventsConfig``, orders every user's events by time (ties keep
  dataset order) and builds the integer vocabularies. Item index 0 is padding; warm items (with
  interactions) come first, then cold items known only from the Items dataset, so ``1..n_warm`` is
  what the softmax trains on. Under ``eventsConfig`` each event also gets a loss weight: its
  type's weight, scaled so the kept events' weights average 1 (the loss keeps its size; only the
  ratios between types matter, as the guide says).
* :func:`objective_values` turns an ``optimizationObjective`` column into one standardised value
  per item (``z(log1p(value))``; items without a value get 0, the mean).
* :class:`MetaEncoding` encodes Items/Users metadata as a bag of tokens (categorical values,
  words of textual fields) plus standardised numeric columns; contextual interaction columns
  become tokens per event.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..base import EngineError, FitOptions
from ..dataset import FieldKinds, Table, TrainingData
from ..training import EVENT_WEIGHT, item_attribute, prepare_interactions

REQUIRED = ("USER_ID", "ITEM_ID", "TIMESTAMP")
_WORD = re.compile(r"[a-z0-9]+")
MAX_TOKENS_PER_ROW = 16
MAX_META_VOCAB = 4096


@dataclass
class MetaEncoding:
    """Token bags and numeric features for one metadata table, row-aligned to a vocabulary.

    ``tokens[r]`` holds up to :data:`MAX_TOKENS_PER_ROW` token ids (0 = none) and
    ``numeric[r]`` the standardised numeric columns of vocabulary row ``r`` (row 0 = padding).
    """

    vocab: list[str] = field(default_factory=list)  # token strings; id = position + 1
    numeric_columns: list[str] = field(default_factory=list)
    numeric_mean: list[float] = field(default_factory=list)
    numeric_std: list[float] = field(default_factory=list)
    tokens: np.ndarray = field(default_factory=lambda: np.zeros((1, 1), np.int64))
    numeric: np.ndarray = field(default_factory=lambda: np.zeros((1, 0), np.float32))

    @property
    def n_tokens(self) -> int:
        return len(self.vocab) + 1

    def config(self) -> dict:
        return {"vocab": self.vocab, "numeric_columns": self.numeric_columns,
                "numeric_mean": self.numeric_mean, "numeric_std": self.numeric_std}


def _row_tokens(row: pd.Series, categorical: list[str], textual: list[str]) -> list[str]:
    out: list[str] = []
    for col in categorical:
        v = row.get(col)
        if isinstance(v, str) and v:
            out.extend(f"{col}={part.strip().lower()}" for part in v.split("|") if part.strip())
        elif v is not None and not (isinstance(v, float) and np.isnan(v)):
            out.append(f"{col}={str(v).lower()}")
    for col in textual:
        v = row.get(col)
        if isinstance(v, str):
            out.extend(f"{col}:{w}" for w in _WORD.findall(v.lower()))
    return out


def encode_table(table: Table | None, ids: list[str], id_column: str,
                 base: MetaEncoding | None = None) -> MetaEncoding | None:
    """Encode ``table`` for vocabulary ``ids``; with ``base``, reuse its token vocabulary."""
    if table is None or table.frame is None or len(table.frame) == 0:
        return None
    frame = table.frame.drop_duplicates(id_column, keep="last").set_index(id_column)
    kinds = table.kinds
    categorical = sorted(c for c in (kinds.categorical | kinds.boolean) if c in frame.columns)
    textual = sorted(c for c in kinds.textual if c in frame.columns)
    numeric = sorted(c for c in kinds.numeric if c in frame.columns and c != "CREATION_TIMESTAMP")
    if base is not None:
        numeric = [c for c in base.numeric_columns if c in frame.columns]
    per_row: list[list[str]] = []
    rows = frame.reindex([str(i) for i in ids])
    for _, row in rows.iterrows():
        per_row.append(_row_tokens(row, categorical, textual))
    if base is None:
        counts = Counter(t for toks in per_row for t in set(toks))
        vocab = [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_META_VOCAB]]
        enc = MetaEncoding(vocab=vocab, numeric_columns=numeric)
        values = rows[numeric].apply(pd.to_numeric, errors="coerce").to_numpy(np.float64) \
            if numeric else np.zeros((len(ids), 0))
        enc.numeric_mean = [float(x) for x in np.nan_to_num(np.nanmean(values, axis=0))] \
            if numeric and np.isfinite(values).any() else [0.0] * len(numeric)
        std = np.nanstd(values, axis=0) if numeric else np.zeros(0)
        enc.numeric_std = [float(s) if np.isfinite(s) and s > 0 else 1.0 for s in std]
    else:
        enc = MetaEncoding(vocab=list(base.vocab), numeric_columns=numeric,
                           numeric_mean=list(base.numeric_mean), numeric_std=list(base.numeric_std))
    index = {t: k + 1 for k, t in enumerate(enc.vocab)}
    width = max(1, min(MAX_TOKENS_PER_ROW, max((len(t) for t in per_row), default=1)))
    tokens = np.zeros((len(ids) + 1, width), np.int64)
    for r, toks in enumerate(per_row, start=1):
        ids_r = [index[t] for t in toks if t in index][:width]
        tokens[r, : len(ids_r)] = ids_r
    enc.tokens = tokens
    if enc.numeric_columns:
        values = rows[enc.numeric_columns].apply(pd.to_numeric, errors="coerce").to_numpy(np.float64)
        values = (values - np.array(enc.numeric_mean)) / np.array(enc.numeric_std)
        num = np.zeros((len(ids) + 1, len(enc.numeric_columns)), np.float32)
        num[1:] = np.clip(np.nan_to_num(values, nan=0.0), -5, 5)
        enc.numeric = num
    else:
        enc.numeric = np.zeros((len(ids) + 1, 0), np.float32)
    return enc


@dataclass
class Prepared:
    """Integer-coded training data for the sequence recipes."""

    item_ids: list[str]  # vocabulary, item index = position + 1
    n_warm: int
    user_ids: list[str]  # user index = position
    sequences: list[np.ndarray]  # per user index: item indices, time order
    times: list[np.ndarray]
    contexts: list[np.ndarray] | None  # per user: (len, n_ctx_cols) token ids, or None
    context_columns: list[str]
    context_vocab: list[str]
    item_meta: MetaEncoding | None
    user_meta: MetaEncoding | None
    popularity: np.ndarray  # counts per item index (length n_items + 1)
    weights: list[np.ndarray] | None = None  # per user: eventsConfig loss weight of each event


def _context_tokens(frame: pd.DataFrame, kinds: FieldKinds) -> tuple[list[str], list[str], np.ndarray]:
    skip = {"USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE", "IMPRESSION",
            "RECOMMENDATION_ID", "EVENT_ATTRIBUTION_SOURCE"}
    cols = sorted(c for c in (kinds.categorical | kinds.boolean) if c in frame.columns and c not in skip)
    if not cols:
        return [], [], np.zeros((len(frame), 0), np.int64)
    strings = np.stack([frame[c].astype(str).str.lower().map(lambda v, c=c: f"{c}={v}").to_numpy()
                        for c in cols], axis=1)
    vocab = sorted(set(strings.ravel().tolist()))
    index = {t: k + 1 for k, t in enumerate(vocab)}
    tok = np.vectorize(index.__getitem__, otypes=[np.int64])(strings)
    return cols, vocab, tok


def prepare(data: TrainingData, options: FitOptions, *, use_metadata: bool,
            include_cold_items: bool) -> Prepared:
    """Validate, filter and integer-code ``data``."""
    if data is None or data.interactions is None:
        raise EngineError("The Interactions dataset is required to train this recipe.")
    frame = prepare_interactions(data, options)  # validated, filtered, time-sorted (stable)
    frame["_row"] = np.arange(len(frame))
    frame = frame.sort_values(["USER_ID", "TIMESTAMP", "_row"], kind="mergesort")
    counts = frame.groupby("USER_ID").size()
    if int((counts >= 2).sum()) < 2:
        raise EngineError(
            f"Dataset has fewer than 2 users with at least 2 interactions each (found "
            f"{int((counts >= 2).sum())} among {len(counts)} user(s)); a sequence model needs more.")
    warm = sorted(frame["ITEM_ID"].unique().tolist())
    cold: list[str] = []
    if include_cold_items and data.items is not None and len(data.items.frame):
        known = set(warm)
        cold = sorted({str(i) for i in data.items.frame["ITEM_ID"].tolist()} - known)
    item_ids = warm + cold
    n_warm = len(warm)
    item_index = {it: k + 1 for k, it in enumerate(item_ids)}
    users = sorted(frame["USER_ID"].unique().tolist())
    if use_metadata and data.users is not None and len(data.users.frame):
        users = sorted(set(users) | {str(u) for u in data.users.frame["USER_ID"].tolist()})
    user_index = {u: k for k, u in enumerate(users)}

    codes = frame["ITEM_ID"].map(item_index).to_numpy(np.int64)
    uidx = frame["USER_ID"].map(user_index).to_numpy(np.int64)
    ts = frame["TIMESTAMP"].to_numpy(np.float64)
    ew = _event_weights(frame)
    ctx_cols, ctx_vocab, ctx_tok = _context_tokens(frame, data.interaction_kinds) if use_metadata \
        else ([], [], np.zeros((len(frame), 0), np.int64))
    # frame is grouped by user (sorted by USER_ID): split into per-user runs
    bounds = np.flatnonzero(np.diff(uidx)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [len(frame)]])
    sequences: list[np.ndarray] = [np.zeros(0, np.int64) for _ in users]
    times: list[np.ndarray] = [np.zeros(0, np.float64) for _ in users]
    contexts: list[np.ndarray] | None = [np.zeros((0, len(ctx_cols)), np.int64) for _ in users] \
        if ctx_cols else None
    weights = None if ew is None else [np.zeros(0, np.float64) for _ in users]
    for s, e in zip(starts, ends, strict=True):
        u = int(uidx[s])
        sequences[u] = codes[s:e]
        times[u] = ts[s:e]
        if weights is not None:
            weights[u] = ew[s:e]
        if contexts is not None:
            contexts[u] = ctx_tok[s:e]
    pop = np.bincount(codes, minlength=len(item_ids) + 1).astype(np.float64)
    item_meta = encode_table(data.items, item_ids, "ITEM_ID") if use_metadata else None
    user_meta = encode_table(data.users, users, "USER_ID") if use_metadata else None
    return Prepared(item_ids=item_ids, n_warm=n_warm, user_ids=users, sequences=sequences,
                    times=times, contexts=contexts, context_columns=ctx_cols,
                    context_vocab=ctx_vocab, item_meta=item_meta, user_meta=user_meta,
                    popularity=pop, weights=weights)


def _event_weights(frame: pd.DataFrame) -> np.ndarray | None:
    """Each event's eventsConfig weight with mean 1 over the events, or None without one."""
    if EVENT_WEIGHT not in frame.columns:
        return None
    w = frame[EVENT_WEIGHT].to_numpy(np.float64)
    if not w.mean() > 0:
        raise EngineError("Every interaction left for training has weight 0 in eventsConfig; "
                          "give at least one of their event types a weight above 0.")
    return w / w.mean()


def objective_values(data: TrainingData, item_ids: list[str], column: str) -> np.ndarray:
    """``z(log1p(value))`` of an Items column per item index (0 = padding, and items without a
    number get 0); signed ``log1p(|x|)`` so negative values keep their order."""
    values = item_attribute(data, column).reindex(item_ids).to_numpy(np.float64)
    logged = np.sign(values) * np.log1p(np.abs(values))
    out = np.zeros(len(item_ids) + 1)
    known = np.isfinite(logged)
    if known.sum() >= 2:
        sd = float(logged[known].std())
        out[1:][known] = (logged[known] - float(logged[known].mean())) / (sd if sd > 1e-12 else 1.0)
    return out


def training_spans(prep: Prepared, min_percentile: float, max_percentile: float) -> list[tuple[int, int]]:
    """(user, start) of the part of each history the network trains on.

    The HRNN featurisation percentiles, with the semantics of ``training.trim_user_histories``:
    users shorter than the ``min`` quantile of history lengths are left out, histories longer
    than the ``max`` quantile are cut to their most recent events. Serving still sees the whole
    history.
    """
    lengths = np.array([len(s) for s in prep.sequences], np.float64)
    active = np.flatnonzero(lengths >= 2)
    if len(active) == 0:
        return []
    lo = np.quantile(lengths[lengths > 0], min(max(min_percentile, 0.0), 1.0)) \
        if min_percentile > 0 else 0
    cap = int(np.ceil(np.quantile(lengths[lengths > 0], min(max(max_percentile, 0.0), 1.0)))) \
        if max_percentile < 1 else None
    spans = []
    for u in active:
        n = int(lengths[u])
        if n < lo:
            continue
        start = max(0, n - cap) if cap is not None and cap >= 2 else 0
        spans.append((int(u), start))
    return spans
