"""Dataset import jobs: CreateDatasetImportJob, DescribeDatasetImportJob, ListDatasetImportJobs.

The request thread checks the request and resolves ``dataSource.dataLocation`` to its CSV
sources; S3 objects are copied out of moto then, so a reset (which swaps moto's S3) cannot pull
the data from under a job that has not started yet. A location that cannot be read (no bucket,
no object, no CSV under a folder) is not an API error in the service: the job is created and
ends ``CREATE FAILED`` with a reason naming the URI. The job itself validates and stores the
rows (``data.import_csv``): all of them or, on the first bad row, none, with the row and column
in ``failureReason``.

Besides ``s3://`` the emulator accepts a local path or a ``file://`` URI (its own extension, for
large local files). ``importMode`` INCREMENTAL needs an earlier bulk (FULL) import; the service's
error class is silent, InvalidInputException here. At most 5 import jobs per region may be
pending or in progress (LimitExceededException), as the service's quota says.
"""

from __future__ import annotations

from typing import Any

from ...data import SourceError, import_csv, resolve_sources
from ...protocol.errors import (
    InvalidInputException,
    LimitExceededException,
    ResourceInUseException,
)
from .. import arns, datastore, lifecycle
from ..common import (
    ensure_new,
    get_record,
    list_operation,
    start_create,
    status_summary,
    tags_from_wire,
)
from ..handlers import handler
from ..jobs import JobFailed
from ..pipeline_records import DatasetImportJobRecord
from ..store import Store

KIND = "dataset-import-job"
MAX_RUNNING = 5
IMPORT_MODES = ("FULL", "INCREMENTAL")


def _summary(r: DatasetImportJobRecord) -> dict[str, Any]:
    return {
        **status_summary(r, "datasetImportJobArn", name_member="jobName"),
        "importMode": r.import_mode,
    }


@handler("personalize", "CreateDatasetImportJob")
def create_dataset_import_job(
    store: Store,
    *,
    jobName: str,
    datasetArn: str,
    dataSource: dict[str, Any],
    roleArn: str | None = None,
    tags: list[dict[str, str]] | None = None,
    importMode: str | None = None,
    publishAttributionMetricsToS3: bool | None = None,
) -> dict:
    mode = importMode or "FULL"
    if mode not in IMPORT_MODES:  # the protocol layer checks the enum; keep the handler safe
        raise InvalidInputException(f"Invalid parameter importMode: {importMode!r}.")
    location = (dataSource or {}).get("dataLocation")
    if not location:
        raise InvalidInputException("Invalid parameter dataSource: dataLocation is required.")
    checked_tags = tags_from_wire(tags)
    arn = arns.build(KIND, jobName, region=store.region, account=store.account_id)
    with store.lock:
        ensure_new(store, KIND, arn)
        dataset = get_record(store, "dataset", datasetArn, "datasetArn")
        if dataset.status != lifecycle.ACTIVE:
            raise ResourceInUseException(
                f"Dataset {datasetArn} is in {dataset.status} state; data can only be imported"
                " into an ACTIVE dataset."
            )
        running = [r for r in store.records[KIND].values() if lifecycle.is_in_progress(r.status)]
        if len(running) >= MAX_RUNNING:
            raise LimitExceededException(
                f"More than {MAX_RUNNING} resources with PENDING or IN_PROGRESS status."
            )
        table = datastore.table_for(store, dataset)
        if mode == "INCREMENTAL" and not table.has_bulk_data():
            raise InvalidInputException(
                f"Dataset {datasetArn} has no bulk data yet: the first import job of a dataset"
                " must use importMode FULL; INCREMENTAL imports add to existing bulk data."
            )
    # Outside the lock: copying S3 objects may take a moment.
    try:
        sources: list[Any] | SourceError = resolve_sources(store.account_id, store.region, location)
    except SourceError as exc:
        sources = exc
    with store.lock:
        ensure_new(store, KIND, arn)
        record = DatasetImportJobRecord(
            arn=arn,
            name=jobName,
            dataset_arn=datasetArn,
            data_location=location,
            import_mode=mode,
            role_arn=roleArn,
            publish_attribution_metrics_to_s3=publishAttributionMetricsToS3,
        )

        def work(ctx: Any) -> int:
            if isinstance(sources, SourceError):
                raise JobFailed(f"Import failed: {sources}")
            return import_csv(table, sources, mode)

        def done(rows: int) -> None:
            record.rows_imported = rows

        start_create(store, KIND, record, checked_tags, work, on_success=done)
    return {"datasetImportJobArn": arn}


@handler("personalize", "DescribeDatasetImportJob")
def describe_dataset_import_job(store: Store, *, datasetImportJobArn: str) -> dict:
    with store.lock:
        r: DatasetImportJobRecord = get_record(
            store, KIND, datasetImportJobArn, "datasetImportJobArn"
        )
        return {
            "datasetImportJob": {
                **_summary(r),
                "datasetArn": r.dataset_arn,
                "dataSource": {"dataLocation": r.data_location},
                "roleArn": r.role_arn,
                "publishAttributionMetricsToS3": r.publish_attribution_metrics_to_s3,
            }
        }


list_dataset_import_jobs = list_operation(
    "ListDatasetImportJobs", KIND, "datasetImportJobs", _summary, ("datasetArn", "dataset")
)
