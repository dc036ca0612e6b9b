"""personalize-events: PutEvents, PutItems, PutUsers, PutActions, PutActionInteractions.

Every call is all or nothing: all records are mapped and checked against the dataset's schema
first (``data.records.record_from_properties`` for the camelCase ``properties`` keys, then
``data.convert_records`` for types, exactly as an import checks a CSV row), and only then
appended to the table in one part. One bad record fails the call and stores nothing. Messages
number records from 1, like the validator's member paths (``eventList.2``).

PutEvents maps each event to an Interactions row (api-surface §6.4): USER_ID is ``userId``, or
the ``sessionId`` for an anonymous event; TIMESTAMP is ``sentAt`` in epoch seconds; EVENT_TYPE,
EVENT_VALUE, IMPRESSION (``|``-joined), RECOMMENDATION_ID and EVENT_ATTRIBUTION_SOURCE come from
their members when the schema has those columns (``eventType`` is required by the API even
when the schema has no EVENT_TYPE, and is then dropped); other columns come from
``properties``. Rows also go to the group's real-time buffer (``resources.realtime``), and
events naming a metric attribution source are counted by the group's metric attribution.

PutEvents declares only ``InvalidInputException``, so an unknown or inactive tracker, or a
group without an ACTIVE Interactions dataset, is InvalidInput. PutActionInteractions finds its
dataset by the Action_Interactions dataset's own ``trackingId``; an unknown one is
``ResourceNotFoundException`` (declared by that operation), a dataset not ACTIVE is
``ResourceInUseException``, as for PutItems / PutUsers / PutActions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa

from ...data import ImportValidationError, convert_records
from ...data.records import EVENT_FORBIDDEN_PROPERTIES, property_key, record_from_properties
from ...protocol.errors import (
    InvalidInputException,
    ResourceInUseException,
    ResourceNotFoundException,
)
from .. import lifecycle, realtime
from ..common import get_record
from ..datastore import TYPE_NAMES, table_for
from ..handlers import handler
from ..realtime import ACTION, ITEM, BufferedEvent
from ..store import Store
from . import metric_attributions
from .event_trackers import tracker_by_tracking_id

SERVICE = "personalize-events"


def _epoch_seconds(value: datetime) -> int:
    return int(value.timestamp())


def _fail(member: str, exc: ImportValidationError) -> InvalidInputException:
    return InvalidInputException(f"Invalid {member}: {exc}")


def _rows(
    records: Sequence[Mapping[str, Any]],
    parsed: Any,
    *,
    member: str,
    noun: str,
    fixed_of: Any,
    forbidden_of: Any,
) -> pa.Table:
    """Map wire records to schema rows and convert them; InvalidInput on the first problem."""
    names = set(parsed.names)
    rows = []
    for i, rec in enumerate(records, start=1):
        fixed = {k: v for k, v in fixed_of(rec).items() if k in names}
        try:
            row = record_from_properties(
                rec.get("properties"),
                parsed,
                fixed=fixed,
                forbidden=forbidden_of(rec),
                label=f"{noun} {i}: properties",
            )
        except ImportValidationError as exc:
            raise _fail(member, exc) from None
        for f in parsed.fields:
            if not f.nullable and row.get(f.name) in (None, ""):
                raise InvalidInputException(
                    f"Invalid {member}: {noun} {i} has no value for {f.name}, which the dataset"
                    f" schema requires (property key {property_key(f.name)!r})."
                )
        rows.append(row)
    try:
        return convert_records(rows, parsed, label=noun)
    except ImportValidationError as exc:
        raise _fail(member, exc) from None


# --------------------------------------------------------------------------- PutEvents


def _event_row(event: Mapping[str, Any], user_key: str) -> dict[str, str | None]:
    value = event.get("eventValue")
    attribution = (event.get("metricAttribution") or {}).get("eventAttributionSource")
    return {
        "USER_ID": user_key,
        "ITEM_ID": event.get("itemId"),
        "TIMESTAMP": str(_epoch_seconds(event["sentAt"])),
        "EVENT_TYPE": event["eventType"],
        "EVENT_VALUE": None if value is None else repr(float(value)),
        "IMPRESSION": "|".join(event["impression"]) if event.get("impression") else None,
        "RECOMMENDATION_ID": event.get("recommendationId"),
        "EVENT_ATTRIBUTION_SOURCE": attribution,
    }


def _event_forbidden(event: Mapping[str, Any]) -> tuple[str, ...]:
    # itemId may travel in properties (the 2018 API did so) unless the member is set too.
    return EVENT_FORBIDDEN_PROPERTIES + (("itemId",) if event.get("itemId") else ())


def _content_key(user_key: str, event: Mapping[str, Any]) -> tuple:
    """What makes two events the same: every member but ``eventId``, properties as JSON."""
    members = []
    for name, value in sorted(event.items()):
        if name == "eventId":
            continue
        if name == "properties":
            value = _canonical(value)
        elif isinstance(value, datetime):
            value = value.timestamp()
        members.append((name, json.dumps(value, sort_keys=True, default=str)))
    return (user_key, tuple(members))


def _canonical(properties: str | None) -> str | None:
    if properties is None:
        return None
    try:
        return json.dumps(json.loads(properties), sort_keys=True)
    except ValueError:
        return properties


def _interactions_dataset(
    store: Store, dataset_group_arn: str, dataset_type: str, why: str
) -> tuple[Any, Any]:
    """The group's ACTIVE dataset of ``dataset_type`` and its table (InvalidInput otherwise)."""
    dataset = realtime.dataset_of(store, dataset_group_arn, dataset_type)
    if dataset is None:
        raise InvalidInputException(
            f"Dataset group {dataset_group_arn} has no {TYPE_NAMES[dataset_type]} dataset; {why}"
        )
    if dataset.status != lifecycle.ACTIVE:
        raise InvalidInputException(
            f"The {TYPE_NAMES[dataset_type]} dataset {dataset.arn} is in {dataset.status} state;"
            " records can be sent only to an ACTIVE dataset."
        )
    return dataset, table_for(store, dataset)


