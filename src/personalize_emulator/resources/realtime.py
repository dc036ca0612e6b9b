"""The real-time seam: events received since training, users' interactions, and filters.

The runtime (GetRecommendations and friends) calls three things here:

* :func:`session_events` -- the events PutEvents (or PutActionInteractions) delivered for a
  user or session, oldest first, as ``engines.base.SessionEvent``. Pass ``since`` (the
  model's training start) to keep only events the model has not seen; ``since`` compares with
  the time the emulator *received* the event, because that, not the client's ``sentAt``,
  decides whether a training run read it.
* :func:`user_interactions` -- a user's ``(item_id, event_type, timestamp)`` history for
  interaction filters: the imported rows of the Interactions table plus the events put since.
* :func:`compile_filter` -- a filter ARN checked (ACTIVE, right dataset group) and bound to
  the group's tables; ``CompiledFilter.mask(candidates, user_id=..., item_id=...,
  filter_values=...)`` answers one request (or one batch line) in one call.

Where the data lives. Every put record is appended to its dataset's table (so the next
training and exports see it) and, for interactions, to an in-memory buffer per Interactions /
Action_Interactions dataset (``store.blobs["realtime:<dataset arn>:<created>"]``, living as
long as the dataset), indexed by user key (``userId``, or the ``sessionId`` of an anonymous
event: exactly the USER_ID the table row gets) and by session. Each key keeps its newest
:data:`MAX_EVENTS_PER_KEY` events; filters read at most 100 per event type and sequence
models a few hundred, so the cap loses nothing they use. Imported rows reach filters through a
per-user index of the table's bulk parts, rebuilt only when an import changes them; put rows
reach them through the buffer, so a PutEvents call never forces a re-read of the table.

The runtime's cut-off: pass ``since=version.created`` (a version reads its training data after
it is created), so events already in the model are not replayed on top of it.

De-duplication (api-surface §6.4): an event whose ``eventId`` was already received for the
dataset, or identical to one already received (every member but ``eventId`` equal, for the
same user key), is accepted but stored nowhere, so it is neither trained on nor counted twice.
The buffer remembers the last :data:`MAX_REMEMBERED_EVENTS` of each.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from ..data import DatasetTable, ParsedSchema
from ..engines.base import SessionEvent
from ..engines.filters import Filter, FilterContext, FilterError, parse_filter
from ..protocol.errors import InvalidInputException
from . import lifecycle
from .common import get_record
from .datastore import TYPE_NAMES, table_for
from .store import Store

MAX_EVENTS_PER_KEY = 1000
MAX_REMEMBERED_EVENTS = 100_000
ITEM, ACTION = "item", "action"
ID_FIELDS = {"ITEMS": "ITEM_ID", "USERS": "USER_ID", "ACTIONS": "ACTION_ID"}

Interaction = tuple[str, str | None, float | None]


# --------------------------------------------------------------------------- datasets


def dataset_of(store: Store, dataset_group_arn: str, dataset_type: str) -> Any | None:
    """The group's dataset of ``dataset_type`` (wire spelling, e.g. ``INTERACTIONS``), if any."""
    for record in store.records["dataset"].values():
        if record.dataset_group_arn == dataset_group_arn and record.dataset_type == dataset_type:
            return record
    return None


def group_tables(store: Store, dataset_group_arn: str) -> dict[str, DatasetTable]:
    """``{DATASET_TYPE: table}`` for every dataset of the group (call with ``store.lock``)."""
    return {
        record.dataset_type: table_for(store, record)
        for record in store.records["dataset"].values()
        if record.dataset_group_arn == dataset_group_arn
    }


def field_kind(f: Any) -> str:
    """How filters see a schema field: categorical, textual, numeric, boolean or string."""
    if f.categorical:
        return "categorical"
    if f.textual:
        return "textual"
    if f.numeric:
        return "numeric"
    if f.avro_type == "boolean":
        return "boolean"
    return "string"


def schema_kinds(parsed: ParsedSchema) -> dict[str, str]:
    return {f.name: field_kind(f) for f in parsed.fields}


