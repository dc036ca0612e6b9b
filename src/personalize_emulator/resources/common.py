"""Helpers every provider shares: lookups, listings, wire summaries, uniqueness, delete
refusals, tags, status walks.

Resources whose creation is bookkeeping only (dataset groups, datasets) still walk
``CREATE PENDING -> CREATE IN_PROGRESS -> ACTIVE`` through the job runner
(:func:`start_create`), so ``job_mode`` and ``min_state_seconds`` apply to them like to any
job: in sync mode a describe right after create sees ACTIVE.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from ..protocol.errors import (
    InvalidInputException,
    ResourceAlreadyExistsException,
    ResourceInUseException,
    TooManyTagsException,
)
from . import arns, lifecycle
from .handlers import Handler, handler
from .jobs import runner_for
from .pagination import newest_first, paginate
from .store import Store

MAX_TAGS = 200


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


def active_group(store: Store, arn: str, what: str) -> Any:
    """The dataset group named by ``datasetGroupArn``, refusing unless it is ACTIVE.

    ``what`` names the resources being created (``"datasets"``), for the message.
    """
    group = get_record(store, "dataset-group", arn, "datasetGroupArn")
    if group.status != lifecycle.ACTIVE:
        raise ResourceInUseException(
            f"Dataset group {arn} is in {group.status} state; {what} can only be created in"
            " an ACTIVE dataset group."
        )
    return group


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


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def list_page(
    store: Store,
    kind: str,
    result_key: str,
    next_token: str | None,
    max_results: int | None,
    *,
    render: Callable[[Any], Any],
    parent: tuple[str, str, str | None] | None = None,
) -> dict[str, Any]:
    """One page of the records of ``kind``, newest first, each rendered by ``render``.

    ``parent`` is ``(member, parent kind, arn)`` of an optional filter argument such as
    ``("datasetGroupArn", "dataset-group", datasetGroupArn)``: an ARN of the wrong kind ->
    ``InvalidInputException``; otherwise only the records whose snake-case attribute of that
    member (``dataset_group_arn``) equals it are listed, and page tokens are bound to it.
    """
    member, parent_kind, parent_arn = parent or ("", "", None)
    if parent_arn is not None:
        arns.expect(parent_arn, parent_kind, member)
        attr = _snake(member)
    with store.lock:
        items = newest_first(
            r
            for r in store.records[kind].values()
            if parent_arn is None or getattr(r, attr) == parent_arn
        )
        return paginate(items, next_token, max_results, result_key, scope=parent_arn, render=render)


def list_operation(
    operation: str,
    kind: str,
    result_key: str,
    render: Callable[[Any], Any],
    parent: tuple[str, str] | None = None,
) -> Handler:
    """Register the ``personalize`` handler of a List ``operation`` served by :func:`list_page`;
    ``parent`` is ``(member, parent kind)`` of its optional filter argument."""

    def list_records(
        store: Store,
        *,
        nextToken: str | None = None,
        maxResults: int | None = None,
        **filters: str | None,
    ) -> dict[str, Any]:
        by = None if parent is None else (*parent, filters.get(parent[0]))
        return list_page(store, kind, result_key, nextToken, maxResults, render=render, parent=by)

    list_records.__name__ = list_records.__qualname__ = _snake(operation)
    return handler("personalize", operation)(list_records)


def ensure_new(store: Store, kind: str, arn: str) -> None:
    """Refuse to create a resource whose ARN (so whose name) is taken."""
    if arn in store.records[kind]:
        raise ResourceAlreadyExistsException(f"Another resource with Arn {arn} already exists.")


def ensure_deletable(record: Any) -> None:
    """Deletes are refused unless the resource is ACTIVE or CREATE FAILED (ResourceInUse)."""
    lifecycle.require_status(record.arn, record.status, lifecycle.ACTIVE, lifecycle.CREATE_FAILED)


def remove(store: Store, kind: str, arn: str) -> None:
    """Drop a record and its tags."""
    store.records[kind].pop(arn, None)
    store.tags.pop(arn, None)


# --- wire shapes -------------------------------------------------------------------------


def status_summary(
    record: Any, arn_member: str, *, name_member: str = "name", failure: bool = True
) -> dict[str, Any]:
    """The members most summaries and describes share: name, ARN, status, times, and (when the
    wire shape has it, ``failure``) ``failureReason``."""
    out = {
        name_member: record.name,
        arn_member: record.arn,
        "status": record.status,
        "creationDateTime": record.created,
        "lastUpdatedDateTime": record.updated,
    }
    if failure:
        out["failureReason"] = record.failure_reason
    return out


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


# --- lifecycles ----------------------------------------------------------------------------


def no_work(ctx: Any) -> None:
    """Resources whose creation (or update, stop ...) is bookkeeping only: the status walk is
    the whole job."""


def start_create(
    store: Store,
    kind: str,
    record: Any,
    tags: dict[str, str] | None = None,
    work: Callable[[Any], Any] = no_work,
    **options: Any,
) -> None:
    """Under the lock: insert a new ``record`` with its create-time ``tags`` (already checked
    by :func:`tags_from_wire`) and submit it to the job runner, which runs ``work(ctx)`` while
    the record walks its path. ``options`` go to the runner's ``submit`` (``path``,
    ``on_success`` ...)."""
    store.records[kind][record.arn] = record
    store_create_tags(store, record.arn, tags or {})
    runner_for(store).submit(record, work, **options)


def start_delete(store: Store, record: Any, cleanup: Callable[[], None] | None = None) -> None:
    """DELETE PENDING -> DELETE IN_PROGRESS -> removed (with its tags), via the job runner.

    ``cleanup()`` runs while the record is DELETE IN_PROGRESS (e.g. dropping a dataset's rows).
    """
    work = no_work if cleanup is None else (lambda ctx: cleanup())
    runner_for(store).submit(record, work, path="delete")
