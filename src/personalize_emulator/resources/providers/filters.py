"""Filters: CreateFilter, DescribeFilter, ListFilters, DeleteFilter.

CreateFilter parses the expression (``engines.filters.parse_filter``: grammar and the rules that
do not depend on data) and validates it against the schemas of the group's datasets
(``Filter.validate``: the dataset exists, the column exists, textual and boolean columns cannot
be filtered, comparisons need numeric columns). Every problem is an ``InvalidInputException``
carrying the ``FilterError`` message, which names the character position and the token.

Limits (api-surface §6.5): 10 filters per dataset group, and 10 distinct dataset fields across
all of a group's filters; both are ``LimitExceededException``. The group need not be ACTIVE for
the check to run, but it must exist.

A filter walks CREATE PENDING -> CREATE IN_PROGRESS -> ACTIVE through the job runner. Deleting
is refused (ResourceInUse) while a batch inference or segment job using the filter is still
being created. The runtime applies filters through ``resources.realtime.compile_filter``.
"""

from __future__ import annotations

from typing import Any

from ...engines.filters import FilterError, parse_filter
from ...protocol.errors import InvalidInputException, LimitExceededException, ResourceInUseException
from .. import arns, lifecycle, realtime
from ..common import (
    ensure_deletable,
    ensure_new,
    get_record,
    list_operation,
    start_create,
    start_delete,
    status_summary,
    tags_from_wire,
)
from ..handlers import handler
from ..realtime_records import FilterRecord
from ..store import Store

KIND = "filter"
MAX_FILTERS_PER_GROUP = 10
MAX_FIELDS_PER_GROUP = 10
BATCH_KINDS = ("batch-inference-job", "batch-segment-job")


def _summary(r: FilterRecord) -> dict[str, Any]:
    return {
        **status_summary(r, "filterArn"),
        "datasetGroupArn": r.dataset_group_arn,
    }


def _fields_of(expression: str) -> set[tuple[str, str]]:
    try:
        return parse_filter(expression).fields()
    except FilterError:
        return set()


@handler("personalize", "CreateFilter")
def create_filter(
    store: Store,
    *,
    name: str,
    datasetGroupArn: str,
    filterExpression: str,
    tags: list[dict[str, str]] | None = None,
) -> dict:
    checked_tags = tags_from_wire(tags)
    arn = arns.build(KIND, name, region=store.region, account=store.account_id)
    try:
        parsed = parse_filter(filterExpression)
    except FilterError as exc:
        raise InvalidInputException(exc.message) from None
    with store.lock:
        get_record(store, "dataset-group", datasetGroupArn, "datasetGroupArn")
        ensure_new(store, KIND, arn)
        try:
            parsed.validate(realtime.group_field_kinds(store, datasetGroupArn))
        except FilterError as exc:
            raise InvalidInputException(exc.message) from None
        siblings = [r for r in store.records[KIND].values()
                    if r.dataset_group_arn == datasetGroupArn]  # fmt: skip
        if len(siblings) >= MAX_FILTERS_PER_GROUP:
            raise LimitExceededException(
                f"Dataset group {datasetGroupArn} already has {len(siblings)} filters; the limit"
                f" is {MAX_FILTERS_PER_GROUP} per dataset group."
            )
        used = set().union(*(_fields_of(r.filter_expression) for r in siblings))
        combined = used | parsed.fields()
        if len(combined) > MAX_FIELDS_PER_GROUP:
            new = sorted(f"{d}.{c}" for d, c in parsed.fields() - used)
            raise LimitExceededException(
                f"The filters of dataset group {datasetGroupArn} may use at most"
                f" {MAX_FIELDS_PER_GROUP} distinct dataset fields; this filter would add"
                f" {', '.join(new)} to the {len(used)} already used."
            )
        record = FilterRecord(
            arn=arn,
            name=name,
            dataset_group_arn=datasetGroupArn,
            filter_expression=filterExpression,
            status=lifecycle.CREATE_PENDING,
        )
        start_create(store, KIND, record, checked_tags)
    return {"filterArn": arn}


@handler("personalize", "DescribeFilter")
def describe_filter(store: Store, *, filterArn: str) -> dict:
    with store.lock:
        r: FilterRecord = get_record(store, KIND, filterArn, "filterArn")
        return {"filter": {**_summary(r), "filterExpression": r.filter_expression}}


list_filters = list_operation(
    "ListFilters", KIND, "Filters", _summary, ("datasetGroupArn", "dataset-group")
)


@handler("personalize", "DeleteFilter")
def delete_filter(store: Store, *, filterArn: str) -> None:
    with store.lock:
        record = get_record(store, KIND, filterArn, "filterArn")
        ensure_deletable(record)
        busy = sorted(
            job.arn
            for kind in BATCH_KINDS
            for job in store.records[kind].values()
            if getattr(job, "filter_arn", None) == filterArn
            and lifecycle.is_in_progress(getattr(job, "status", None))
        )
        if busy:
            raise ResourceInUseException(
                f"Filter {filterArn} is used by {', '.join(busy)}, which is still running."
            )
        start_delete(store, record)