@handler(SERVICE, "PutEvents")
def put_events(
    store: Store,
    *,
    trackingId: str,
    sessionId: str,
    eventList: list[dict[str, Any]],
    userId: str | None = None,
) -> None:
    with store.lock:
        tracker = tracker_by_tracking_id(store, trackingId)
        if tracker is None:
            raise InvalidInputException(
                f"Invalid trackingId {trackingId!r}: no event tracker of this account and region"
                " has it."
            )
        if tracker.status != lifecycle.ACTIVE:
            raise InvalidInputException(
                f"Event tracker {tracker.arn} is in {tracker.status} state; events can be sent"
                " only to an ACTIVE event tracker."
            )
        group = tracker.dataset_group_arn
        dataset, table = _interactions_dataset(
            store, group, "INTERACTIONS", "create one before sending events with PutEvents."
        )
    user_key = userId or sessionId
    typed = _rows(
        eventList,
        table.parsed,
        member="eventList",
        noun="event",
        fixed_of=lambda e: _event_row(e, user_key),
        forbidden_of=_event_forbidden,
    )
    _store_interactions(store, dataset, table, typed, eventList, lambda e: user_key,
                        lambda e: sessionId, ITEM)  # fmt: skip


def _store_interactions(
    store: Store,
    dataset: Any,
    table: Any,
    typed: pa.Table,
    records: Sequence[Mapping[str, Any]],
    user_key_of: Callable[[Mapping[str, Any]], str],
    session_of: Callable[[Mapping[str, Any]], str],
    kind: str,
) -> None:
    """Append the new (non-duplicate) rows to the table and the buffer; count metrics."""
    id_member, ts_member = ("itemId", "sentAt") if kind == ITEM else ("actionId", "timestamp")
    ids = typed.column("ITEM_ID" if kind == ITEM else "ACTION_ID").to_pylist()
    buffer = realtime.buffer_for(store, dataset)
    keep: list[bool] = []
    fresh: list[tuple[str | None, tuple, BufferedEvent]] = []
    received = realtime.now()
    seen_now: set[tuple] = set()
    for i, rec in enumerate(records):
        user_key = user_key_of(rec)
        content = _content_key(user_key, rec)
        duplicate = content in seen_now or buffer.is_duplicate(rec.get("eventId"), content)
        keep.append(not duplicate)
        if duplicate:
            continue
        seen_now.add(content)
        value = rec.get("eventValue")
        event = BufferedEvent(
            user_key=user_key,
            session_id=session_of(rec),
            target_id=rec.get(id_member) or ids[i],  # an itemId may come from properties
            timestamp=rec[ts_member].timestamp(),
            event_type=rec["eventType"],
            event_value=None if value is None else float(value),
            received=received,
            kind=kind,
        )
        fresh.append((rec.get("eventId"), content, event))
    if not fresh:
        return
    rows = typed if all(keep) else typed.filter(pa.array(keep))
    table.append_records(rows)
    for event_id, content, _ in fresh:  # remembered only once stored, so a retry is not lost
        buffer.remember(event_id, content)
    buffer.add(event for _, _, event in fresh)
    if kind == ITEM:
        metric_attributions.count_events(store, dataset.dataset_group_arn, rows)


