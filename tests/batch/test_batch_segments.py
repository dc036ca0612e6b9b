"""Batch segment jobs through boto3 on both doors: Item-Affinity and Item-Attribute-Affinity
segments checked against the planted clusters, error lines, UserID filters, line limits."""

from __future__ import annotations

import pytest
from batch_support import BUCKET, ROLE, Batch, error_of, world
from botocore.exceptions import ClientError


@pytest.fixture
def batch(aws):
    b = Batch.open(aws)
    w = world()
    b.load(w)
    return b, w


def _share(users: list[str], wanted: list[str]) -> float:
    return len(set(users) & set(wanted)) / len(users)


def test_item_affinity_segments_and_error_lines(batch):
    b, w = batch
    version = b.version("affinity", "aws-item-affinity")
    source = b.lines("in/items.json", [
        {"itemId": w.cluster_items[0][0]},
        "not json",
        {"itemId": "never-seen"},
        {"userId": "u0001"},
        {"itemId": w.cluster_items[3][4]},
    ])  # fmt: skip
    job = b.segments("affinity-job", version, source, numResults=10)
    assert job["status"] == "ACTIVE", job
    assert job["numResults"] == 10 and job["solutionVersionArn"] == version

    out = b.read("out/affinity-job/items.json.out")
    assert len(out) == 5
    first = out[0]["output"]["recommendedUsers"]
    assert out[0]["input"] == {"itemId": w.cluster_items[0][0]} and out[0]["error"] is None
    assert len(first) == 10 and _share(first, w.cluster_users[0]) >= 0.8, first
    assert out[1]["input"] == "not json" and out[1]["output"] is None and out[1]["error"]
    assert "never-seen" in out[2]["error"]
    assert "itemId" in out[3]["error"]
    assert _share(out[4]["output"]["recommendedUsers"], w.cluster_users[3]) >= 0.8

    listed = b.personalize.list_batch_segment_jobs(solutionVersionArn=version)
    assert [j["jobName"] for j in listed["batchSegmentJobs"]] == ["affinity-job"]


def test_item_attribute_affinity_with_a_user_filter(batch):
    b, w = batch
    version = b.version("attributes", "aws-item-attribute-affinity")
    not_segment = b.filter("not-segment", "EXCLUDE UserID WHERE Users.SEGMENT IN ($SEGMENTS)")
    query = f'ITEMS.GENRE = "{w.genres[2]}"'
    source = b.lines("in/attributes.json", [
        {"itemAttributes": query},
        {"itemAttributes": f'ITEMS.GENRE IN ("{w.genres[2]}")'},
        {"itemAttributes": query, "filterValues": {"SEGMENTS": '"s2"'}},
    ])  # fmt: skip
    job = b.segments("attributes-job", version, source, numResults=12, filterArn=not_segment)
    assert job["status"] == "ACTIVE", job
    assert job["filterArn"] == not_segment

    plain, invalid, filtered = b.read("out/attributes-job/attributes.json.out")
    assert plain["itemAttributes"] == query and "input" not in plain
    users = plain["output"]["recommendedUsers"]
    assert len(users) == 12 and _share(users, w.cluster_users[2]) >= 0.8, users
    assert invalid["output"] is None and "'='" in invalid["error"]
    kept = filtered["output"]["recommendedUsers"]
    assert kept and not set(kept) & set(w.cluster_users[2])  # segment s2 is cluster 2


def test_segment_job_refusals(batch):
    b, w = batch
    attributes = b.version("attributes", "aws-item-attribute-affinity")
    sims = b.version("related", "aws-sims")
    items = b.filter("items", 'EXCLUDE ItemID WHERE Items.GENRE IN ("g1")')
    touched = b.filter("touched", 'INCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("click")')
    eleven = b.lines("in/eleven.json", [{"itemAttributes": 'ITEMS.GENRE = "g1"'}] * 11)
    one = b.lines("in/one.json", [{"itemAttributes": 'ITEMS.GENRE = "g1"'}])
    cases = [
        (dict(solutionVersionArn=sims, source=one), "CreateBatchInferenceJob"),
        (dict(solutionVersionArn=attributes, source=eleven), "at most 10"),
        (dict(solutionVersionArn=attributes, source=one, filterArn=items), "UserID"),
        (dict(solutionVersionArn=attributes, source=one, filterArn=touched), "Interactions"),
    ]
    p = b.personalize
    for kwargs, fragment in cases:
        source = kwargs.pop("source")
        with pytest.raises(ClientError) as refused:
            p.create_batch_segment_job(
                jobName="refused", roleArn=ROLE, jobInput={"s3DataSource": {"path": source}},
                jobOutput={"s3DataDestination": {"path": f"s3://{BUCKET}/out/"}}, **kwargs,
            )  # fmt: skip
        code, message = error_of(refused)
        assert code == "InvalidInputException" and fragment in message, (kwargs, message)
    assert p.list_batch_segment_jobs()["batchSegmentJobs"] == []
