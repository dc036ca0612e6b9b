"""Preview-dialect dataset import jobs and their runs.

In the preview an import job was a standing definition (it could even carry a cron
``importJobSchedule``) and each execution was a *run*; the blog polls
``latestDatasetImportJobRun.status`` for the import's outcome. The emulator never repeats an
import, so every job has exactly one run: the GA import job's own execution. The run is
therefore a *view* of the GA record, not a record of its own:

* its ARN is derived, ``dataset-import-job-run/<jobName>/<8hex>`` with the hex taken from the
  job's ARN and creation time (stable, and different for a re-created job of the same name);
* its status, failure reason and timestamps are the GA job's;
* the preview job itself shows ``CREATE PENDING`` (and no run) until the GA job starts, then
  ``ACTIVE``: the job exists, and what happened to the data is the run's business.

Jobs created through GA get a run the same way, so both dialects see every import.
"""

from __future__ import annotations

import re
from typing import Any

from ...protocol.errors import InvalidInputException
from .. import arns, lifecycle
from ..common import get_record
from ..pagination import newest_first, paginate
from ..store import Store
from .preview_common import extras, ga, pick, preview, set_extras, short_hash, translating

KIND = "dataset-import-job"
JOB_SUMMARY = (
    "datasetImportJobArn", "jobName", "status", "creationDateTime", "lastUpdatedDateTime",
    "failureReason",
)  # fmt: skip
RUN_SUMMARY = (
    "datasetImportJobRunArn", "status", "failureReason", "creationDateTime", "lastUpdatedDateTime",
)  # fmt: skip
_RUN_ARN = re.compile(
    r"^arn:(?P<partition>aws(?:-[a-z-]+)?):personalize:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"dataset-import-job-run/(?P<job>[A-Za-z0-9][A-Za-z0-9\-_]*)/(?P<run>[0-9a-f]{8})$"
)


def _job(store: Store, arn: str) -> Any:
    return get_record(store, KIND, arn, "datasetImportJobArn")


def run_arn(job: Any) -> str:
    prefix = job.arn.split(":dataset-import-job/")[0]
    return f"{prefix}:dataset-import-job-run/{job.name}/{short_hash(job.arn, job.created)}"


def _has_run(job: Any) -> bool:
    return job.status != lifecycle.CREATE_PENDING


def _config(store: Store, job: Any) -> dict[str, Any] | None:
    schedule = extras(store, job).get("importJobSchedule")
    return {"importJobSchedule": schedule} if schedule else None


def _run(store: Store, job: Any) -> dict[str, Any]:
    return {
        "datasetImportJobRunArn": run_arn(job),
        "datasetImportJobArn": job.arn,
        "datasetArn": job.dataset_arn,
        "dataSource": {"dataLocation": job.data_location},
        "roleArn": job.role_arn,
        "status": job.status,
        "failureReason": job.failure_reason,
        "creationDateTime": job.created,
        "lastUpdatedDateTime": job.updated,
        "datasetImportJobConfig": _config(store, job),
    }


def _job_status(job: Any) -> str:
    return job.status if not _has_run(job) else lifecycle.ACTIVE


def _job_view(store: Store, job: Any) -> dict[str, Any]:
    return {
        "jobName": job.name,
        "datasetImportJobArn": job.arn,
        "datasetArn": job.dataset_arn,
        "dataSource": {"dataLocation": job.data_location},
        "roleArn": job.role_arn,
        "status": _job_status(job),
        "creationDateTime": job.created,
        "lastUpdatedDateTime": job.updated,
        "datasetImportJobConfig": _config(store, job),
        "latestDatasetImportJobRun": _run(store, job) if _has_run(job) else None,
    }


@preview("CreateDatasetImportJob")
def create_dataset_import_job(
    store: Store,
    *,
    jobName: str,
    datasetArn: str,
    dataSource: dict[str, str],
    roleArn: str,
    datasetImportJobConfig: dict[str, str] | None = None,
) -> dict:
    out = ga(
        "CreateDatasetImportJob",
        store,
        jobName=jobName,
        datasetArn=datasetArn,
        dataSource=dataSource,
        roleArn=roleArn,
    )
    arn = out["datasetImportJobArn"]
    schedule = (datasetImportJobConfig or {}).get("importJobSchedule")
    if schedule:
        with store.lock:
            set_extras(store, store.records[KIND][arn], importJobSchedule=schedule)
    return {"datasetImportJobArn": arn}


@preview("DescribeDatasetImportJob")
def describe_dataset_import_job(store: Store, *, datasetImportJobArn: str) -> dict:
    with store.lock:
        return {"datasetImportJob": _job_view(store, _job(store, datasetImportJobArn))}


@preview("ListDatasetImportJobs")
def list_dataset_import_jobs(
    store: Store,
    *,
    datasetArn: str | None = None,
    nextToken: str | None = None,
    maxResults: int | None = None,
) -> dict:
    page = ga(
        "ListDatasetImportJobs",
        store,
        datasetArn=datasetArn,
        nextToken=nextToken,
        maxResults=maxResults,
    )
    with store.lock:
        items = []
        for summary in page.get("datasetImportJobs", []):
            job = store.records[KIND].get(summary["datasetImportJobArn"])
            view = _job_view(store, job) if job is not None else summary
            items.append(pick(view, JOB_SUMMARY))
    return {"datasetImportJobs": items, "nextToken": page.get("nextToken")}


def _job_of_run(store: Store, arn: str) -> Any:
    m = _RUN_ARN.match(arn)
    if m is None:
        raise InvalidInputException(
            f"Invalid parameter datasetImportJobRunArn: {arn} is not the ARN of a dataset import"
            " job run (expected arn:aws:personalize:<region>:<account>:dataset-import-job-run/"
            "<jobName>/<runId>)."
        )
    job_arn = arns.build(KIND, m["job"], region=m["region"], account=m["account"])
    job = store.records[KIND].get(job_arn)
    if job is None or not _has_run(job) or run_arn(job) != arn:
        raise arns.not_found(arn)
    return job


@preview("DescribeDatasetImportJobRun")
def describe_dataset_import_job_run(store: Store, *, datasetImportJobRunArn: str) -> dict:
    with store.lock:
        job = _job_of_run(store, datasetImportJobRunArn)
        return {"datasetImportJobRun": _run(store, job)}


@preview("ListDatasetImportJobRuns")
def list_dataset_import_job_runs(
    store: Store,
    *,
    datasetImportJobArn: str | None = None,
    nextToken: str | None = None,
    maxResults: int | None = None,
) -> dict:
    if datasetImportJobArn is not None:
        with store.lock:
            _job(store, datasetImportJobArn)
    # Page over the jobs (one run each), newest first like every listing.
    with store.lock:
        jobs = newest_first(
            j
            for j in store.records[KIND].values()
            if _has_run(j) and datasetImportJobArn in (None, j.arn)
        )
        with translating():
            return paginate(
                jobs,
                nextToken,
                maxResults,
                "datasetImportJobRuns",
                scope=datasetImportJobArn,
                render=lambda j: pick(_run(store, j), RUN_SUMMARY),
            )