def group_field_kinds(store: Store, dataset_group_arn: str) -> dict[str, dict[str, str]]:
    """``{"Items": {column: kind}, ...}`` for the group's datasets (``Filter.validate``)."""
    return {
        TYPE_NAMES[t]: schema_kinds(table.parsed)
        for t, table in group_tables(store, dataset_group_arn).items()
    }


# --------------------------------------------------------------------------- the buffer


@dataclass(frozen=True)
class BufferedEvent:
    """One event as received: ``user_key`` is its USER_ID (userId, else sessionId)."""

    user_key: str
    session_id: str
    target_id: str | None  # item id (PutEvents) or action id (PutActionInteractions)
    timestamp: float  # sentAt / timestamp, epoch seconds
    event_type: str
    event_value: float | None
    received: float  # epoch seconds when the emulator stored it
    kind: str = ITEM
    seq: int = 0

    def as_session_event(self) -> SessionEvent:
        return SessionEvent(
            item_id=self.target_id or "",
            timestamp=self.timestamp,
            event_type=self.event_type,
            event_value=self.event_value,
        )


@dataclass
class RealtimeBuffer:
    """A dataset group's received events, by user key and by session (see module docstring)."""

    by_user: dict[str, deque[BufferedEvent]] = field(default_factory=dict)
    by_session: dict[str, deque[BufferedEvent]] = field(default_factory=dict)
    seen_ids: OrderedDict[str, None] = field(default_factory=OrderedDict)
    seen_content: OrderedDict[tuple, None] = field(default_factory=OrderedDict)
    next_seq: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def is_duplicate(self, event_id: str | None, content: tuple) -> bool:
        with self.lock:
            return (event_id is not None and event_id in self.seen_ids) or (
                content in self.seen_content
            )

    def remember(self, event_id: str | None, content: tuple) -> None:
        with self.lock:
            for memory, key in ((self.seen_ids, event_id), (self.seen_content, content)):
                if key is None:
                    continue
                memory[key] = None
                if len(memory) > MAX_REMEMBERED_EVENTS:
                    memory.popitem(last=False)

    def add(self, events: Iterable[BufferedEvent]) -> None:
        with self.lock:
            for event in events:
                self.next_seq += 1
                event = _with_seq(event, self.next_seq)
                for index, key in ((self.by_user, event.user_key),
                                   (self.by_session, event.session_id)):  # fmt: skip
                    index.setdefault(key, deque(maxlen=MAX_EVENTS_PER_KEY)).append(event)

    def select(
        self, user_id: str | None, session_id: str | None, kind: str, since: float | None
    ) -> list[BufferedEvent]:
        with self.lock:
            found: dict[int, BufferedEvent] = {}
            for index, key in ((self.by_user, user_id), (self.by_session, session_id)):
                if key is not None:
                    found.update((e.seq, e) for e in index.get(key, ()))
        chosen = [
            e for e in found.values() if e.kind == kind and (since is None or e.received > since)
        ]
        return sorted(chosen, key=lambda e: (e.timestamp, e.seq))

    def remove_users(self, user_keys: set[str]) -> int:
        """Forget every event of these user keys; returns how many were dropped."""
        with self.lock:
            dropped = 0
            for key in user_keys & self.by_user.keys():
                dropped += len(self.by_user.pop(key))
            for session, events in list(self.by_session.items()):
                kept = deque((e for e in events if e.user_key not in user_keys),
                             maxlen=MAX_EVENTS_PER_KEY)  # fmt: skip
                if not kept:
                    del self.by_session[session]
                elif len(kept) != len(events):
                    self.by_session[session] = kept
            return dropped


def _with_seq(event: BufferedEvent, seq: int) -> BufferedEvent:
    return replace(event, seq=seq)


KIND_DATASETS = {ITEM: ("INTERACTIONS", "ITEM_ID"), ACTION: ("ACTION_INTERACTIONS", "ACTION_ID")}


