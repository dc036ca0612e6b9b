"""Shared plumbing of the preview-dialect (re:Invent 2018) handlers.

The preview API is a second *view* of the same store, not a second service: a preview handler
adapts its parameters, calls the GA handler of the same job (looked up at call time, so the GA
providers can be written and reloaded independently), and reshapes the answer. This module holds
the three pieces every preview module needs:

* :func:`ga` calls a GA handler by operation name;
* :func:`pick` projects a GA wire dict onto the members a preview shape declares (the preview
  shapes are smaller, and the serializer's strict mode refuses any extra member);
* :func:`translating` maps GA-only errors onto the preview model's error set (the preview List
  operations declare no ``InvalidNextTokenException``; a bad token is an ``InvalidInputException``).

Members only the preview has (a solution's ``minTPS``, a campaign's ``updateMode``, an import
job's schedule, an event tracker's role) are kept beside the GA record in a :class:`PreviewExtras`
record of kind ``preview-extras`` keyed by the GA resource's ARN: the GA records stay exactly
what the GA providers define, and a store reset clears both together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ...protocol.context import GA, PREVIEW
from ...protocol.errors import (
    InvalidInputException,
    InvalidNextTokenException,
    NotImplementedOperation,
)
from ..handlers import find_handler, handler
from ..records import Record
from ..store import Store

SERVICE = "personalize"
RUNTIME = "personalize-runtime"


def preview(operation: str, service: str = SERVICE) -> Callable:
    """Register a preview-dialect handler of ``operation``."""
    return handler(service, operation, dialect=PREVIEW)


def ga(operation: str, store: Store, service: str = SERVICE, **params: Any) -> dict[str, Any]:
    """Call the GA handler of ``operation`` with ``params`` (``None`` values left out)."""
    fn = find_handler(GA, service, operation)
    if fn is None:
        raise NotImplementedOperation(
            f"The emulator serves the preview operation through GA {service} {operation},"
            " which is not implemented yet."
        )
    with translating():
        return fn(store, **{k: v for k, v in params.items() if v is not None}) or {}


def has_ga(operation: str, service: str = SERVICE) -> bool:
    return find_handler(GA, service, operation) is not None


@contextmanager
def translating() -> Iterator[None]:
    """Re-raise GA errors the preview model does not declare as the preview's equivalent."""
    try:
        yield
    except InvalidNextTokenException as exc:
        raise InvalidInputException(f"Invalid parameter nextToken: {exc.message}") from exc


def pick(source: dict[str, Any] | None, members: Iterable[str]) -> dict[str, Any] | None:
    """``source`` restricted to ``members`` (the preview shape's), ``None`` values dropped."""
    if source is None:
        return None
    return {m: source[m] for m in members if source.get(m) is not None}


def pick_page(
    page: dict[str, Any], key: str, members: Iterable[str]
) -> dict[str, Any]:
    """A GA List page with each item of ``page[key]`` projected onto ``members``."""
    members = tuple(members)
    return {
        key: [pick(item, members) for item in page.get(key, [])],
        "nextToken": page.get("nextToken"),
    }


def preview_list(operation: str, key: str, members: Iterable[str]) -> Callable:
    """Register the preview List ``operation`` as its GA page (same filter arguments) with each
    item of ``key`` projected onto ``members``."""
    members = tuple(members)

    def list_items(
        store: Store,
        *,
        nextToken: str | None = None,
        maxResults: int | None = None,
        **filters: str | None,
    ) -> dict[str, Any]:
        page = ga(operation, store, nextToken=nextToken, maxResults=maxResults, **filters)
        return pick_page(page, key, members)

    list_items.__name__ = list_items.__qualname__ = f"preview_{key}"
    return preview(operation)(list_items)


EXTRAS = "preview-extras"


@dataclass(kw_only=True)
class PreviewExtras(Record):
    """Preview-only members of the GA resource ``arn`` (``name`` is unused).

    ``owner_created`` is the creation time of the GA record they belong to: a resource deleted
    and re-created under the same name (through either dialect) does not inherit them.
    """

    owner_created: Any
    values: dict[str, Any] = field(default_factory=dict)


def extras(store: Store, owner: Any) -> dict[str, Any]:
    """The preview-only members stored for the GA record ``owner`` (empty if none)."""
    record = store.records[EXTRAS].get(owner.arn)
    if record is None or record.owner_created != owner.created:
        return {}
    return dict(record.values)


def set_extras(store: Store, owner: Any, **values: Any) -> None:
    """Store (merge) preview-only members of the GA record ``owner``; ``None`` values skipped."""
    with store.lock:
        record = store.records[EXTRAS].get(owner.arn)
        if record is None or record.owner_created != owner.created:
            record = PreviewExtras(arn=owner.arn, name="", owner_created=owner.created)
            store.records[EXTRAS][owner.arn] = record
        record.values.update({k: v for k, v in values.items() if v is not None})


def short_hash(*parts: object) -> str:
    """8 lowercase hex characters derived from ``parts``: stable ids for derived ARNs."""
    text = "\x1f".join(str(p) for p in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:8]
