"""Dataset import jobs through boto3: the data path, bad CSVs and sources, modes, refusals."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from pipeline_support import ACCOUNT, BUCKET, ROLE, error_of, interactions_csv, world

from personalize_emulator.resources import datastore

GOOD = interactions_csv(world().data.interactions.head(40))


def rows(aws, pipe) -> int:
    store = aws.store()
    with store.lock:
        table = datastore.table_for(store, store.records["dataset"][pipe.interactions])
    return table.row_count()


def test_import_describe_and_rows(aws, pipe):
    pipe.dataset_group()
    job = pipe.import_job("first", pipe.upload("a.csv", GOOD))
    assert job["status"] == "ACTIVE" and "failureReason" not in job
    assert job["jobName"] == "first"
    assert job["datasetImportJobArn"] == (
        f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset-import-job/first"
    )
    assert job["datasetArn"] == pipe.interactions
    assert job["dataSource"] == {"dataLocation": f"s3://{BUCKET}/a.csv"}
    assert (job["roleArn"], job["importMode"]) == (ROLE, "FULL")
    assert rows(aws, pipe) == 40


def test_full_replaces_and_incremental_appends(aws, pipe):
    pipe.dataset_group()
    location = pipe.upload("a.csv", GOOD)
    pipe.import_job("one", location)
    pipe.import_job("two", location)
    assert rows(aws, pipe) == 40
    job = pipe.import_job("three", location, mode="INCREMENTAL")
    assert job["importMode"] == "INCREMENTAL" and rows(aws, pipe) == 80
    listed = pipe.personalize.list_dataset_import_jobs(datasetArn=pipe.interactions)
    assert [j["jobName"] for j in listed["datasetImportJobs"]] == ["three", "two", "one"]


def test_folder_location_imports_every_csv(aws, pipe):
    pipe.dataset_group()
    pipe.upload("folder/part-1.csv", GOOD)
    pipe.upload("folder/part-2.csv", GOOD)
    assert pipe.import_job("folder", f"s3://{BUCKET}/folder/")["status"] == "ACTIVE"
    assert rows(aws, pipe) == 80


def test_local_file_location(aws, pipe, tmp_path):
    """A local path or file:// URI is the emulator's extension. botocore's pattern for
    dataLocation admits only s3/http(s) URIs, so the handler is called as the wire would."""
    from personalize_emulator.resources.providers.import_jobs import create_dataset_import_job

    path = tmp_path / "local.csv"
    path.write_bytes(GOOD)
    pipe.dataset_group()
    for name, location in (("uri", f"file://{path}"), ("path", str(path))):
        create_dataset_import_job(aws.store(), jobName=name, datasetArn=pipe.interactions,
                                  dataSource={"dataLocation": location})  # fmt: skip
        arn = f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset-import-job/{name}"
        assert pipe.wait_job(arn)["status"] == "ACTIVE"
    assert rows(aws, pipe) == 40


def test_csv_breaking_the_schema_fails_and_keeps_nothing(aws, pipe):
    pipe.dataset_group()
    pipe.import_job("good", pipe.upload("a.csv", GOOD))
    bad = GOOD.split(b"\n")
    bad[3] = b"u1,i1,yesterday,click,1.0"  # data row 3 (the header is line 0)
    job = pipe.import_job("bad", pipe.upload("bad.csv", b"\n".join(bad)))
    assert job["status"] == "CREATE FAILED"
    assert job["failureReason"].startswith("Row 3, column TIMESTAMP: value 'yesterday'")
    assert rows(aws, pipe) == 40  # the earlier FULL import is untouched


def test_missing_column_fails(aws, pipe):
    pipe.dataset_group()
    job = pipe.import_job("cols", pipe.upload("c.csv", b"USER_ID,ITEM_ID\nu1,i1\n"))
    assert job["status"] == "CREATE FAILED"
    assert "missing the following columns" in job["failureReason"]
    assert "TIMESTAMP" in job["failureReason"]
    assert rows(aws, pipe) == 0


def test_missing_s3_object_fails_naming_the_uri(aws, pipe):
    pipe.dataset_group()
    uri = f"s3://{BUCKET}/nowhere.csv"
    job = pipe.import_job("missing", uri)
    assert job["status"] == "CREATE FAILED" and uri in job["failureReason"]
    assert rows(aws, pipe) == 0


def test_incremental_needs_a_bulk_import_first(pipe):
    pipe.dataset_group()
    with pytest.raises(ClientError) as exc:
        pipe.import_job("inc", pipe.upload("a.csv", GOOD), mode="INCREMENTAL")
    code, message = error_of(exc)
    assert code == "InvalidInputException" and "FULL" in message
    assert pipe.personalize.list_dataset_import_jobs()["datasetImportJobs"] == []


def test_refusals(pipe):
    pipe.dataset_group()
    location = pipe.upload("a.csv", GOOD)
    pipe.import_job("taken", location)
    with pytest.raises(ClientError) as exc:
        pipe.import_job("taken", location)
    assert error_of(exc)[0] == "ResourceAlreadyExistsException"
    p = pipe.personalize
    missing = pipe.interactions.replace("/movies/", "/nothing/")
    with pytest.raises(ClientError) as exc:
        p.create_dataset_import_job(jobName="x", datasetArn=missing,
                                    dataSource={"dataLocation": location})  # fmt: skip
    assert error_of(exc) == ("ResourceNotFoundException", f"Resource Arn {missing} does not exist.")
    with pytest.raises(ClientError) as exc:
        p.create_dataset_import_job(jobName="x", datasetArn=pipe.group,
                                    dataSource={"dataLocation": location})  # fmt: skip
    code, message = error_of(exc)
    assert code == "InvalidInputException" and "datasetArn" in message
    with pytest.raises(ClientError) as exc:
        p.describe_dataset_import_job(datasetImportJobArn=location.replace("s3://", "arn:"))
    assert error_of(exc)[0] == "InvalidInputException"
