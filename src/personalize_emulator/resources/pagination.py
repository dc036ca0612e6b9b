"""One pager for every paged List operation.

Order: handlers pass items already in listing order. Resource listings are newest first
(creation time descending, ties by ARN) -- see :func:`newest_first` -- which is how the real
service lists them; the static recipe catalogue keeps the registry's order.

Tokens are opaque to clients: URL-safe base64 of a small JSON document holding

* ``l`` -- a fingerprint of the listing (operation result key + its filter arguments), so a
  token from ``ListDatasets(datasetGroupArn=A)`` is refused by ``ListSchemas`` or by
  ``ListDatasets(datasetGroupArn=B)``;
* ``a`` -- the key of the last item returned (its ARN), so the next page resumes right after it
  even when items were created or deleted between calls;
* ``o`` -- the offset reached, used only when the anchor item has been deleted meanwhile.

A token that does not decode, or that belongs to another listing, raises
``InvalidNextTokenException``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from ..protocol.errors import InvalidNextTokenException

T = TypeVar("T")

DEFAULT_MAX_RESULTS = 100


def newest_first(records: Iterable[T]) -> list[T]:
    """Records sorted for listing: newest ``created`` first, ties broken by ARN."""
    return sorted(records, key=lambda r: (r.created, r.arn), reverse=True)  # type: ignore[attr-defined]


def _fingerprint(result_key: str, scope: Any) -> str:
    text = json.dumps([result_key, scope], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _encode(doc: dict[str, Any]) -> str:
    raw = json.dumps(doc, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        doc = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidNextTokenException("The nextToken is not valid.") from exc
    if (
        not isinstance(doc, dict)
        or not isinstance(doc.get("l"), str)
        or not isinstance(doc.get("a"), str)
        or not isinstance(doc.get("o"), int)
        or isinstance(doc.get("o"), bool)
        or doc["o"] < 0
    ):
        raise InvalidNextTokenException("The nextToken is not valid.")
    return doc


def paginate(
    items: Sequence[T],
    next_token: str | None,
    max_results: int | None,
    result_key: str,
    *,
    key: Callable[[T], str] = lambda item: item.arn,  # type: ignore[attr-defined]
    scope: Any = None,
    render: Callable[[T], Any] | None = None,
) -> dict[str, Any]:
    """One page of ``items`` as ``{result_key: [...], "nextToken": ...}``.

    ``key`` gives each item's unique, stable identity (default: its ``arn``). ``scope`` holds
    the listing's filter arguments (e.g. the ``datasetGroupArn`` of ListDatasets); tokens are
    only valid for the same ``result_key`` and ``scope``. ``render`` turns each item of the
    page into its wire shape. ``nextToken`` is ``None`` (dropped) on the last page.
    """
    limit = DEFAULT_MAX_RESULTS if max_results is None else max_results
    fingerprint = _fingerprint(result_key, scope)
    start = 0
    if next_token:
        doc = _decode(next_token)
        if doc["l"] != fingerprint:
            raise InvalidNextTokenException("The nextToken does not belong to this listing.")
        keys = [key(item) for item in items]
        start = keys.index(doc["a"]) + 1 if doc["a"] in keys else min(doc["o"], len(items))
    page = list(items[start : start + limit])
    end = start + len(page)
    token = None
    if page and end < len(items):
        token = _encode({"l": fingerprint, "a": key(page[-1]), "o": end})
    return {
        result_key: [render(item) for item in page] if render else page,
        "nextToken": token,
    }
