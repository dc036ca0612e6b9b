"""Dataset export jobs and data deletion jobs through boto3 on both doors."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError
from realtime_samples import ROLE, error_of

from personalize_emulator.resources import realtime

HEADER = ("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,IMPRESSION,RECOMMENDATION_ID,"
          "EVENT_ATTRIBUTION_SOURCE,DEVICE,RATING\n")  # fmt: skip
BULK = HEADER + "u1,a,100,watch,,,,,,\nu2,b,200,watch,,,,,,\nu3,c,300,watch,,,,,,\n"
BUCKET = "realtime-bucket"


def put(events, group, user, item, seconds):
    events.put_events(trackingId=group.tracking_id, userId=user, sessionId=f"s-{user}",
                      eventList=[{"eventType": "click", "itemId": item,
                                  "sentAt": datetime.fromtimestamp(seconds, timezone.utc)}])  # fmt: skip


def export(personalize, s3, dataset_arn, job_name, mode=None):
    kwargs = {"ingestionMode": mode} if mode else {}
    arn = personalize.create_dataset_export_job(
        jobName=job_name, datasetArn=dataset_arn, roleArn=ROLE,
        jobOutput={"s3DataDestination": {"path": f"s3://{BUCKET}/exports/{job_name}/"}}, **kwargs,
    )["datasetExportJobArn"]  # fmt: skip
    job = personalize.describe_dataset_export_job(datasetExportJobArn=arn)["datasetExportJob"]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET,
                                                 Prefix=f"exports/{job_name}/")["Contents"]]
    rows = []
    for key in keys:
        text = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
        rows.extend(csv.DictReader(io.StringIO(text)))
    return job, keys, rows


def test_export_modes(aws, personalize, group, events, s3):
    group.bulk_import(aws, "Interactions", BULK)
    put(events, group, "u9", "z", 900)
    dataset = group.datasets["Interactions"]
    job, keys, rows = export(personalize, s3, dataset, "default")
    assert job["status"] == "ACTIVE" and job["ingestionMode"] == "PUT"
    assert job["jobOutput"]["s3DataDestination"]["path"] == f"s3://{BUCKET}/exports/default/"
    assert keys == ["exports/default/default_part-00000.csv"]
    assert [(r["USER_ID"], r["ITEM_ID"], r["TIMESTAMP"]) for r in rows] == [("u9", "z", "900")]
    assert list(rows[0]) == HEADER.strip().split(",")
    _, _, bulk = export(personalize, s3, dataset, "bulk", "BULK")
    assert [r["USER_ID"] for r in bulk] == ["u1", "u2", "u3"]
    _, _, every = export(personalize, s3, dataset, "all", "ALL")
    assert [r["USER_ID"] for r in every] == ["u1", "u2", "u3", "u9"]
    listed = personalize.list_dataset_export_jobs(datasetArn=dataset)["datasetExportJobs"]
    assert [j["jobName"] for j in listed] == ["all", "bulk", "default"]


def test_export_items_all_keeps_newest(aws, personalize, group, events, s3):
    items = group.datasets["Items"]
    group.bulk_import(aws, "Items", "ITEM_ID,GENRES,PRICE,DESCRIPTION,CREATION_TIMESTAMP\n"
                                    "a,Old,1.0,,\nb,Kept,2.0,,\n")  # fmt: skip
    events.put_items(datasetArn=items, items=[
        {"itemId": "a", "properties": json.dumps({"genres": "New"})}])  # fmt: skip
    _, _, rows = export(personalize, s3, items, "items", "ALL")
    assert sorted((r["ITEM_ID"], r["GENRES"]) for r in rows) == [("a", "New"), ("b", "Kept")]


def test_export_failures(aws, personalize, group, s3):
    arn = personalize.create_dataset_export_job(
        jobName="nobucket", datasetArn=group.datasets["Users"], roleArn=ROLE,
        jobOutput={"s3DataDestination": {"path": "s3://no-such-bucket-here/x/"}},
    )["datasetExportJobArn"]  # fmt: skip
    job = personalize.describe_dataset_export_job(datasetExportJobArn=arn)["datasetExportJob"]
    assert job["status"] == "CREATE FAILED" and "no-such-bucket-here" in job["failureReason"]
    missing = group.datasets["Users"].replace("/shop/", "/none/")
    with pytest.raises(ClientError) as exc:
        personalize.create_dataset_export_job(
            jobName="x", datasetArn=missing, roleArn=ROLE,
            jobOutput={"s3DataDestination": {"path": f"s3://{BUCKET}/x/"}})  # fmt: skip
    assert error_of(exc)[0] == "ResourceNotFoundException"


def deletion_job(personalize, s3, group, name, body):
    s3.put_object(Bucket=BUCKET, Key=f"delete/{name}.csv", Body=body.encode())
    arn = personalize.create_data_deletion_job(
        jobName=name, datasetGroupArn=group.arn, roleArn=ROLE,
        dataSource={"dataLocation": f"s3://{BUCKET}/delete/{name}.csv"},
    )["dataDeletionJobArn"]  # fmt: skip
    return personalize.describe_data_deletion_job(dataDeletionJobArn=arn)["dataDeletionJob"]


def test_deletion_removes_listed_users(aws, personalize, group, events, s3):
    group.bulk_import(aws, "Interactions", BULK)
    put(events, group, "u1", "p", 1000)
    put(events, group, "u4", "q", 1001)
    events.put_users(datasetArn=group.datasets["Users"], users=[
        {"userId": "u1", "properties": '{"age": 3}'},
        {"userId": "u2", "properties": '{"age": 4}'}])  # fmt: skip
    job = deletion_job(personalize, s3, group, "forget", "USER_ID\nu1\nu3\nnobody\n")
    assert job["status"] == "COMPLETED"
    assert job["numDeleted"] == 4  # u1: one bulk + one put interaction + its Users row; u3: one
    assert job["dataSource"] == {"dataLocation": f"s3://{BUCKET}/delete/forget.csv"}
    interactions = group.table(aws, "Interactions")
    assert [r["USER_ID"] for r in interactions.read_arrow("BULK").to_pylist()] == ["u2"]
    assert [r["USER_ID"] for r in interactions.read_arrow("PUT").to_pylist()] == ["u4"]
    assert [r["USER_ID"] for r in group.rows(aws, "Users")] == ["u2"]
    store = aws.store()
    assert realtime.session_events(store, group.arn, "u1") == []
    assert [e.item_id for e in realtime.session_events(store, group.arn, "u4")] == ["q"]
    assert realtime.user_interactions(store, group.arn, "u1") == []
    assert realtime.user_interactions(store, group.arn, "u2") == [("b", "watch", 200.0)]


def test_deletion_failures_and_listing(aws, personalize, group, s3):
    bad = deletion_job(personalize, s3, group, "bad", "USER_ID,ITEM_ID\nu1,a\n")
    assert bad["status"] == "FAILED" and "single USER_ID column" in bad["failureReason"]
    assert "numDeleted" not in bad
    empty = deletion_job(personalize, s3, group, "none", "USER_ID\n")
    assert (empty["status"], empty["numDeleted"]) == ("COMPLETED", 0)
    listed = personalize.list_data_deletion_jobs(datasetGroupArn=group.arn)["dataDeletionJobs"]
    assert [j["jobName"] for j in listed] == ["none", "bad"]
    with pytest.raises(ClientError) as exc:
        personalize.create_data_deletion_job(jobName="x", datasetGroupArn=group.arn,
                                             roleArn=ROLE, dataSource={})  # fmt: skip
    assert error_of(exc)[0] == "InvalidInputException"
    with pytest.raises(ClientError) as exc:
        personalize.create_data_deletion_job(jobName="none", datasetGroupArn=group.arn,
                                             roleArn=ROLE, dataSource={"dataLocation": "s3://b/k"})
    assert error_of(exc)[0] == "ResourceAlreadyExistsException"


def test_deletion_job_walks_its_statuses_in_async_mode(aws, personalize, group, events, s3):
    from personalize_emulator import config

    put(events, group, "gone", "x", 10)
    s3.put_object(Bucket=BUCKET, Key="delete/async.csv", Body=b"USER_ID\ngone\n")
    seen = []
    with config.override(job_mode="async"):
        arn = personalize.create_data_deletion_job(
            jobName="async", datasetGroupArn=group.arn, roleArn=ROLE,
            dataSource={"dataLocation": f"s3://{BUCKET}/delete/async.csv"},
        )["dataDeletionJobArn"]  # fmt: skip
        for _ in range(600):
            job = personalize.describe_data_deletion_job(dataDeletionJobArn=arn)[
                "dataDeletionJob"
            ]
            if not seen or seen[-1] != job["status"]:
                seen.append(job["status"])
            if job["status"] in ("COMPLETED", "FAILED"):
                break
            time.sleep(0.05)
    assert seen[-1] == "COMPLETED" and job["numDeleted"] == 1
    assert set(seen) <= {"PENDING", "IN_PROGRESS", "COMPLETED"}
    assert seen == sorted(seen, key=["PENDING", "IN_PROGRESS", "COMPLETED"].index)


def test_deletion_keeps_order_and_sources_of_survivors(aws, personalize, group, events, s3):
    events.put_users(datasetArn=group.datasets["Users"],
                     users=[{"userId": "keep", "properties": '{"age": 1}'}])  # fmt: skip
    group.bulk_import(aws, "Users", "USER_ID,AGE,TIER\nkeep,2,\ndrop,3,\n")  # newer than the put
    job = deletion_job(personalize, s3, group, "order", "USER_ID\ndrop\n")
    assert (job["status"], job["numDeleted"]) == ("COMPLETED", 1)
    assert group.rows(aws, "Users") == [{"USER_ID": "keep", "AGE": 2, "TIER": None}]
    assert group.rows(aws, "Users", "PUT") == [{"USER_ID": "keep", "AGE": 1, "TIER": None}]
    assert group.table(aws, "Users").has_bulk_data()