def _buffer_key(dataset: Any) -> str:
    # The creation time keeps a re-created dataset (same ARN) from seeing old events.
    return f"realtime:{dataset.arn}:{int(dataset.created.timestamp() * 1_000_000)}"


def buffer_for(store: Store, dataset: Any) -> RealtimeBuffer:
    """The buffer of an Interactions / Action_Interactions dataset record, made on first use.

    A buffer lives as long as its dataset; a store reset drops it with the other blobs.
    """
    key = _buffer_key(dataset)
    with store.lock:
        buffer = store.blobs.get(key)
        if buffer is None:
            buffer = store.blobs[key] = RealtimeBuffer()
        return buffer


def _find_buffer(store: Store, dataset_group_arn: str, kind: str) -> RealtimeBuffer | None:
    with store.lock:
        dataset = dataset_of(store, dataset_group_arn, KIND_DATASETS[kind][0])
        return store.blobs.get(_buffer_key(dataset)) if dataset is not None else None


def forget_users(store: Store, dataset_group_arn: str, user_keys: set[str]) -> int:
    """Drop these users' events from the group's buffers (data deletion jobs)."""
    dropped = 0
    for kind in KIND_DATASETS:
        buffer = _find_buffer(store, dataset_group_arn, kind)
        if buffer is not None:
            dropped += buffer.remove_users(set(user_keys))
    return dropped


def _epoch(value: float | datetime | None) -> float | None:
    if value is None:
        return None
    return value.timestamp() if isinstance(value, datetime) else float(value)


def now() -> float:
    return time.time()


def session_events(
    store: Store,
    dataset_group_arn: str,
    user_id: str | None = None,
    session_id: str | None = None,
    *,
    since: float | datetime | None = None,
    kind: str = ITEM,
) -> list[SessionEvent]:
    """Events received for ``user_id`` and/or ``session_id`` (both: the union), oldest first.

    ``user_id`` matches events sent with that ``userId``, and anonymous events whose
    ``sessionId`` it is (the guide lets a sessionId stand for the user in GetRecommendations).
    ``since`` keeps events received after that moment (epoch seconds or a ``datetime``).
    ``kind="action"`` reads PutActionInteractions events (``item_id`` holds the action id).
    """
    if user_id is None and session_id is None:
        return []
    buffer = _find_buffer(store, dataset_group_arn, kind)
    if buffer is None:
        return []
    chosen = buffer.select(user_id, session_id, kind, _epoch(since))
    return [e.as_session_event() for e in chosen]


# --------------------------------------------------------------------------- table caches


def _cached(store: Store, table: DatasetTable, selection: str, build: Any) -> Any:
    """``build(table)`` memoised until the table's parts of ``selection`` change."""
    key = f"realtime-cache:{table.directory}:{selection}"
    stamp = tuple(p.name for p in table.parts(selection))  # type: ignore[arg-type]
    cached = store.blobs.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    value = build(table)
    store.blobs[key] = (stamp, value)
    return value


def metadata_frame(store: Store, table: DatasetTable) -> pd.DataFrame:
    """An Items / Users / Actions table as a frame indexed by its id (newest record per id)."""

    def build(t: DatasetTable) -> pd.DataFrame:
        frame = t.read("ALL")
        return frame.set_index(t.key, drop=False) if t.key else frame

    return _cached(store, table, "ALL", build)


