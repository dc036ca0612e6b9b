"""A dataset group's tables as the engines' ``TrainingData``, and Personalize's data minimums.

Each dataset of the group is read from its ``DatasetTable`` (Items / Users / Actions keep the
newest record per id); column kinds come from the dataset's schema, so recipes know which
columns are categorical, textual or numeric. Missing optional datasets are ``None``.

:func:`check_minimums` applies the service's rules before any training starts: at least 1000
interactions, and at least 25 users with at least 2 interactions each, both counted after the
solution's ``eventType`` (case-insensitive, like filters), ``eventValueThreshold`` and
``eventsConfig`` (its event types, each with its own threshold). Failing them is a ``CREATE
FAILED`` with the service's own wording, not an API error. :func:`event_types` reads the
distinct event types of an Interactions table (one column) for CreateSolutionVersion's check of
an ``eventsConfig``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..data import field_kinds
from ..engines.dataset import FieldKinds, Table, TrainingData
from ..engines.training import apply_event_weights
from . import datastore
from .jobs import JobFailed
from .store import Store

MIN_INTERACTIONS = 1000
MIN_USERS = 25
MIN_USER_INTERACTIONS = 2


def datasets_of(store: Store, group_arn: str) -> dict[str, Any]:
    """The group's dataset records by type (``INTERACTIONS``, ``ITEMS``...)."""
    return {
        d.dataset_type: d
        for d in store.records["dataset"].values()
        if d.dataset_group_arn == group_arn
    }


def tables_of(store: Store, group_arn: str) -> dict[str, Any]:
    """Under ``store.lock``: each dataset's ``DatasetTable`` with its kinds, by type."""
    return {t: datastore.table_for(store, d) for t, d in datasets_of(store, group_arn).items()}


def _kinds(table: Any) -> FieldKinds:
    return FieldKinds(**vars(field_kinds(table.parsed)))


def _frame(table: Any) -> pd.DataFrame:
    frame = table.read()
    for column in ("USER_ID", "ITEM_ID", "ACTION_ID"):
        if column in frame.columns:
            frame[column] = frame[column].astype(str)
    return frame


def assemble(tables: dict[str, Any]) -> TrainingData:
    """Read ``tables`` (from :func:`tables_of`) into ``TrainingData``; safe outside the lock."""
    interactions = tables.get("INTERACTIONS")
    if interactions is None:
        raise JobFailed("Create failed. The dataset group has no Interactions dataset.")

    def table(kind: str) -> Table | None:
        t = tables.get(kind)
        return None if t is None else Table(_frame(t), _kinds(t))

    action_interactions = tables.get("ACTION_INTERACTIONS")
    return TrainingData(
        interactions=_frame(interactions),
        items=table("ITEMS"),
        users=table("USERS"),
        actions=table("ACTIONS"),
        action_interactions=(None if action_interactions is None else _frame(action_interactions)),
        interaction_kinds=_kinds(interactions),
    )


def event_types(table: Any) -> set[str]:
    """The distinct EVENT_TYPE values (lower-cased) of an Interactions ``DatasetTable``, reading
    only that column (parts written before the column existed have none)."""
    found: set[str] = set()
    with table.lock:
        for path in table.parts():
            part = pq.ParquetFile(path)
            if "EVENT_TYPE" in part.schema_arrow.names:
                column = part.read(columns=["EVENT_TYPE"]).column(0)
                found.update(str(v).lower() for v in pc.unique(column).to_pylist() if v is not None)
    return found


def filter_events(
    frame: pd.DataFrame,
    event_type: str | None,
    event_value_threshold: float | None,
    event_weights: Mapping[str, tuple[float | None, float]] | None = None,
) -> pd.DataFrame:
    """The interactions a solution trains on: its event type, value threshold and eventsConfig
    applied."""
    if event_type and "EVENT_TYPE" in frame.columns:
        frame = frame[frame["EVENT_TYPE"].astype(str).str.lower() == event_type.lower()]
    if event_value_threshold is not None and "EVENT_VALUE" in frame.columns:
        frame = frame[frame["EVENT_VALUE"].astype(float) >= event_value_threshold]
    if event_weights:
        frame = apply_event_weights(frame, event_weights)
    return frame


def check_minimums(
    data: TrainingData,
    event_type: str | None = None,
    event_value_threshold: float | None = None,
    event_weights: Mapping[str, tuple[float | None, float]] | None = None,
) -> None:
    """Raise ``JobFailed`` (a CREATE FAILED reason) when the data is below the service minimums."""
    frame = filter_events(data.interactions, event_type, event_value_threshold, event_weights)
    if event_type and "EVENT_TYPE" not in data.interactions.columns:
        raise JobFailed(
            f"Create failed. eventType {event_type} was given but the Interactions dataset has"
            " no EVENT_TYPE column."
        )
    if event_value_threshold is not None and "EVENT_VALUE" not in data.interactions.columns:
        raise JobFailed(
            "Create failed. eventValueThreshold was given but the Interactions dataset has no"
            " EVENT_VALUE column."
        )
    scope = _scope(event_type, event_value_threshold, bool(event_weights))
    if len(frame) < MIN_INTERACTIONS:
        raise JobFailed(
            f"Create failed. Dataset has fewer than {MIN_INTERACTIONS} interactions"
            f"{scope} (found {len(frame)})."
        )
    per_user = frame["USER_ID"].value_counts()
    active = int((per_user >= MIN_USER_INTERACTIONS).sum())
    if active < MIN_USERS:
        raise JobFailed(
            f"Create failed. Dataset has fewer than {MIN_USERS} users with at least"
            f" {MIN_USER_INTERACTIONS} interactions each."
        )


def _scope(event_type: str | None, threshold: float | None, events_config: bool = False) -> str:
    parts = []
    if event_type:
        parts.append(f"of event type {event_type}")
    if threshold is not None:
        parts.append(f"with an event value of at least {threshold:g}")
    if events_config:
        parts.append("of the eventsConfig event types and thresholds")
    return (" " + " and ".join(parts)) if parts else ""
