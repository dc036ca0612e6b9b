"""Acceptance: the AWS CLI (v1, botocore-based) against the live server.

Needs the ``aws`` command (``pip install awscli``); skipped without it. Each CLI call starts a
Python process, so the whole file is marked slow.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed"),
]


@pytest.fixture
def aws_cli(endpoint, tmp_path):
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_MAX_ATTEMPTS": "1",
    }

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            ["aws", "--endpoint-url", endpoint, "--output", "json", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        if ok:
            assert done.returncode == 0, done.stderr
        return done

    return run


def test_cli_paginates_and_reports_errors(aws_cli, tmp_path):
    (tmp_path / "input.json").write_text(
        json.dumps({"name": "g0", "tags": [{"tagKey": "team", "tagValue": "recs"}]})
    )
    aws_cli(
        "personalize", "create-dataset-group", "--cli-input-json", f"file://{tmp_path}/input.json"
    )
    for i in range(1, 5):
        aws_cli("personalize", "create-dataset-group", "--name", f"g{i}")

    first = json.loads(
        aws_cli("personalize", "list-dataset-groups", "--max-items", "3", "--page-size", "2").stdout
    )
    assert len(first["datasetGroups"]) == 3
    rest = json.loads(
        aws_cli(
            "personalize",
            "list-dataset-groups",
            "--max-items",
            "3",
            "--page-size",
            "2",
            "--starting-token",
            first["NextToken"],
        ).stdout
    )
    assert "NextToken" not in rest
    names = [g["name"] for g in first["datasetGroups"] + rest["datasetGroups"]]
    assert sorted(names) == ["g0", "g1", "g2", "g3", "g4"]

    tags = json.loads(
        aws_cli(
            "personalize",
            "list-tags-for-resource",
            "--resource-arn",
            "arn:aws:personalize:us-east-1:123456789012:dataset-group/g0",
        ).stdout
    )
    assert tags == {"tags": [{"tagKey": "team", "tagValue": "recs"}]}

    missing = aws_cli(
        "personalize-runtime",
        "get-recommendations",
        "--campaign-arn",
        "arn:aws:personalize:us-east-1:123456789012:campaign/none",
        "--user-id",
        "u1",
        ok=False,
    )
    assert missing.returncode == 255
    assert "(ResourceNotFoundException)" in missing.stderr
    assert "GetRecommendations" in missing.stderr

    bad = aws_cli("personalize", "list-dataset-groups", "--max-results", "500", ok=False)
    assert bad.returncode == 255
    assert "(InvalidInputException)" in bad.stderr
    assert "less than or equal to 100" in bad.stderr


SCHEMA = {
    "type": "record",
    "name": "Interactions",
    "namespace": "com.amazonaws.personalize.schema",
    "fields": [
        {"name": "USER_ID", "type": "string"},
        {"name": "ITEM_ID", "type": "string"},
        {"name": "TIMESTAMP", "type": "long"},
    ],
    "version": "1.0",
}


def test_cli_put_events_with_json_event_list_and_iso_timestamps(aws_cli, tmp_path):
    (tmp_path / "schema.json").write_text(json.dumps(SCHEMA))
    schema = json.loads(
        aws_cli(
            "personalize",
            "create-schema",
            "--name",
            "s",
            "--schema",
            f"file://{tmp_path}/schema.json",
        ).stdout
    )
    group = json.loads(aws_cli("personalize", "create-dataset-group", "--name", "ev").stdout)
    aws_cli(
        "personalize",
        "create-dataset",
        "--name",
        "d",
        "--dataset-type",
        "Interactions",
        "--dataset-group-arn",
        group["datasetGroupArn"],
        "--schema-arn",
        schema["schemaArn"],
    )
    tracker = json.loads(
        aws_cli(
            "personalize",
            "create-event-tracker",
            "--name",
            "t",
            "--dataset-group-arn",
            group["datasetGroupArn"],
        ).stdout
    )
    events = [
        {"eventType": "click", "itemId": "i1", "sentAt": "2024-01-01T00:00:00Z"},
        {"eventType": "click", "itemId": "i2", "sentAt": 1704067300},
    ]
    done = aws_cli(
        "personalize-events",
        "put-events",
        "--tracking-id",
        tracker["trackingId"],
        "--user-id",
        "u1",
        "--session-id",
        "s1",
        "--event-list",
        json.dumps(events),
    )
    assert done.stdout.strip() == ""
