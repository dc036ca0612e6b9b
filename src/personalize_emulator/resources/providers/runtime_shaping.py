"""What a runtime request asks for beyond "the top N": filters, a promotion, item metadata.

The runtime (``runtime.py``) scores with ``engines.serving``; this module turns the request's
``filterArn`` / ``filterValues``, ``promotions`` and ``metadataColumns`` into serving inputs
and decorations, checking them the way the service does (InvalidInputException naming the
member):

* a filter must exist, be ACTIVE, belong to the deployment's dataset group and target what
  the operation returns (``ItemID`` for items, ``ActionID`` for actions); it becomes a bool
  mask over the model's catalogue (``realtime.compile_filter``), read at request time, so
  interactions sent with PutEvents a moment ago already count. A filter that reads the
  requesting user (Interactions, ``CurrentUser``) needs a ``userId`` even for recipes that
  otherwise take none;
* a promotion (api-surface §7.3) has its own filter selecting the promoted items;
  ``percentPromotedItems`` of the slots (rounded up, so any percentage promotes at least one
  item) go to the best-scored promoted items, placed at positions drawn from a generator
  seeded by the deployment, the request's user / item and the promotion's name -- the same
  request gets the same list -- and keeping their relative order. The request filter applies
  only to the other items. Too few matches: as many as match are promoted;
* ``metadataColumns`` (``{"ITEMS": [...]}``) are allowed only when the deployment enables
  metadata (``enableMetadataWithRecommendations``; automatic for the recipes in
  :data:`METADATA_BY_DEFAULT`), name at most :data:`MAX_METADATA_COLUMNS` columns of the
  group's Items schema, and come back as strings from the Items table (numbers written
  without a spurious ``.0``; null cells left out).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...protocol.errors import InvalidInputException, ResourceNotFoundException
from .. import realtime
from ..datastore import table_for
from ..store import Store

MAX_METADATA_COLUMNS = 10
#: Recipes whose deployments return metadata without enableMetadataWithRecommendations.
METADATA_BY_DEFAULT = frozenset({"aws-user-personalization-v2", "aws-personalized-ranking-v2",
                                 "aws-semantic-similarity"})  # fmt: skip


# --- filters -----------------------------------------------------------------------------------


def compiled(
    store: Store, filter_arn: str, dataset_group_arn: str, *, target: str, member: str
) -> realtime.CompiledFilter:
    """The request's filter, checked (see the module docstring); InvalidInput otherwise."""
    try:
        compiled_filter = realtime.compile_filter(
            store, filter_arn, dataset_group_arn=dataset_group_arn, member=member
        )
    except ResourceNotFoundException:
        raise InvalidInputException(
            f"Invalid parameter {member}: filter {filter_arn} does not exist."
        ) from None
    if compiled_filter.target != target:
        raise InvalidInputException(
            f"Invalid parameter {member}: filter {filter_arn} selects {compiled_filter.target}"
            f" values; this request needs a filter on {target}."
        )
    return compiled_filter


def filter_mask(
    compiled_filter: realtime.CompiledFilter,
    candidates: Sequence[str],
    *,
    user_id: str | None,
    item_id: str | None,
    filter_values: Mapping[str, str] | None,
    member: str,
) -> np.ndarray:
    """One bool per candidate (True = keep) for this request."""
    if compiled_filter.filter.needs_user and not user_id:
        raise InvalidInputException(
            f"Invalid parameter userId: filter {compiled_filter.arn} ({member}) reads the"
            " requesting user's data, so a userId is required."
        )
    if compiled_filter.filter.uses_current_item and not item_id:
        raise InvalidInputException(
            f"Invalid parameter itemId: filter {compiled_filter.arn} ({member}) compares with"
            " CurrentItem, so an itemId is required."
        )
    return compiled_filter.mask(
        list(candidates), user_id=user_id, item_id=item_id, filter_values=filter_values
    )


# --- promotions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Promotion:
    """A checked promotion: its name, share of the slots, and the items it may promote."""

    name: str
    percent: int
    mask: np.ndarray  # over model.item_ids

    def slots(self, n: int) -> int:
        return min(n, math.ceil(n * self.percent / 100)) if n > 0 else 0


