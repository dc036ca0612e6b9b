"""Data preparation shared by every recipe.

Each recipe's ``fit`` starts with :func:`prepare_interactions`, which validates the interactions
frame (clear :class:`EngineError` messages, fit for a ``failureReason``), applies the solution's
``eventType``, ``eventValueThreshold`` and ``eventsConfig`` (:func:`apply_event_weights`), and
returns the events sorted by time with string ids.
:func:`trim_user_histories` and :func:`filter_item_counts` implement the percentile
featurization parameters; :func:`seed_everything` and :func:`torch_threads` make training
reproducible. Nothing here imports torch at module level.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from .base import EngineError, FitOptions, TrainingData, TrainingStopped
from .vocab import Vocabulary

REQUIRED = ("USER_ID", "ITEM_ID", "TIMESTAMP")
#: The column :func:`apply_event_weights` adds: each event's eventsConfig weight, relative to the
#: mean weight of the listed types (the guide's example: purchase 0.3 and click 0.1 reward a hit
#: 1.5 and 0.5). Only ratios between types matter, as the guide says.
EVENT_WEIGHT = "_event_weight"


def validate_interactions(frame: pd.DataFrame | None) -> pd.DataFrame:
    """Check the columns and values every recipe relies on; return a clean copy."""
    if frame is None or len(frame) == 0:
        raise EngineError("The Interactions dataset is empty: there is no data to train on.")
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise EngineError(f"The Interactions dataset has no {', '.join(missing)} column.")
    out = frame.copy()
    for col in ("USER_ID", "ITEM_ID"):
        if out[col].isna().any():
            row = int(np.flatnonzero(out[col].isna().to_numpy())[0])
            raise EngineError(f"Interactions row {row} has no {col}.")
        out[col] = out[col].astype(str)
    ts = pd.to_numeric(out["TIMESTAMP"], errors="coerce")
    if ts.isna().any():
        row = int(np.flatnonzero(ts.isna().to_numpy())[0])
        raise EngineError(f"Interactions row {row} has an invalid TIMESTAMP.")
    out["TIMESTAMP"] = ts.astype(np.float64)
    if "EVENT_VALUE" in out.columns:
        out["EVENT_VALUE"] = _event_values(out["EVENT_VALUE"])
    if "EVENT_TYPE" in out.columns:
        out["EVENT_TYPE"] = out["EVENT_TYPE"].astype(str)
    return out


def _event_values(raw: pd.Series) -> pd.Series:
    """EVENT_VALUE as float64, NaN where an event has no value.

    The schema field is nullable (``["null", "float"]``), so a missing value (None, NaN, an empty
    string) is legal. A value that is present must be a finite number: text that is not a number,
    and infinities, are refused with the row named.
    """
    blank = raw.isna() | (raw.astype("string").str.strip() == "").fillna(True)
    values = pd.to_numeric(raw.mask(blank), errors="coerce").astype(np.float64)
    not_numeric = values.isna() & ~blank
    if not_numeric.any():
        row = int(np.flatnonzero(not_numeric.to_numpy())[0])
        raise EngineError(
            f"Interactions row {row} has an invalid EVENT_VALUE {raw.iloc[row]!r}: not a number."
        )
    infinite = np.isinf(values.to_numpy())
    if infinite.any():
        row = int(np.flatnonzero(infinite)[0])
        raise EngineError(f"Interactions row {row} has an invalid EVENT_VALUE: infinite.")
    return values


def restrict_event_types(data: TrainingData, event_types: Iterable[str]) -> TrainingData:
    """The same data with interactions of the given types only (case-insensitive)."""
    wanted = {t.lower() for t in event_types}
    frame = data.interactions
    if frame is None or "EVENT_TYPE" not in frame.columns:
        raise EngineError(
            f"Training needs events of type {', '.join(sorted(event_types))}, but the "
            "Interactions dataset has no EVENT_TYPE column."
        )
    mask = frame["EVENT_TYPE"].astype(str).str.lower().isin(wanted)
    return replace(data, interactions=frame[mask].reset_index(drop=True))


def relative_event_weights(event_weights: Mapping[str, tuple[float | None, float]]
                           ) -> dict[str, float]:
    """eventsConfig's weights by lower-cased type, divided by their mean (see EVENT_WEIGHT)."""
    weights = {str(t).lower(): float(w) for t, (_, w) in event_weights.items()}
    mean = sum(weights.values()) / len(weights) if weights else 0.0
    if mean <= 0:
        raise EngineError("eventsConfig needs at least one event type with a weight above 0.")
    return {t: w / mean for t, w in weights.items()}


