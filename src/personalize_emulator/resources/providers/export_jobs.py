"""Dataset export jobs: CreateDatasetExportJob, DescribeDatasetExportJob, ListDatasetExportJobs.

The job writes the dataset's records as CSV files with a header row under
``jobOutput.s3DataDestination.path`` (moto's S3, or a local path), through
``data.export_dataset``: ``ingestionMode`` ``PUT`` (the default: records sent with PutEvents /
PutItems / PutUsers / PutActions), ``BULK`` (imported) or ``ALL``. Files are named
``<jobName>_part-00000.csv`` and so on, so several jobs can share one folder.

The dataset must be ACTIVE (ResourceInUse otherwise). The export runs in the job runner; a
missing bucket fails the job (CREATE FAILED with the reason), as the service reports problems
with the destination.
"""

from __future__ import annotations

from typing import Any

from ...data import export_dataset
from ...protocol.errors import ResourceInUseException
from .. import arns, lifecycle
from ..common import (
    ensure_new,
    get_record,
    list_operation,
    start_create,
    status_summary,
    tags_from_wire,
)
from ..datastore import table_for
from ..handlers import handler
from ..jobs import JobContext
from ..realtime_records import DatasetExportJobRecord
from ..store import Store

KIND = "dataset-export-job"


def _summary(r: DatasetExportJobRecord) -> dict[str, Any]:
    return status_summary(r, "datasetExportJobArn", name_member="jobName")


@handler("personalize", "CreateDatasetExportJob")
def create_dataset_export_job(
    store: Store,
    *,
    jobName: str,
    datasetArn: str,
    roleArn: str,
    jobOutput: dict[str, Any],
    ingestionMode: str | None = None,
    tags: list[dict[str, str]] | None = None,
) -> dict:
    checked_tags = tags_from_wire(tags)
    mode = ingestionMode or "PUT"
    destination = jobOutput["s3DataDestination"]
    arn = arns.build(KIND, jobName, region=store.region, account=store.account_id)
    with store.lock:
        dataset = get_record(store, "dataset", datasetArn, "datasetArn")
        if dataset.status != lifecycle.ACTIVE:
            raise ResourceInUseException(
                f"Dataset {datasetArn} is in {dataset.status} state; only an ACTIVE dataset can"
                " be exported."
            )
        ensure_new(store, KIND, arn)
        table = table_for(store, dataset)
        record = DatasetExportJobRecord(
            arn=arn,
            name=jobName,
            dataset_arn=datasetArn,
            dataset_group_arn=dataset.dataset_group_arn,
            role_arn=roleArn,
            ingestion_mode=mode,
            s3_path=destination["path"],
            kms_key_arn=destination.get("kmsKeyArn"),
            status=lifecycle.CREATE_PENDING,
        )

        def export(ctx: JobContext) -> list[str]:
            return export_dataset(
                table,
                store.account_id,
                store.region,
                record.s3_path,
                ingestion_mode=mode,
                file_prefix=f"{jobName}_",
            )

        def publish(keys: list[str]) -> None:
            record.keys_written = keys

        start_create(store, KIND, record, checked_tags, export, on_success=publish)
    return {"datasetExportJobArn": arn}


@handler("personalize", "DescribeDatasetExportJob")
def describe_dataset_export_job(store: Store, *, datasetExportJobArn: str) -> dict:
    with store.lock:
        r: DatasetExportJobRecord = get_record(
            store, KIND, datasetExportJobArn, "datasetExportJobArn"
        )
        destination = {"path": r.s3_path, "kmsKeyArn": r.kms_key_arn}
        return {
            "datasetExportJob": {
                **_summary(r),
                "datasetArn": r.dataset_arn,
                "ingestionMode": r.ingestion_mode,
                "roleArn": r.role_arn,
                "jobOutput": {"s3DataDestination": destination},
            }
        }


list_dataset_export_jobs = list_operation(
    "ListDatasetExportJobs", KIND, "datasetExportJobs", _summary, ("datasetArn", "dataset")
)