def promotion_of(
    store: Store,
    given: Sequence[Mapping[str, Any]] | None,
    dataset_group_arn: str,
    item_ids: Sequence[str],
    *,
    user_id: str | None,
    item_id: str | None,
) -> Promotion | None:
    if not given:
        return None
    if len(given) > 1:
        raise InvalidInputException(
            f"Invalid parameter promotions: at most 1 promotion per request; {len(given)} given."
        )
    promo = given[0]
    member = "promotions.1.member"
    for required in ("name", "percentPromotedItems", "filterArn"):
        if not promo.get(required):
            raise InvalidInputException(
                f"Invalid parameter {member}.{required}: a promotion needs a {required}."
            )
    f = compiled(store, promo["filterArn"], dataset_group_arn, target="ItemID",
                 member=f"{member}.filterArn")  # fmt: skip
    mask = filter_mask(f, item_ids, user_id=user_id, item_id=item_id,
                       filter_values=promo.get("filterValues"),
                       member=f"{member}.filterArn")  # fmt: skip
    return Promotion(name=str(promo["name"]), percent=int(promo["percentPromotedItems"]),
                     mask=mask)  # fmt: skip


def place(
    promoted: Sequence[Any], others: Sequence[Any], seed_parts: Sequence[str | None]
) -> list[tuple[Any, bool]]:
    """Promoted entries at seeded random positions among the others, both orders kept;
    each entry paired with whether it is promoted."""
    total = len(promoted) + len(others)
    digest = hashlib.sha256("\x1f".join(p or "" for p in seed_parts).encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
    slots = set(rng.choice(total, size=len(promoted), replace=False).tolist()) if total else set()
    p, o = iter(promoted), iter(others)
    return [(next(p), True) if k in slots else (next(o), False) for k in range(total)]


# --- metadata ----------------------------------------------------------------------------------


def metadata_columns(
    store: Store,
    given: Mapping[str, Sequence[str]] | None,
    dataset_group_arn: str,
    *,
    enabled: bool,
    recipe_name: str,
) -> tuple[str, ...]:
    """The checked ``metadataColumns["ITEMS"]`` (empty when none were asked for)."""
    if not given:
        return ()
    if not (enabled or recipe_name in METADATA_BY_DEFAULT):
        raise InvalidInputException(
            "Invalid parameter metadataColumns: metadata is not enabled for this deployment;"
            " create the campaign or recommender with enableMetadataWithRecommendations true."
        )
    unknown_keys = sorted(set(given) - {"ITEMS"})
    if unknown_keys:
        raise InvalidInputException(
            f"Invalid parameter metadataColumns: {unknown_keys[0]} is not a dataset type that"
            " returns metadata; use ITEMS."
        )
    columns = list(given.get("ITEMS") or ())
    if len(columns) > MAX_METADATA_COLUMNS:
        raise InvalidInputException(
            f"Invalid parameter metadataColumns.ITEMS: {len(columns)} columns exceed the maximum"
            f" of {MAX_METADATA_COLUMNS}."
        )
    with store.lock:
        dataset = realtime.dataset_of(store, dataset_group_arn, "ITEMS")
        names = table_for(store, dataset).parsed.names if dataset is not None else []
    for column in columns:
        if column not in names:
            raise InvalidInputException(
                f"Invalid parameter metadataColumns.ITEMS: {column} is not a column of the"
                f" Items dataset of {dataset_group_arn}"
                + (f" (columns: {', '.join(names)})." if names else " (it has no Items dataset).")
            )
    return tuple(dict.fromkeys(columns))


def metadata_reader(
    store: Store, dataset_group_arn: str, columns: Sequence[str]
) -> Callable[[str], dict[str, str]]:
    """item id -> ``{column: value as a string}`` for the requested columns."""
    with store.lock:
        dataset = realtime.dataset_of(store, dataset_group_arn, "ITEMS")
        table = table_for(store, dataset)
    frame = realtime.metadata_frame(store, table)
    kinds = {c: table.parsed.field(c).avro_type for c in columns}  # type: ignore[union-attr]
    present = frame.index

    def read(item_id: str) -> dict[str, str]:
        if item_id not in present:
            return {}
        row = frame.loc[item_id]
        if getattr(row, "ndim", 1) > 1:  # several records of one id: the newest is last
            row = row.iloc[-1]
        out = {}
        for column in columns:
            text = _as_text(row.get(column), kinds[column])
            if text is not None:
                out[column] = text
        return out

    return read


def _as_text(value: Any, avro_type: str) -> str | None:
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return None
    if avro_type in ("int", "long"):
        return str(int(value))
    if avro_type in ("float", "double"):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    if avro_type == "boolean":
        return "true" if bool(value) else "false"
    return str(value)
