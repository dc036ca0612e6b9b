"""mock_personalize as decorator, class decorator and context manager; S3 alongside; resets."""

from __future__ import annotations

import boto3
import pytest

from personalize_emulator import config, mock_personalize
from personalize_emulator.mock import store_for

ACCOUNT = "123456789012"


@pytest.fixture
def schema_handlers(temp_handlers):
    """CreateSchema / ListSchemas that keep plain records in the caller's Store."""

    def create_schema(store, *, name, schema, domain=None):
        arn = f"arn:aws:personalize:{store.region}:{store.account_id}:schema/{name}"
        with store.lock:
            store.records["schema"][arn] = {"name": name}
        return {"schemaArn": arn}

    def list_schemas(store, **_):
        with store.lock:
            arns = sorted(store.records["schema"])
        return {"schemas": [{"schemaArn": a, "name": a.rsplit("/", 1)[1]} for a in arns]}

    temp_handlers("personalize", "CreateSchema", create_schema)
    temp_handlers("personalize", "ListSchemas", list_schemas)


def names(client):
    return [s["name"] for s in client.list_schemas()["schemas"]]


def test_function_decorator(schema_handlers):
    @mock_personalize
    def body(name):
        client = boto3.client("personalize", region_name="eu-west-1")
        client.create_schema(name=name, schema="{}")
        return names(client)

    assert body("first") == ["first"]
    assert body("second") == ["second"]  # each call starts from a clean state


@mock_personalize
class TestClassDecorator:
    def test_one(self, schema_handlers):
        client = boto3.client("personalize", region_name="us-east-1")
        assert names(client) == []
        client.create_schema(name="one", schema="{}")
        assert names(client) == ["one"]

    def test_two(self, schema_handlers):
        client = boto3.client("personalize", region_name="us-east-1")
        assert names(client) == []


def test_context_manager_and_reset_on_exit(schema_handlers):
    called = []
    with mock_personalize():
        client = boto3.client("personalize", region_name="us-east-1")
        client.create_schema(name="kept", schema="{}")
        store = store_for(ACCOUNT, "us-east-1")
        store.on_reset(lambda: called.append("hook"))
        assert list(store.records["schema"]) == [
            f"arn:aws:personalize:us-east-1:{ACCOUNT}:schema/kept"
        ]
    assert called == ["hook"]
    assert not store.records["schema"]  # the old store was cleared, not just dropped


def test_explicit_real_endpoint_and_s3_alongside(schema_handlers):
    with mock_personalize():
        s3 = boto3.client("s3", region_name="us-east-1")  # virtual-hosted addressing
        s3.create_bucket(Bucket="personalize")
        s3.put_object(Bucket="personalize", Key="data/a.csv", Body=b"USER_ID,ITEM_ID\n")
        client = boto3.client(
            "personalize",
            region_name="us-east-1",
            endpoint_url="https://personalize.us-east-1.amazonaws.com",
        )
        client.create_schema(name="s", schema="{}")
        assert names(client) == ["s"]
        body = s3.get_object(Bucket="personalize", Key="data/a.csv")["Body"].read()
        assert body == b"USER_ID,ITEM_ID\n"


def test_account_follows_moto(schema_handlers, monkeypatch):
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")
    with mock_personalize():
        client = boto3.client("personalize", region_name="ap-south-1")
        arn = client.create_schema(name="acct", schema="{}")["schemaArn"]
    assert arn == "arn:aws:personalize:ap-south-1:111122223333:schema/acct"


def test_assumed_role_credentials_pick_the_account(schema_handlers):
    with mock_personalize():
        creds = boto3.client("sts", region_name="us-east-1").assume_role(
            RoleArn="arn:aws:iam::444455556666:role/r", RoleSessionName="session"
        )["Credentials"]
        client = boto3.client(
            "personalize",
            region_name="us-east-1",
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
        arn = client.create_schema(name="r", schema="{}")["schemaArn"]
    assert arn == "arn:aws:personalize:us-east-1:444455556666:schema/r"


def test_mock_defaults_to_sync_jobs_but_respects_a_choice():
    with config.override(job_mode=None):
        with mock_personalize():
            assert config.current().job_mode == "sync"
    with config.override(job_mode="async"):
        with mock_personalize():
            assert config.current().job_mode == "async"


def test_server_reset_clears_store_and_runs_hooks(aws, door, schema_handlers):
    client = aws.client("personalize")
    client.create_schema(name="gone", schema="{}")
    store = aws.store()
    called = []
    store.on_reset(lambda: called.append(door))
    aws.reset()
    assert called == [door]
    assert not store.records["schema"]
    assert names(client) == []


def test_moto_account_header_on_both_doors(aws, schema_handlers):
    client = aws.client("personalize", region_name="eu-west-1")

    def add_header(request, **_):
        request.headers["x-moto-account-id"] = "222222222222"

    client.meta.events.register("before-sign.personalize.*", add_header)
    arn = client.create_schema(name="hdr", schema="{}")["schemaArn"]
    assert arn == "arn:aws:personalize:eu-west-1:222222222222:schema/hdr"
    assert arn in aws.store("222222222222", "eu-west-1").records["schema"]