def apply_event_weights(frame: pd.DataFrame,
                        event_weights: Mapping[str, tuple[float | None, float]]) -> pd.DataFrame:
    """``frame`` under eventsConfig: only the listed event types (case-insensitive), each at or
    above its own eventValueThreshold (an event without a value does not meet one), with each
    event's relative weight in :data:`EVENT_WEIGHT`."""
    if "EVENT_TYPE" not in frame.columns:
        raise EngineError(
            "eventsConfig was given, but the Interactions dataset has no EVENT_TYPE column.")
    weights = relative_event_weights(event_weights)
    types = frame["EVENT_TYPE"].astype(str).str.lower()
    keep = types.isin(weights.keys())
    for name, (threshold, _) in event_weights.items():
        if threshold is None:
            continue
        if "EVENT_VALUE" not in frame.columns:
            raise EngineError(
                f"eventsConfig gives event type {name} an eventValueThreshold, but the "
                "Interactions dataset has no EVENT_VALUE column.")
        values = pd.to_numeric(frame["EVENT_VALUE"], errors="coerce")
        keep &= (types != str(name).lower()) | (values >= float(threshold))  # NaN fails
    out = frame[keep.to_numpy()].copy()
    out[EVENT_WEIGHT] = types[keep].map(weights).to_numpy(np.float64)
    return out


def prepare_interactions(data: TrainingData, options: FitOptions) -> pd.DataFrame:
    """Validated interactions after eventType / eventValueThreshold / eventsConfig, sorted by
    time (stable).

    With ``eventValueThreshold``, only events whose EVENT_VALUE is at least the threshold are
    kept; events without a value are dropped, as they do not meet it. Both apply together with
    ``eventsConfig`` (:func:`apply_event_weights`) when a solution has both.
    """
    frame = validate_interactions(data.interactions)
    if options.event_type:
        if "EVENT_TYPE" not in frame.columns:
            raise EngineError(
                f"eventType {options.event_type} was given, but the Interactions dataset has "
                "no EVENT_TYPE column."
            )
        frame = frame[frame["EVENT_TYPE"].str.lower() == options.event_type.lower()]
    if options.event_value_threshold is not None:
        if "EVENT_VALUE" not in frame.columns:
            raise EngineError(
                "eventValueThreshold was given, but the Interactions dataset has no "
                "EVENT_VALUE column."
            )
        # events without a value cannot meet a threshold: NaN >= t is False, so they are dropped
        frame = frame[frame["EVENT_VALUE"] >= float(options.event_value_threshold)]
    if options.event_weights:
        frame = apply_event_weights(frame, options.event_weights)
    if len(frame) == 0:
        raise EngineError(
            "No interactions are left after applying the eventType, eventValueThreshold and "
            "eventsConfig filters."
        )
    if frame["USER_ID"].nunique() < 2:
        raise EngineError(
            "Training needs interactions from at least 2 users; the Interactions dataset has "
            f"{frame['USER_ID'].nunique()}."
        )
    return frame.sort_values("TIMESTAMP", kind="stable").reset_index(drop=True)


