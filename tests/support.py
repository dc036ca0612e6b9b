"""What the boto3 test helpers of several folders share: the test account, Avro schema text,
error unpacking, loading one dataset from CSV through S3 and an import job, and moving the
emulated clock on either door.

Importable from any test folder: ``pythonpath = ["tests"]`` in ``pyproject.toml``.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta
from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"
RECIPE = "arn:aws:personalize:::recipe/"


def avro(name: str, *fields: tuple) -> str:
    """A Personalize schema: ``fields`` are (name, type) or (name, type, {attrs})."""
    out = []
    for spec in fields:
        field_name, field_type, *attrs = spec
        out.append({"name": field_name, "type": field_type, **(attrs[0] if attrs else {})})
    return json.dumps(
        {
            "type": "record",
            "name": name,
            "namespace": "com.amazonaws.personalize.schema",
            "fields": out,
            "version": "1.0",
        }
    )


def error_of(excinfo: Any) -> tuple[str, str]:
    """(code, message) of a botocore ClientError."""
    err = excinfo.value.response["Error"]
    return err["Code"], err["Message"]


def load_dataset(personalize: Any, s3: Any, *, group: str, name: str, dataset_type: str,
                 schema: str, csv: bytes, bucket: str, key: str, role: str,
                 domain: str | None = None) -> str:  # fmt: skip
    """CreateSchema + CreateDataset ``<name>-<dataset_type>`` in ``group``, the CSV put at
    ``s3://bucket/key`` and imported (the job must end ACTIVE); returns the dataset ARN."""
    extra = {"domain": domain} if domain else {}
    schema_arn = personalize.create_schema(
        name=f"{name}-{dataset_type}", schema=schema, **extra
    )["schemaArn"]  # fmt: skip
    dataset = personalize.create_dataset(
        name=f"{name}-{dataset_type}", schemaArn=schema_arn, datasetGroupArn=group,
        datasetType=dataset_type,
    )["datasetArn"]  # fmt: skip
    s3.put_object(Bucket=bucket, Key=key, Body=csv)
    job = personalize.create_dataset_import_job(
        jobName=f"{name}-{dataset_type}", datasetArn=dataset, roleArn=role,
        dataSource={"dataLocation": f"s3://{bucket}/{key}"},
    )["datasetImportJobArn"]  # fmt: skip
    status = personalize.describe_dataset_import_job(datasetImportJobArn=job)["datasetImportJob"]
    assert status["status"] == "ACTIVE", status
    return dataset


def clock_call(endpoint: str, body: dict | None = None) -> dict:
    """The server's clock endpoint: GET ``/_emulator/clock``, or POST ``body`` to its
    ``/advance`` (raises ``urllib.error.HTTPError`` for a refused body)."""
    if body is None:
        request = urllib.request.Request(f"{endpoint}/_emulator/clock")
    else:
        request = urllib.request.Request(f"{endpoint}/_emulator/clock/advance", method="POST",
                                         data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def advance(aws: Any, **amount: float) -> list[str]:
    """Move the emulated clock on the test's door (``clock.advance`` in-process, the endpoint
    on the server); returns the ARNs of the work it started."""
    if aws.door == "mock":
        from personalize_emulator import clock

        return clock.advance(**amount)
    return clock_call(aws.endpoint_url, {"seconds": timedelta(**amount).total_seconds()})["started"]
