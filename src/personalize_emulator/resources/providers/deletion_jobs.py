"""Data deletion jobs: CreateDataDeletionJob, DescribeDataDeletionJob, ListDataDeletionJobs.

The job reads CSV files with a single ``USER_ID`` column from ``dataSource.dataLocation`` (one
object, or every ``.csv`` under a folder, subfolders included) and removes those users' rows
from the dataset group's Interactions, Users and Action_Interactions tables and from the
real-time buffer, so neither the next training, nor exports, nor filters, nor session events
see them again. ``numDeleted`` counts the table rows removed. Status walks ``PENDING ->
IN_PROGRESS -> COMPLETED | FAILED``; a file without the ``USER_ID`` header, or with other
columns, fails the job with the reason.

Removing rows rewrites a table: every row of the users not listed is kept, in its order, bulk
rows as bulk and put rows as put, so later FULL imports, ``ingestionMode`` exports and "newest
record per id" still read them as before. ``DatasetTable.delete_rows`` does it under the
table's lock (which PutEvents and imports also take) and swaps the rewritten parts in with one
manifest replace, so a crash midway leaves the table as it was.

Creating a job while an import job of the group is still running is refused (ResourceInUse):
the rewrite would race the import's commit. Listings are newest first.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from ...data import DatasetTable, SourceError, resolve_sources
from ...protocol.errors import InvalidInputException, ResourceInUseException
from .. import arns, lifecycle, realtime
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
from ..jobs import JobContext, JobFailed
from ..realtime_records import DataDeletionJobRecord
from ..store import Store

KIND = "data-deletion-job"
USER_DATASETS = ("INTERACTIONS", "USERS", "ACTION_INTERACTIONS")


def _summary(r: DataDeletionJobRecord) -> dict[str, Any]:
    return {
        **status_summary(r, "dataDeletionJobArn", name_member="jobName"),
        "datasetGroupArn": r.dataset_group_arn,
    }


# --------------------------------------------------------------------------- the work


def read_user_ids(account: str, region: str, location: str) -> set[str]:
    """The USER_ID values of the CSV file(s) at ``location`` (JobFailed on a bad file)."""
    try:
        sources = resolve_sources(account, region, location)
    except SourceError as exc:
        raise JobFailed(str(exc)) from None
    users: set[str] = set()
    for source in sources:
        with source.open() as stream:
            text = stream.read().decode("utf-8-sig")
        reader = csv.reader(io.StringIO(text))
        header = [h.strip() for h in next(reader, [])]
        if header != ["USER_ID"]:
            raise JobFailed(
                f"{source.name}: the file must have a single USER_ID column; its header is"
                f" {','.join(header) or '(empty)'}."
            )
        for line, row in enumerate(reader, start=1):
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != 1:
                raise JobFailed(f"{source.name}, row {line}: expected one value, found {len(row)}.")
            users.add(row[0].strip())
    return users


def remove_users(table: DatasetTable, users: set[str]) -> int:
    """Delete the rows of ``users`` from ``table`` (atomically); the number of rows removed."""
    if not users or table.parsed.field("USER_ID") is None:
        return 0
    return table.delete_rows("USER_ID", users)


def _delete_users(store: Store, record: DataDeletionJobRecord, ctx: JobContext) -> int:
    users = read_user_ids(store.account_id, store.region, record.data_location)
    with store.lock:
        tables = [
            table_for(store, d)
            for d in store.records["dataset"].values()
            if d.dataset_group_arn == record.dataset_group_arn and d.dataset_type in USER_DATASETS
        ]
    deleted = sum(remove_users(table, users) for table in tables)
    realtime.forget_users(store, record.dataset_group_arn, users)
    ctx.progress(f"removed {deleted} rows of {len(users)} users")
    return deleted


# --------------------------------------------------------------------------- handlers


@handler("personalize", "CreateDataDeletionJob")
def create_data_deletion_job(
    store: Store,
    *,
    jobName: str,
    datasetGroupArn: str,
    dataSource: dict[str, Any],
    roleArn: str,
    tags: list[dict[str, str]] | None = None,
) -> dict:
    checked_tags = tags_from_wire(tags)
    location = dataSource.get("dataLocation")
    if not location:
        raise InvalidInputException(
            "Invalid parameter dataSource.dataLocation: the S3 location of the CSV file of"
            " USER_IDs is required."
        )
    arn = arns.build(KIND, jobName, region=store.region, account=store.account_id)
    with store.lock:
        get_record(store, "dataset-group", datasetGroupArn, "datasetGroupArn")
        ensure_new(store, KIND, arn)
        group_datasets = {
            d.arn
            for d in store.records["dataset"].values()
            if d.dataset_group_arn == datasetGroupArn
        }
        importing = sorted(
            j.arn
            for j in store.records["dataset-import-job"].values()
            if getattr(j, "dataset_arn", None) in group_datasets
            and lifecycle.is_in_progress(j.status)
        )
        if importing:
            raise ResourceInUseException(
                f"Dataset group {datasetGroupArn} has import jobs in progress"
                f" ({', '.join(importing)}); start the deletion job when they finish."
            )
        record = DataDeletionJobRecord(
            arn=arn,
            name=jobName,
            dataset_group_arn=datasetGroupArn,
            data_location=location,
            role_arn=roleArn,
            status=lifecycle.PENDING,
        )

        def publish(deleted: int) -> None:
            record.num_deleted = deleted

        start_create(
            store, KIND, record, checked_tags, lambda ctx: _delete_users(store, record, ctx),
            path="deletion", on_success=publish,
        )  # fmt: skip
    return {"dataDeletionJobArn": arn}


@handler("personalize", "DescribeDataDeletionJob")
def describe_data_deletion_job(store: Store, *, dataDeletionJobArn: str) -> dict:
    with store.lock:
        r: DataDeletionJobRecord = get_record(store, KIND, dataDeletionJobArn, "dataDeletionJobArn")
        return {
            "dataDeletionJob": {
                **_summary(r),
                "dataSource": {"dataLocation": r.data_location},
                "roleArn": r.role_arn,
                "numDeleted": r.num_deleted,
            }
        }


list_data_deletion_jobs = list_operation(
    "ListDataDeletionJobs", KIND, "dataDeletionJobs", _summary, ("datasetGroupArn", "dataset-group")
)
