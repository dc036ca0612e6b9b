"""Sources against moto's S3 and the local disk; exports written to S3 and imported back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import moto
import pandas as pd
import pytest

from personalize_emulator.data.csv_import import convert_records
from personalize_emulator.data.exports import export_dataset, export_rows
from personalize_emulator.data.ingest import import_csv
from personalize_emulator.data.schemas import parse_schema
from personalize_emulator.data.sources import (
    SourceError,
    list_objects,
    read_bytes,
    resolve_sources,
    write_s3,
)
from personalize_emulator.data.tables import DatasetTable

ACCOUNT = "123456789012"
CSV_A = b"USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,1\n"
CSV_B = b"USER_ID,ITEM_ID,TIMESTAMP\nu2,i2,2\n"

INTERACTIONS = parse_schema(
    json.dumps(
        {
            "type": "record",
            "name": "Interactions",
            "fields": [
                {"name": "USER_ID", "type": "string"},
                {"name": "ITEM_ID", "type": "string"},
                {"name": "TIMESTAMP", "type": "long"},
                {"name": "EVENT_VALUE", "type": ["null", "float"]},
            ],
        }
    )
)
USERS = parse_schema(
    json.dumps(
        {
            "type": "record",
            "name": "Users",
            "fields": [
                {"name": "USER_ID", "type": "string"},
                {"name": "AGE", "type": ["null", "int"]},
                {"name": "VIP", "type": ["null", "boolean"]},
            ],
        }
    )
)


@pytest.fixture(scope="module")
def _aws() -> Iterator[object]:
    with moto.mock_aws():  # one mock for the module: creating clients is the slow part
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="data-bucket")
        yield client


@pytest.fixture
def s3(_aws) -> object:
    for obj in _aws.list_objects_v2(Bucket="data-bucket").get("Contents", []):
        _aws.delete_object(Bucket="data-bucket", Key=obj["Key"])
    return _aws


def test_single_object_and_folder(s3) -> None:
    s3.put_object(Bucket="data-bucket", Key="in/b.csv", Body=CSV_B)
    s3.put_object(Bucket="data-bucket", Key="in/a.csv", Body=CSV_A)
    s3.put_object(Bucket="data-bucket", Key="in/notes.txt", Body=b"ignored")
    one = resolve_sources(ACCOUNT, "us-east-1", "s3://data-bucket/in/a.csv")
    assert [(s.name, s.data) for s in one] == [("s3://data-bucket/in/a.csv", CSV_A)]
    folder = resolve_sources(ACCOUNT, "eu-west-1", "s3://data-bucket/in/")
    assert [s.name for s in folder] == ["s3://data-bucket/in/a.csv", "s3://data-bucket/in/b.csv"]
    assert read_bytes(ACCOUNT, "us-east-1", "s3://data-bucket/in/b.csv") == CSV_B
    assert list_objects(ACCOUNT, "us-east-1", "s3://data-bucket/in/", ".csv") == [
        "s3://data-bucket/in/a.csv",
        "s3://data-bucket/in/b.csv",
    ]


def test_import_from_s3_folder(s3, tmp_path: Path) -> None:
    s3.put_object(
        Bucket="data-bucket",
        Key="in/a.csv",
        Body=b"USER_ID,ITEM_ID,TIMESTAMP,EVENT_VALUE\nu1,i1,1,\n",
    )
    s3.put_object(
        Bucket="data-bucket",
        Key="in/b.csv",
        Body=b"USER_ID,ITEM_ID,TIMESTAMP,EVENT_VALUE\nu2,i2,2,0.5\n",
    )
    table = DatasetTable(tmp_path / "ds", INTERACTIONS, "Interactions")
    sources = resolve_sources(ACCOUNT, "us-east-1", "s3://data-bucket/in/")
    assert import_csv(table, sources) == 2
    assert table.read()["USER_ID"].tolist() == ["u1", "u2"]


def test_bucket_of_another_account_is_found(s3) -> None:
    s3.put_object(Bucket="data-bucket", Key="a.csv", Body=CSV_A)
    assert resolve_sources("111111111111", "us-east-1", "s3://data-bucket/a.csv")[0].data == CSV_A


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("s3://missing-bucket/a.csv", "bucket missing-bucket of s3://missing-bucket/a.csv"),
        ("s3://data-bucket/none.csv", "No S3 object at s3://data-bucket/none.csv"),
        ("s3://data-bucket/empty/", "No CSV files found under s3://data-bucket/empty/"),
        ("s3:///a.csv", "names no bucket"),
        ("http://example.com/a.csv", "Unsupported location"),
    ],
)
def test_missing_locations_name_the_uri(s3, uri: str, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        resolve_sources(ACCOUNT, "us-east-1", uri)


def test_write_s3(s3) -> None:
    assert write_s3(ACCOUNT, "us-east-1", "s3://data-bucket/out/x.json", b"{}") == "out/x.json"
    assert s3.get_object(Bucket="data-bucket", Key="out/x.json")["Body"].read() == b"{}"
    with pytest.raises(SourceError, match="missing-bucket"):
        write_s3(ACCOUNT, "us-east-1", "s3://missing-bucket/x", b"")


def test_local_paths_and_file_uris(tmp_path: Path) -> None:
    (tmp_path / "b.csv").write_bytes(CSV_B)
    (tmp_path / "a.csv").write_bytes(CSV_A)
    (tmp_path / "x.txt").write_bytes(b"no")
    folder = resolve_sources(ACCOUNT, "us-east-1", f"file://{tmp_path}")
    assert [Path(s.name).name for s in folder] == ["a.csv", "b.csv"]
    single = resolve_sources(ACCOUNT, "us-east-1", str(tmp_path / "a.csv"))
    with single[0].open() as stream:
        assert stream.read() == CSV_A
    with pytest.raises(SourceError, match="nothing.csv"):
        resolve_sources(ACCOUNT, "us-east-1", str(tmp_path / "nothing.csv"))
    write_s3(ACCOUNT, "us-east-1", f"file://{tmp_path}/out/y.csv", b"data")
    assert (tmp_path / "out" / "y.csv").read_bytes() == b"data"


def users_table(tmp_path: Path) -> DatasetTable:
    table = DatasetTable(tmp_path / "users", USERS, "Users")
    import_csv(table, [b"USER_ID,AGE,VIP\nu1,30,true\nu2,,false\nu2,,false\n"])
    table.append_records(convert_records([{"USER_ID": "u1", "AGE": "31"}], USERS))
    table.append_records(convert_records([{"USER_ID": "u1", "AGE": "31"}], USERS))
    table.append_records(convert_records([{"USER_ID": "u3", "VIP": "true"}], USERS))
    return table


def test_export_modes(tmp_path: Path) -> None:
    table = users_table(tmp_path)
    bulk = export_rows(table, "BULK").to_pylist()
    assert bulk == [
        {"USER_ID": "u1", "AGE": 30, "VIP": True},
        {"USER_ID": "u2", "AGE": None, "VIP": False},
    ]
    put = export_rows(table, "PUT").to_pylist()
    assert [r["USER_ID"] for r in put] == ["u1", "u3"]
    everything = {r["USER_ID"]: r["AGE"] for r in export_rows(table, "ALL").to_pylist()}
    assert everything == {"u1": 31, "u2": None, "u3": None}
    with pytest.raises(ValueError, match="ingestionMode"):
        export_rows(table, "SOME")


def test_export_interactions_keeps_every_distinct_event(tmp_path: Path) -> None:
    table = DatasetTable(tmp_path / "ds", INTERACTIONS, "Interactions")
    import_csv(
        table,
        [b"USER_ID,ITEM_ID,TIMESTAMP,EVENT_VALUE\nu,i,1,\nu,i,1,\nu,i,2,\nu,i,1,0.5\n"],
    )
    assert export_rows(table, "BULK").num_rows == 3


def test_export_to_s3_round_trips(s3, tmp_path: Path) -> None:
    table = users_table(tmp_path)
    keys = export_dataset(
        table,
        ACCOUNT,
        "us-east-1",
        "s3://data-bucket/export",
        ingestion_mode="ALL",
        rows_per_file=2,
    )
    assert keys == ["export/part-00000.csv", "export/part-00001.csv"]
    first = s3.get_object(Bucket="data-bucket", Key=keys[0])["Body"].read()
    assert first.startswith(b"USER_ID,AGE,VIP\n")
    again = DatasetTable(tmp_path / "again", USERS, "Users")
    import_csv(again, resolve_sources(ACCOUNT, "us-east-1", "s3://data-bucket/export/"))
    pd.testing.assert_frame_equal(
        again.read().sort_values("USER_ID").reset_index(drop=True),
        table.read().sort_values("USER_ID").reset_index(drop=True),
    )


def test_export_of_nothing_writes_a_header(s3, tmp_path: Path) -> None:
    table = DatasetTable(tmp_path / "empty", USERS, "Users")
    keys = export_dataset(table, ACCOUNT, "us-east-1", "s3://data-bucket/e/", file_prefix="job_")
    assert keys == ["e/job_part-00000.csv"]
    assert s3.get_object(Bucket="data-bucket", Key=keys[0])["Body"].read() == b"USER_ID,AGE,VIP\n"
    with pytest.raises(SourceError, match="nope"):
        export_dataset(table, ACCOUNT, "us-east-1", "s3://nope/e/")
