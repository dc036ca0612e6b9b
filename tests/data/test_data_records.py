"""Put-API records: camelCase properties map to schema fields and are typed like CSV rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from personalize_emulator.data.csv_import import ImportValidationError, convert_records
from personalize_emulator.data.ingest import import_csv
from personalize_emulator.data.records import (
    EVENT_FORBIDDEN_PROPERTIES,
    property_key,
    record_from_properties,
)
from personalize_emulator.data.schemas import parse_schema
from personalize_emulator.data.tables import DatasetTable

ITEMS = parse_schema(
    json.dumps(
        {
            "type": "record",
            "name": "Items",
            "fields": [
                {"name": "ITEM_ID", "type": "string"},
                {"name": "GENRES", "type": ["null", "string"], "categorical": True},
                {"name": "NUMBER_OF_RATINGS", "type": ["null", "int"]},
                {"name": "CREATION_TIMESTAMP", "type": ["null", "long"]},
                {"name": "ADULT", "type": ["null", "boolean"]},
                {"name": "GENRES_FIELD_1", "type": ["null", "string"]},
            ],
        }
    )
)


@pytest.mark.parametrize(
    ("field", "key"),
    [
        ("USER_ID", "userId"),
        ("GENRES", "genres"),
        ("CREATION_TIMESTAMP", "creationTimestamp"),
        ("NUMBER_OF_RATINGS", "numberOfRatings"),
        ("GENRES_FIELD_1", "genresField1"),
    ],
)
def test_property_key(field: str, key: str) -> None:
    assert property_key(field) == key


def test_properties_json_to_typed_row() -> None:
    record = record_from_properties(
        '{"genres": "Comedy|Drama", "numberOfRatings": 12, "adult": false,'
        ' "creationTimestamp": "1600000000"}',
        ITEMS,
        fixed={"ITEM_ID": "i1"},
    )
    assert record == {
        "ITEM_ID": "i1",
        "GENRES": "Comedy|Drama",
        "NUMBER_OF_RATINGS": "12",
        "ADULT": "false",
        "CREATION_TIMESTAMP": "1600000000",
    }
    row = convert_records([record], ITEMS).to_pylist()[0]
    assert (
        row["NUMBER_OF_RATINGS"] == 12 and row["ADULT"] is False and row["GENRES_FIELD_1"] is None
    )


@pytest.mark.parametrize(
    ("properties", "message"),
    [
        ('{"color": "red"}', "'color' does not match a field"),
        ('{"GENRES": "x"}', "'GENRES' does not match a field"),
        ("{not json", "not a valid JSON object"),
        ("[1, 2]", "must be a JSON object"),
        ('{"genres": {"a": 1}}', "'genres' must have a string value"),
        ('{"UserId": "u"}', "may not contain the key 'UserId'"),
    ],
)
def test_bad_properties(properties: str, message: str) -> None:
    with pytest.raises(ImportValidationError, match=message):
        record_from_properties(properties, ITEMS, forbidden=EVENT_FORBIDDEN_PROPERTIES)


def test_min_rows_fails_the_job_and_keeps_nothing(tmp_path: Path) -> None:
    table = DatasetTable(tmp_path / "items", ITEMS, "Items")
    header = "ITEM_ID,GENRES,NUMBER_OF_RATINGS,CREATION_TIMESTAMP,ADULT,GENRES_FIELD_1\n"
    data = (header + "a,,,,,\nb,,,,,\n").encode()
    with pytest.raises(ImportValidationError, match="2 records; an import job needs at least 3"):
        import_csv(table, [data], min_rows=3)
    assert table.row_count() == 0
    assert import_csv(table, [data], min_rows=2) == 2
