"""Records of the real-time and data-management resources (same conventions as ``records.py``).

Event trackers, filters, metric attributions, dataset export jobs and data deletion jobs.
Records hold Python values only; handlers shape them for the wire. Every record has ``arn``,
``name``, ``created``, ``updated``, a lifecycle ``status`` / ``failure_reason``, and
``dataset_group_arn`` (or ``dataset_arn`` for export jobs), so the generic checks in
``common`` (delete refusals, listing by parent, blocking a group's deletion) read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .records import StatusRecord


@dataclass(kw_only=True)
class EventTrackerRecord(StatusRecord):
    dataset_group_arn: str
    tracking_id: str  # a UUID; PutEvents names the tracker by it
    account_id: str


@dataclass(kw_only=True)
class FilterRecord(StatusRecord):
    dataset_group_arn: str
    filter_expression: str


@dataclass(kw_only=True, frozen=True)
class MetricDefinition:
    """One ``MetricAttribute``: which events count, under which name, computed how."""

    event_type: str
    metric_name: str
    expression: str  # as sent: SUM(Items.PRICE), SUM(Interactions.EVENT_VALUE), SAMPLECOUNT()


@dataclass(kw_only=True)
class MetricsOutput:
    """``metricsOutputConfig``: where bulk metric reports would go (the role is required)."""

    role_arn: str
    s3_path: str | None = None
    kms_key_arn: str | None = None


@dataclass(kw_only=True)
class MetricAttributionRecord(StatusRecord):
    dataset_group_arn: str
    metrics: list[MetricDefinition]
    output: MetricsOutput
    #: Running totals from PutEvents: (metric name, event attribution source) -> value.
    values: dict[tuple[str, str], float] = field(default_factory=dict)


@dataclass(kw_only=True)
class DatasetExportJobRecord(StatusRecord):
    dataset_arn: str
    dataset_group_arn: str
    role_arn: str
    ingestion_mode: str  # BULK, PUT or ALL
    s3_path: str
    kms_key_arn: str | None = None
    keys_written: list[str] = field(default_factory=list)
    rows_written: int = 0


@dataclass(kw_only=True)
class DataDeletionJobRecord(StatusRecord):
    dataset_group_arn: str
    data_location: str
    role_arn: str
    num_deleted: int | None = None  # set when the job completes