@dataclass
class InteractionIndex:
    """Rows of an interactions table grouped by USER_ID, with ids and event types factorised."""

    users: dict[str, int]
    bounds: np.ndarray  # rows of user k: order[bounds[k]:bounds[k + 1]]
    order: np.ndarray
    targets: np.ndarray  # codes into target_names
    target_names: np.ndarray
    types: np.ndarray | None  # codes into type_names (-1: null)
    type_names: np.ndarray | None
    timestamps: np.ndarray

    @classmethod
    def build(cls, frame: pd.DataFrame, target_column: str) -> InteractionIndex:
        user_codes, user_names = pd.factorize(frame["USER_ID"])
        order = np.argsort(user_codes, kind="stable")
        bounds = np.searchsorted(user_codes[order], np.arange(len(user_names) + 1))
        targets, target_names = pd.factorize(frame[target_column])
        types = type_names = None
        if "EVENT_TYPE" in frame.columns:
            types, type_names = pd.factorize(frame["EVENT_TYPE"])
        return cls(
            users={str(u): k for k, u in enumerate(user_names)},
            bounds=bounds,
            order=order,
            targets=targets,
            target_names=np.asarray(target_names, dtype=object),
            types=types,
            type_names=None if type_names is None else np.asarray(type_names, dtype=object),
            timestamps=frame["TIMESTAMP"].to_numpy(dtype=float, na_value=np.nan),
        )

    def for_user(self, user_id: str) -> list[Interaction]:
        k = self.users.get(user_id)
        if k is None:
            return []
        rows = self.order[self.bounds[k] : self.bounds[k + 1]]
        out: list[Interaction] = []
        for r in rows:
            etype = None
            if self.types is not None and self.types[r] >= 0:
                etype = str(self.type_names[self.types[r]])  # type: ignore[index]
            out.append((str(self.target_names[self.targets[r]]), etype, float(self.timestamps[r])))
        return out


def _bulk_index(store: Store, table: DatasetTable, target_column: str) -> InteractionIndex:
    columns = ["USER_ID", target_column, "TIMESTAMP"]
    if table.parsed.field("EVENT_TYPE") is not None:
        columns.append("EVENT_TYPE")

    def build(t: DatasetTable) -> InteractionIndex:
        frame = t.read_arrow("BULK", newest_per_id=False).select(columns).to_pandas()
        return InteractionIndex.build(frame, target_column)

    return _cached(store, table, "BULK", build)


def interactions_lookup(
    store: Store, dataset_group_arn: str, *, kind: str = ITEM
) -> Callable[[str], list[Interaction]]:
    """A function user id -> ``(item_id, event_type, timestamp)`` list, imported and put.

    Resolves the table, its index and the buffer once, so asking for many users (UserID
    filters, batch jobs) costs one dictionary lookup per user.
    """
    dataset_type, target = KIND_DATASETS[kind]
    with store.lock:
        record = dataset_of(store, dataset_group_arn, dataset_type)
        table = table_for(store, record) if record is not None else None
        buffer = store.blobs.get(_buffer_key(record)) if record is not None else None
    index = _bulk_index(store, table, target) if table is not None else None

    def lookup(user_id: str) -> list[Interaction]:
        history = index.for_user(user_id) if index is not None else []
        if buffer is not None:
            for event in buffer.select(user_id, None, kind, None):
                if event.user_key == user_id and event.target_id is not None:
                    history.append((event.target_id, event.event_type, event.timestamp))
        return history

    return lookup


def user_interactions(
    store: Store, dataset_group_arn: str, user_id: str, *, kind: str = ITEM
) -> list[Interaction]:
    """``(item_id, event_type, timestamp)`` of the user's interactions, imported and put.

    ``kind="action"`` reads the Action_Interactions dataset (ids are action ids).
    """
    return interactions_lookup(store, dataset_group_arn, kind=kind)(user_id)


# --------------------------------------------------------------------------- filters


def filter_record(store: Store, filter_arn: str, member: str = "filterArn") -> Any:
    """An ACTIVE filter's record (InvalidInput for a wrong ARN or a filter not yet ACTIVE)."""
    with store.lock:
        record = get_record(store, "filter", filter_arn, member)
        if record.status != lifecycle.ACTIVE:
            raise InvalidInputException(
                f"Filter {filter_arn} is in {record.status} state; only ACTIVE filters can be used."
            )
        return record