class HistoryIndex:
    """Which items each training user interacted with (CSR layout), for exclusion at serving."""

    def __init__(self, users: Vocabulary, indptr: np.ndarray, indices: np.ndarray):
        self.users = users
        self.indptr = np.asarray(indptr, dtype=np.int64)
        self.indices = np.asarray(indices, dtype=np.int64)

    @classmethod
    def build(cls, frame: pd.DataFrame, items: Vocabulary) -> HistoryIndex:
        users = Vocabulary(frame["USER_ID"].unique())
        hist = user_histories(frame, users, items)
        indptr = np.zeros(len(users) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum([len(h) for h in hist])
        indices = np.concatenate(hist) if hist else np.zeros(0, dtype=np.int64)
        return cls(users, indptr, indices)

    def items_of(self, user_id: str | None) -> np.ndarray:
        """Item indices in time order (may repeat); empty for unknown users."""
        u = self.users.index(user_id)
        if u is None:
            return np.zeros(0, dtype=np.int64)
        return self.indices[self.indptr[u] : self.indptr[u + 1]]

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "history_users": self.users.to_array(),
            "history_indptr": self.indptr,
            "history_indices": self.indices,
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> HistoryIndex:
        return cls(
            Vocabulary.from_array(arrays["history_users"]),
            arrays["history_indptr"],
            arrays["history_indices"],
        )


def trim_user_histories(
    frame: pd.DataFrame, min_percentile: float = 0.0, max_percentile: float = 1.0
) -> pd.DataFrame:
    """Percentile history trimming (``min/max_user_history_length_percentile``).

    Users whose history is shorter than the ``min_percentile`` quantile of history lengths are
    dropped; histories longer than the ``max_percentile`` quantile are cut to their most recent
    events (the user is kept, so no user loses all their history). ``frame`` must be sorted by
    time.
    """
    if len(frame) == 0 or (min_percentile <= 0.0 and max_percentile >= 1.0):
        return frame
    lengths = frame.groupby("USER_ID", sort=False)["ITEM_ID"].transform("size").to_numpy()
    per_user = frame["USER_ID"].value_counts().to_numpy()
    keep = np.ones(len(frame), dtype=bool)
    if min_percentile > 0.0:
        lo = np.quantile(per_user, min_percentile)
        keep &= lengths >= lo
    if max_percentile < 1.0:
        cap = max(1, int(np.ceil(np.quantile(per_user, max_percentile))))
        # position counted from the end of each user's history: 0 = latest event
        from_end = frame.groupby("USER_ID", sort=False).cumcount(ascending=False).to_numpy()
        keep &= from_end < cap
    trimmed = frame[keep].reset_index(drop=True)
    if len(trimmed) == 0:
        raise EngineError("No interactions are left after user-history percentile filtering.")
    return trimmed


def filter_item_counts(
    frame: pd.DataFrame, min_percentile: float = 0.0, max_percentile: float = 1.0
) -> pd.DataFrame:
    """Drop interactions on items whose interaction count falls outside the percentile band."""
    if len(frame) == 0 or (min_percentile <= 0.0 and max_percentile >= 1.0):
        return frame
    counts = frame["ITEM_ID"].value_counts()
    lo = np.quantile(counts.to_numpy(), min_percentile) if min_percentile > 0 else -np.inf
    hi = np.quantile(counts.to_numpy(), max_percentile) if max_percentile < 1 else np.inf
    allowed = counts.index[(counts >= lo) & (counts <= hi)]
    return frame[frame["ITEM_ID"].isin(allowed)].reset_index(drop=True)


def hyperparameter(options: FitOptions, name: str, default: float | int | str, kind=float):
    """A hyperparameter from ``hyperparameters`` or ``feature_transformation`` (wire strings)."""
    for source in (options.hyperparameters, options.feature_transformation):
        if source and name in source:
            raw = source[name]
            try:
                if kind is bool:
                    return str(raw).strip().lower() == "true"
                if kind is int:
                    return int(float(raw))
                return kind(raw)
            except (TypeError, ValueError):
                raise EngineError(f"Invalid value {raw!r} for hyperparameter {name}") from None
    return default


def item_attribute(data: TrainingData, column: str) -> pd.Series:
    """A numerical Items column (optimizationObjective.itemAttribute) by item id: the newest row
    per item, NaN where a value is missing or not a number."""
    items = data.items
    if items is None or column not in items.frame.columns:
        raise EngineError(f"optimizationObjective.itemAttribute {column} is not a column of the "
                          "Items dataset.")
    frame = items.frame.drop_duplicates("ITEM_ID", keep="last")
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(np.float64)
    return pd.Series(values, index=frame["ITEM_ID"].astype(str).to_numpy())


def catalogue(frame: pd.DataFrame, data: TrainingData) -> Vocabulary:
    """Items the model may recommend: every item in interactions plus the Items dataset."""
    ids = set(frame["ITEM_ID"].unique().tolist())
    if data.items is not None and "ITEM_ID" in data.items.frame.columns:
        ids.update(data.items.frame["ITEM_ID"].astype(str).tolist())
    return Vocabulary(ids)


def user_histories(frame: pd.DataFrame, users: Vocabulary, items: Vocabulary) -> list[np.ndarray]:
    """Per user index, the item indices of their events in time order."""
    u = users.indices(frame["USER_ID"].to_numpy())
    i = items.indices(frame["ITEM_ID"].to_numpy())
    order = np.argsort(u, kind="stable")  # frame is time sorted, so each group stays in order
    u, i = u[order], i[order]
    bounds = np.searchsorted(u, np.arange(len(users) + 1))
    return [i[bounds[k] : bounds[k + 1]] for k in range(len(users))]


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(int(seed)))


def seed_everything(seed: int) -> None:
    """Seed numpy's legacy global state and torch (if loaded) for reproducible training."""
    np.random.seed(int(seed) % (2**32))
    import sys

    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(int(seed))


def torch_threads(options: FitOptions) -> None:
    """Apply ``FitOptions.threads`` (None leaves torch's own setting)."""
    import torch

    if options.threads:
        torch.set_num_threads(max(1, int(options.threads)))


def torch_device(options: FitOptions) -> str:
    import torch

    if options.device:
        return options.device
    return "cuda" if torch.cuda.is_available() else "cpu"


def check_stop(options: FitOptions) -> None:
    if options.should_stop():
        raise TrainingStopped()
