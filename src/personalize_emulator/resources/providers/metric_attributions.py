"""Metric attributions: Create, Describe, List, ListMetricAttributionMetrics, Update, Delete.

A metric attribution names up to ten metrics of a dataset group's events; each metric counts
the events of one ``eventType`` by an expression:

* ``SAMPLECOUNT()`` -- one per event;
* ``SUM(Interactions.COL)`` -- the event's own numeric column (e.g. EVENT_VALUE);
* ``SUM(Items.COL)`` -- a numeric column of the event's item (e.g. PRICE).

Expressions are checked at Create/Update against the group's schemas (the dataset must exist
and the column must be numeric). A group has at most one metric attribution
(ResourceAlreadyExists). PutEvents calls :func:`count_events`: events carrying
``metricAttribution.eventAttributionSource`` add to running totals per (metric, source) kept
on the record (``MetricAttributionRecord.values``; :func:`metric_values` reads them). The real
service publishes those totals to CloudWatch and, for bulk imports, to S3; the emulator keeps
them in memory.

Updates (``addMetrics``, ``removeMetrics`` by name, ``metricsOutputConfig``) walk the update
path (CREATE PENDING -> CREATE IN_PROGRESS -> ACTIVE) on the record itself, as the model has no
separate update status.
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa

from ...protocol.errors import (
    InvalidInputException,
    LimitExceededException,
    ResourceAlreadyExistsException,
)
from .. import arns, lifecycle, realtime
from ..common import (
    active_group,
    ensure_deletable,
    ensure_new,
    get_record,
    list_operation,
    no_work,
    start_create,
    start_delete,
    status_summary,
)
from ..handlers import handler
from ..jobs import runner_for
from ..pagination import paginate
from ..realtime_records import MetricAttributionRecord, MetricDefinition, MetricsOutput
from ..store import Store

KIND = "metric-attribution"
MAX_METRICS = 10
_SUM = re.compile(r"^\s*SUM\s*\(\s*(Items|Interactions)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$",
                  re.IGNORECASE)  # fmt: skip
_SAMPLECOUNT = re.compile(r"^\s*SAMPLECOUNT\s*\(\s*\)\s*$", re.IGNORECASE)


# --------------------------------------------------------------------------- checks


def parse_expression(expression: str) -> tuple[str, str] | None:
    """``SUM(Items.PRICE)`` -> ("Items", "PRICE"); ``SAMPLECOUNT()`` -> None; else ValueError."""
    if _SAMPLECOUNT.match(expression):
        return None
    m = _SUM.match(expression)
    if m is None:
        raise ValueError(
            f"Invalid metric expression {expression!r}: use SUM(Items.<COLUMN>),"
            " SUM(Interactions.<COLUMN>) or SAMPLECOUNT()."
        )
    dataset = "Items" if m.group(1).lower() == "items" else "Interactions"
    return dataset, m.group(2)


def _check_metrics(
    store: Store, group_arn: str, metrics: list[dict[str, str]]
) -> list[MetricDefinition]:
    kinds = realtime.group_field_kinds(store, group_arn)
    out: list[MetricDefinition] = []
    for i, metric in enumerate(metrics, start=1):
        try:
            target = parse_expression(metric["expression"])
        except ValueError as exc:
            raise InvalidInputException(f"Invalid metrics.{i}: {exc}") from None
        if target is not None:
            dataset, column = target
            columns = kinds.get(dataset)
            if columns is None:
                raise InvalidInputException(
                    f"Invalid metrics.{i}: {metric['expression']} reads the {dataset} dataset,"
                    f" which dataset group {group_arn} does not have."
                )
            if column not in columns:
                raise InvalidInputException(
                    f"Invalid metrics.{i}: the {dataset} schema has no column {column}."
                )
            if columns[column] != "numeric":
                raise InvalidInputException(
                    f"Invalid metrics.{i}: {dataset}.{column} is a {columns[column]} column;"
                    " SUM needs a numeric column."
                )
        out.append(
            MetricDefinition(
                event_type=metric["eventType"],
                metric_name=metric["metricName"],
                expression=metric["expression"],
            )
        )
    names = [m.metric_name for m in out]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InvalidInputException(f"Metric names must be unique; repeated: {', '.join(dupes)}.")
    return out


def _output(config: dict[str, Any]) -> MetricsOutput:
    s3 = config.get("s3DataDestination") or {}
    return MetricsOutput(
        role_arn=config["roleArn"], s3_path=s3.get("path"), kms_key_arn=s3.get("kmsKeyArn")
    )


# --------------------------------------------------------------------------- wire shapes


def _metric_wire(m: MetricDefinition) -> dict[str, str]:
    return {"eventType": m.event_type, "metricName": m.metric_name, "expression": m.expression}


def _output_wire(o: MetricsOutput) -> dict[str, Any]:
    s3 = None
    if o.s3_path is not None:
        s3 = {"path": o.s3_path, "kmsKeyArn": o.kms_key_arn}
    return {"s3DataDestination": s3, "roleArn": o.role_arn}


def _summary(r: MetricAttributionRecord) -> dict[str, Any]:
    return status_summary(r, "metricAttributionArn")


# --------------------------------------------------------------------------- handlers


@handler("personalize", "CreateMetricAttribution")
def create_metric_attribution(
    store: Store,
    *,
    name: str,
    datasetGroupArn: str,
    metrics: list[dict[str, str]],
    metricsOutputConfig: dict[str, Any],
) -> dict:
    arn = arns.build(KIND, name, region=store.region, account=store.account_id)
    if len(metrics) > MAX_METRICS:
        raise LimitExceededException(
            f"A metric attribution can have at most {MAX_METRICS} metrics; got {len(metrics)}."
        )
    with store.lock:
        active_group(store, datasetGroupArn, "metric attributions")
        ensure_new(store, KIND, arn)
        existing = [
            r.arn for r in store.records[KIND].values() if r.dataset_group_arn == datasetGroupArn
        ]
        if existing:
            raise ResourceAlreadyExistsException(
                f"Dataset group {datasetGroupArn} already has a metric attribution"
                f" ({existing[0]}); a dataset group can have only one."
            )
        definitions = _check_metrics(store, datasetGroupArn, metrics)
        record = MetricAttributionRecord(
            arn=arn,
            name=name,
            dataset_group_arn=datasetGroupArn,
            metrics=definitions,
            output=_output(metricsOutputConfig),
            status=lifecycle.CREATE_PENDING,
        )
        start_create(store, KIND, record)
    return {"metricAttributionArn": arn}


@handler("personalize", "DescribeMetricAttribution")
def describe_metric_attribution(store: Store, *, metricAttributionArn: str) -> dict:
    with store.lock:
        r: MetricAttributionRecord = get_record(
            store, KIND, metricAttributionArn, "metricAttributionArn"
        )
        return {
            "metricAttribution": {
                **_summary(r),
                "datasetGroupArn": r.dataset_group_arn,
                "metricsOutputConfig": _output_wire(r.output),
            }
        }


list_metric_attributions = list_operation(
    "ListMetricAttributions",
    KIND,
    "metricAttributions",
    _summary,
    ("datasetGroupArn", "dataset-group"),
)


@handler("personalize", "ListMetricAttributionMetrics")
def list_metric_attribution_metrics(
    store: Store,
    *,
    metricAttributionArn: str | None = None,
    nextToken: str | None = None,
    maxResults: int | None = None,
) -> dict:
    if metricAttributionArn is None:
        raise InvalidInputException("Invalid parameter metricAttributionArn: a value is required.")
    with store.lock:
        r = get_record(store, KIND, metricAttributionArn, "metricAttributionArn")
        metrics = list(r.metrics)
    return paginate(metrics, nextToken, maxResults, "metrics", key=lambda m: m.metric_name,
                    scope=metricAttributionArn, render=_metric_wire)  # fmt: skip


@handler("personalize", "UpdateMetricAttribution")
def update_metric_attribution(
    store: Store,
    *,
    metricAttributionArn: str | None = None,
    addMetrics: list[dict[str, str]] | None = None,
    removeMetrics: list[str] | None = None,
    metricsOutputConfig: dict[str, Any] | None = None,
) -> dict:
    if metricAttributionArn is None:
        raise InvalidInputException("Invalid parameter metricAttributionArn: a value is required.")
    with store.lock:
        r: MetricAttributionRecord = get_record(
            store, KIND, metricAttributionArn, "metricAttributionArn"
        )
        lifecycle.require_status(r.arn, r.status, lifecycle.ACTIVE, lifecycle.CREATE_FAILED)
        current = {m.metric_name: m for m in r.metrics}
        unknown = [n for n in removeMetrics or () if n not in current]
        if unknown:
            raise InvalidInputException(
                f"Invalid removeMetrics: {', '.join(unknown)} not a metric of"
                f" {metricAttributionArn}."
            )
        kept = [m for m in r.metrics if m.metric_name not in set(removeMetrics or ())]
        added = _check_metrics(store, r.dataset_group_arn, list(addMetrics or ()))
        clash = [m.metric_name for m in added if m.metric_name in {k.metric_name for k in kept}]
        if clash:
            raise ResourceAlreadyExistsException(
                f"Metric(s) {', '.join(clash)} already exist in {metricAttributionArn}; remove"
                " them first or choose other names."
            )
        if len(kept) + len(added) > MAX_METRICS:
            raise LimitExceededException(
                f"A metric attribution can have at most {MAX_METRICS} metrics; this update"
                f" would leave {len(kept) + len(added)}."
            )
        r.metrics = kept + added
        for name in removeMetrics or ():
            for key in [k for k in r.values if k[0] == name]:
                del r.values[key]
        if metricsOutputConfig is not None:
            r.output = _output(metricsOutputConfig)
        runner_for(store).submit(r, no_work, path="update")
    return {"metricAttributionArn": metricAttributionArn}


@handler("personalize", "DeleteMetricAttribution")
def delete_metric_attribution(store: Store, *, metricAttributionArn: str) -> None:
    with store.lock:
        record = get_record(store, KIND, metricAttributionArn, "metricAttributionArn")
        ensure_deletable(record)
        start_delete(store, record)


# --------------------------------------------------------------------------- counting


def count_events(store: Store, dataset_group_arn: str, rows: pa.Table) -> None:
    """Add stored PutEvents rows (Interactions columns) to the group's metric totals."""
    if "EVENT_ATTRIBUTION_SOURCE" not in rows.column_names:
        return
    with store.lock:
        record = next(
            (
                r
                for r in store.records[KIND].values()
                if r.dataset_group_arn == dataset_group_arn and r.status == lifecycle.ACTIVE
            ),
            None,
        )
        if record is None:
            return
        metrics = list(record.metrics)
        needs_items = any((parse_expression(m.expression) or ("",))[0] == "Items" for m in metrics)
        items_table = None
        if needs_items:
            dataset = realtime.dataset_of(store, dataset_group_arn, "ITEMS")
            items_table = realtime.table_for(store, dataset) if dataset is not None else None
    items = realtime.metadata_frame(store, items_table) if items_table is not None else None
    events = rows.to_pylist()
    totals: dict[tuple[str, str], float] = {}
    for event in events:
        source = event.get("EVENT_ATTRIBUTION_SOURCE")
        if not source:
            continue
        for metric in metrics:
            if metric.event_type != event.get("EVENT_TYPE"):
                continue
            amount = _amount(metric, event, items)
            if amount is not None:
                key = (metric.metric_name, source)
                totals[key] = totals.get(key, 0.0) + amount
    if totals:
        with store.lock:
            for key, amount in totals.items():
                record.values[key] = record.values.get(key, 0.0) + amount


def _amount(metric: MetricDefinition, event: dict[str, Any], items: Any) -> float | None:
    target = parse_expression(metric.expression)
    if target is None:
        return 1.0
    dataset, column = target
    if dataset == "Interactions":
        value = event.get(column)
    else:
        item_id = event.get("ITEM_ID")
        if items is None or item_id not in items.index:
            return None
        value = items.at[item_id, column] if column in items.columns else None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN: a null cell


def metric_values(store: Store, metric_attribution_arn: str) -> dict[tuple[str, str], float]:
    """Running totals ``{(metric name, event attribution source): value}`` of a record."""
    with store.lock:
        record = get_record(store, KIND, metric_attribution_arn, "metricAttributionArn")
        return dict(record.values)
