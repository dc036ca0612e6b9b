"""Helpers every provider shares: lookups, uniqueness, tags, status walks, wire timestamps.

The status walk (:func:`walk_statuses`) is the one place that decides how a resource moves
through ``CREATE PENDING -> CREATE IN_PROGRESS -> ACTIVE`` (or a delete path): synchronously in
``sync`` job mode (the mock's default: a describe right after create sees the terminal status),
or on a timer thread in ``async`` mode, spending ``min_state_seconds`` in each intermediate
status. Resources whose creation is real work (imports, training) use the job runner instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .. import config
from ..protocol.errors import (
    InvalidInputException,
    ResourceAlreadyExistsException,
    ResourceInUseException,
    TooManyTagsException,
)
from . import arns
from .store import Store

MAX_TAGS = 200
CREATE_PATH = ("CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE")
BUSY_STATUSES = frozenset(
    {"CREATE PENDING", "CREATE IN_PROGRESS", "DELETE PENDING", "DELETE IN_PROGRESS"}
)


# --- lookups -------------------------------------------------------------------------------


def get_record(store: Store, kind: str, arn: str, member: str) -> Any:
    """The record of ``kind`` named by request member ``member``.

    Wrong kind of ARN -> ``InvalidInputException``; right kind, nothing there ->
    ``ResourceNotFoundException``.
    """
    arns.expect(arn, kind, member)
    record = store.records[kind].get(arn)
    if record is None:
        raise arns.not_found(arn)
    return record


def find_any(store: Store, arn: str) -> Any | None:
    """The record an ARN names, whatever its kind (``None`` if it names nothing)."""
    kind = arns.kind_of(arn)
    return store.records[kind].get(arn) if kind else None


def children(store: Store, kind: str, **attrs: Any) -> list[Any]:
    """Records of ``kind`` whose attributes equal ``attrs`` (e.g. ``dataset_group_arn=...``)."""
    return [
        r
        for r in store.records[kind].values()
        if all(getattr(r, a, None) == v for a, v in attrs.items())
    ]


def ensure_new(store: Store, kind: str, arn: str) -> None:
    """Refuse to create a resource whose ARN (so whose name) is taken."""
    if arn in store.records[kind]:
        raise ResourceAlreadyExistsException(f"Another resource with Arn {arn} already exists.")


def ensure_deletable(record: Any) -> None:
    """Deletes are refused while a resource is being created or deleted."""
    status = getattr(record, "status", None)
    if status in BUSY_STATUSES:
        raise ResourceInUseException(
            f"Resource Arn {record.arn} is in {status} state and cannot be deleted."
        )


def remove(store: Store, kind: str, arn: str) -> None:
    """Drop a record and its tags."""
    store.records[kind].pop(arn, None)
    store.tags.pop(arn, None)


# --- tags ----------------------------------------------------------------------------------


def tags_from_wire(
    tags: Iterable[dict[str, str]] | None, *, existing: dict[str, str] | None = None
) -> dict[str, str]:
    """Check wire ``tags`` (``[{tagKey, tagValue}]``) and return them merged onto ``existing``.

    More than 200 tags on the resource -> ``TooManyTagsException``; keys or values starting
    with ``aws:`` (any case) are reserved -> ``InvalidInputException``. Nothing is stored here.
    """
    merged = dict(existing or {})
    for tag in tags or ():
        key, value = tag["tagKey"], tag.get("tagValue", "")
        for what, text in (("key", key), ("value", value)):
            if text.lower().startswith("aws:"):
                raise InvalidInputException(
                    f"Invalid tag {what} {text!r}: the aws: prefix is reserved for AWS use."
                )
        merged[key] = value
    if len(merged) > MAX_TAGS:
        raise TooManyTagsException(
            f"A resource can have at most {MAX_TAGS} tags; this request would give it"
            f" {len(merged)}."
        )
    return merged


def tags_to_wire(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"tagKey": k, "tagValue": v} for k, v in tags.items()]


def store_create_tags(store: Store, arn: str, tags: dict[str, str]) -> None:
    """Record create-time tags (already checked by :func:`tags_from_wire`)."""
    if tags:
        store.tags[arn] = dict(tags)


# --- status walks --------------------------------------------------------------------------


def walk_create(store: Store, kind: str, record: Any, path: Sequence[str] = CREATE_PATH) -> None:
    """Move a new ``record`` (already in the store) along ``path``; the last status is terminal."""

    def finish() -> None:
        if record.status != path[-1]:  # sync mode: a fresh record keeps updated == created
            record.status = path[-1]
            record.touch()

    walk(store, record, path[:-1], finish, alive=_still_there(store, kind, record))


def walk_delete(
    store: Store, kind: str, record: Any, path: Sequence[str] = ("DELETE PENDING",)
) -> None:
    """Show ``record`` in each status of ``path``, then remove it (and its tags)."""
    walk(
        store,
        record,
        path,
        lambda: remove(store, kind, record.arn),
        alive=_still_there(store, kind, record),
    )


def _still_there(store: Store, kind: str, record: Any) -> Callable[[], bool]:
    return lambda: store.records[kind].get(record.arn) is record


def walk(
    store: Store,
    target: Any,
    shown: Sequence[str],
    finish: Callable[[], None],
    *,
    alive: Callable[[], bool],
) -> None:
    """Show ``target.status`` as each of ``shown`` for ``min_state_seconds``, then ``finish()``.

    In sync mode ``finish()`` runs before this returns. In async mode a timer thread advances
    one status per period, under ``store.lock``, and gives up once the store was reset or
    ``alive()`` turns false (the record was replaced or removed meanwhile).
    """
    settings = config.current()
    if settings.job_mode != "async" or not shown:
        finish()
        return
    generation = store.generation
    delay = settings.min_state_seconds

    def step(index: int) -> None:
        with store.lock:
            if store.generation != generation or not alive():
                return
            if index == len(shown):
                finish()
                return
            target.status = shown[index]
            if hasattr(target, "touch"):
                target.touch()
        timer = threading.Timer(delay, step, args=(index + 1,))
        timer.daemon = True
        timer.start()

    step(0)