# --------------------------------------------------------------------------- PutItems & co.


def _put_metadata(
    store: Store,
    datasetArn: str,
    records: list[dict[str, Any]],
    *,
    dataset_type: str,
    member: str,
    id_member: str,
    noun: str,
) -> None:
    with store.lock:
        dataset = get_record(store, "dataset", datasetArn, "datasetArn")
        if dataset.dataset_type != dataset_type:
            raise InvalidInputException(
                f"Invalid parameter datasetArn: {datasetArn} is a"
                f" {TYPE_NAMES[dataset.dataset_type]} dataset; {member} go to the"
                f" {TYPE_NAMES[dataset_type]} dataset."
            )
        if dataset.status != lifecycle.ACTIVE:
            raise ResourceInUseException(
                f"Dataset {datasetArn} is in {dataset.status} state; records can be sent only"
                " to an ACTIVE dataset."
            )
        table = table_for(store, dataset)
    id_field = realtime.ID_FIELDS[dataset_type]
    typed = _rows(
        records,
        table.parsed,
        member=member,
        noun=noun,
        fixed_of=lambda r: {id_field: r[id_member]},
        forbidden_of=lambda r: (id_member,),
    )
    table.append_records(typed)


@handler(SERVICE, "PutItems")
def put_items(store: Store, *, datasetArn: str, items: list[dict[str, Any]]) -> None:
    _put_metadata(store, datasetArn, items, dataset_type="ITEMS", member="items",
                  id_member="itemId", noun="item")  # fmt: skip


@handler(SERVICE, "PutUsers")
def put_users(store: Store, *, datasetArn: str, users: list[dict[str, Any]]) -> None:
    _put_metadata(store, datasetArn, users, dataset_type="USERS", member="users",
                  id_member="userId", noun="user")  # fmt: skip


@handler(SERVICE, "PutActions")
def put_actions(store: Store, *, datasetArn: str, actions: list[dict[str, Any]]) -> None:
    _put_metadata(store, datasetArn, actions, dataset_type="ACTIONS", member="actions",
                  id_member="actionId", noun="action")  # fmt: skip


# --------------------------------------------------------------------------- PutActionInteractions


def _action_row(rec: Mapping[str, Any]) -> dict[str, str | None]:
    return {
        "USER_ID": rec.get("userId") or rec["sessionId"],
        "ACTION_ID": rec["actionId"],
        "TIMESTAMP": str(_epoch_seconds(rec["timestamp"])),
        "EVENT_TYPE": rec["eventType"],
        "IMPRESSION": "|".join(rec["impression"]) if rec.get("impression") else None,
        "RECOMMENDATION_ID": rec.get("recommendationId"),
    }


@handler(SERVICE, "PutActionInteractions")
def put_action_interactions(
    store: Store, *, trackingId: str, actionInteractions: list[dict[str, Any]]
) -> None:
    with store.lock:
        dataset = next(
            (
                d
                for d in store.records["dataset"].values()
                if d.dataset_type == "ACTION_INTERACTIONS" and d.tracking_id == trackingId
            ),
            None,
        )
        if dataset is None:
            raise ResourceNotFoundException(
                f"No Action_Interactions dataset has trackingId {trackingId!r}; use the"
                " trackingId that DescribeDataset reports for that dataset."
            )
        if dataset.status != lifecycle.ACTIVE:
            raise ResourceInUseException(
                f"Dataset {dataset.arn} is in {dataset.status} state; records can be sent only"
                " to an ACTIVE dataset."
            )
        table = table_for(store, dataset)
    typed = _rows(
        actionInteractions,
        table.parsed,
        member="actionInteractions",
        noun="action interaction",
        fixed_of=_action_row,
        forbidden_of=lambda r: EVENT_FORBIDDEN_PROPERTIES + ("actionId",),
    )
    _store_interactions(
        store,
        dataset,
        table,
        typed,
        actionInteractions,
        lambda r: r.get("userId") or r["sessionId"],
        lambda r: r["sessionId"],
        ACTION,
    )