@dataclass
class CompiledFilter:
    """A filter bound to its dataset group's tables; build with :func:`compile_filter`."""

    arn: str
    filter: Filter
    dataset_group_arn: str
    store: Store
    items: pd.DataFrame | None = None
    users: pd.DataFrame | None = None
    actions: pd.DataFrame | None = None
    field_kinds: Mapping[str, Mapping[str, str]] | None = None

    @property
    def target(self) -> str:
        return self.filter.target

    def context(
        self,
        user_id: str | None = None,
        item_id: str | None = None,
        filter_values: Mapping[str, str] | None = None,
    ) -> FilterContext:
        """The ``FilterContext`` of one request; interactions are read only if needed."""
        f = self.filter
        datasets = f.datasets()
        uses_items = "Interactions" in datasets and f.target != "UserID"
        uses_actions = "Action_Interactions" in datasets and f.target != "UserID"
        store, group = self.store, self.dataset_group_arn
        return FilterContext(
            items=self.items,
            users=self.users,
            actions=self.actions,
            user_id=user_id,
            user_interactions=(
                user_interactions(store, group, user_id) if uses_items and user_id else ()
            ),
            user_action_interactions=(
                user_interactions(store, group, user_id, kind=ACTION)
                if uses_actions and user_id
                else ()
            ),
            item_interactions_by_user=(
                interactions_lookup(store, group)
                if f.target == "UserID" and f.uses_interactions
                else None
            ),
            current_item_id=item_id,
            filter_values=dict(filter_values or {}),
            field_kinds=self.field_kinds,
        )

    def mask(
        self,
        candidate_ids: Sequence[str],
        *,
        user_id: str | None = None,
        item_id: str | None = None,
        filter_values: Mapping[str, str] | None = None,
    ) -> np.ndarray:
        """One bool per candidate, True = keep. Bad ``filterValues`` -> InvalidInputException."""
        try:
            return self.filter.mask(candidate_ids, self.context(user_id, item_id, filter_values))
        except FilterError as exc:
            raise InvalidInputException(exc.message) from None


def compile_filter(
    store: Store,
    filter_arn: str,
    *,
    dataset_group_arn: str | None = None,
    member: str = "filterArn",
) -> CompiledFilter:
    """Check ``filter_arn`` (ACTIVE; in ``dataset_group_arn`` when given) and bind it to the
    group's current tables. Reuse the result for every line of a batch job."""
    record = filter_record(store, filter_arn, member)
    if dataset_group_arn is not None and record.dataset_group_arn != dataset_group_arn:
        raise InvalidInputException(
            f"Filter {filter_arn} belongs to dataset group {record.dataset_group_arn}, not to"
            f" {dataset_group_arn}."
        )
    try:
        parsed = parse_filter(record.filter_expression)
    except FilterError as exc:  # validated at CreateFilter; only a changed grammar gets here
        raise InvalidInputException(exc.message) from None
    group = record.dataset_group_arn
    with store.lock:
        tables = group_tables(store, group)
    frames: dict[str, pd.DataFrame | None] = {}
    for dataset_type, name in (("ITEMS", "Items"), ("USERS", "Users"), ("ACTIONS", "Actions")):
        table = tables.get(dataset_type)
        wanted = name in parsed.datasets()
        frames[name] = metadata_frame(store, table) if wanted and table is not None else None
    return CompiledFilter(
        arn=filter_arn,
        filter=parsed,
        dataset_group_arn=group,
        store=store,
        items=frames["Items"],
        users=frames["Users"],
        actions=frames["Actions"],
        field_kinds={TYPE_NAMES[t]: schema_kinds(tb.parsed) for t, tb in tables.items()},
    )


def filter_context(
    store: Store,
    filter_arn: str,
    *,
    dataset_group_arn: str | None = None,
    user_id: str | None = None,
    item_id: str | None = None,
    filter_values: Mapping[str, str] | None = None,
) -> tuple[Filter, FilterContext]:
    """The parsed filter and the ``FilterContext`` of one request, for callers that want to
    call ``Filter.mask`` themselves (most want ``compile_filter(...).mask(...)``)."""
    compiled = compile_filter(store, filter_arn, dataset_group_arn=dataset_group_arn)
    return compiled.filter, compiled.context(user_id, item_id, filter_values)
