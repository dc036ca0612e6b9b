"""Acceptance: plain moto users next to personalize_emulator, in one process."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import boto3
from botocore.config import Config
from moto import mock_aws

from personalize_emulator import mock_personalize

ARN = "arn:aws:personalize:us-east-1:123456789012:campaign/none"


def test_plain_mock_aws_serves_all_of_personalize_once_the_plugin_is_imported():
    # A fresh interpreter: the import alone must be enough, no mock_personalize() call before.
    script = textwrap.dedent(
        f"""
        import boto3
        from moto import mock_aws
        from personalize_emulator import mock_personalize  # noqa: F401

        with mock_aws():
            personalize = boto3.client("personalize", region_name="us-east-1")
            assert personalize.list_recipes()["recipes"], "no recipes"
            runtime = boto3.client("personalize-runtime", region_name="us-east-1")
            try:
                runtime.get_recommendations(campaignArn="{ARN}", userId="u")
            except runtime.exceptions.ResourceNotFoundException as err:
                assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 404
            else:
                raise AssertionError("no error for a missing campaign")
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


def test_mock_personalize_nested_in_mock_aws_shares_state_and_keeps_it():
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="outer")
        personalize = boto3.client("personalize", region_name="us-east-1")
        with mock_personalize():
            personalize.create_dataset_group(name="inner")
            assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["outer"]
        groups = personalize.list_dataset_groups()["datasetGroups"]
        assert [g["name"] for g in groups] == ["inner"]


def test_regions_and_accounts_keep_separate_state(monkeypatch):
    with mock_personalize():
        east = boto3.client("personalize", region_name="us-east-1")
        west = boto3.client("personalize", region_name="eu-west-1")
        east.create_dataset_group(name="g")
        assert west.list_dataset_groups()["datasetGroups"] == []
        arn = west.create_dataset_group(name="g")["datasetGroupArn"]
        assert arn == "arn:aws:personalize:eu-west-1:123456789012:dataset-group/g"
        monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")
        other = boto3.client("personalize", region_name="us-east-1")
        assert other.list_dataset_groups()["datasetGroups"] == []
        arn = other.create_dataset_group(name="g")["datasetGroupArn"]
        assert arn == "arn:aws:personalize:us-east-1:111122223333:dataset-group/g"


def test_virtual_host_buckets_named_like_personalize_still_reach_s3():
    with mock_personalize():
        s3 = boto3.client(
            "s3", region_name="us-east-1", config=Config(s3={"addressing_style": "virtual"})
        )
        for bucket in ("personalize", "personalize-events", "personalize-runtime"):
            s3.create_bucket(Bucket=bucket)
            s3.put_object(Bucket=bucket, Key="k.csv", Body=b"USER_ID\n")
            assert s3.get_object(Bucket=bucket, Key="k.csv")["Body"].read() == b"USER_ID\n"
