"""CSV validation: a good file round-trips; each bad value is refused naming its row and column."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from personalize_emulator.data.csv_import import (
    ImportValidationError,
    convert_records,
    iter_csv,
    read_csv,
)
from personalize_emulator.data.schemas import parse_schema


def make_schema(*fields: dict, name: str = "Interactions"):
    return parse_schema(json.dumps({"type": "record", "name": name, "fields": list(fields)}))


INTERACTIONS = make_schema(
    {"name": "USER_ID", "type": "string"},
    {"name": "ITEM_ID", "type": "string"},
    {"name": "TIMESTAMP", "type": "long"},
    {"name": "EVENT_TYPE", "type": "string"},
    {"name": "EVENT_VALUE", "type": ["null", "float"]},
    {"name": "DEVICE", "type": ["null", "string"], "categorical": True},
)

ITEMS = make_schema(
    {"name": "ITEM_ID", "type": "string"},
    {"name": "GENRES", "type": ["null", "string"], "categorical": True},
    {"name": "DESCRIPTION", "type": ["null", "string"], "textual": True},
    {"name": "YEAR", "type": ["null", "int"]},
    {"name": "ADULT", "type": ["null", "boolean"]},
    {"name": "CREATION_TIMESTAMP", "type": ["null", "long"]},
    name="Items",
)

HEADER = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,DEVICE"


def csv(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def test_good_file_round_trips_with_types() -> None:
    data = csv(
        "u1,i1,1700000000,click,1.5,phone|tablet",
        'u2,"i,2",1700000001,watch,,',
        "u3,i3,0,click,-2e3,tv",
    )
    table = read_csv(data, INTERACTIONS)
    assert table.schema.field("TIMESTAMP").type == pa.int64()
    assert table.schema.field("EVENT_VALUE").type == pa.float64()
    assert table.column("ITEM_ID").to_pylist() == ["i1", "i,2", "i3"]
    assert table.column("EVENT_VALUE").to_pylist() == [1.5, None, -2000.0]
    assert table.column("DEVICE").to_pylist() == ["phone|tablet", None, "tv"]
    assert table.column("TIMESTAMP").to_pylist() == [1700000000, 1700000001, 0]


def test_columns_in_any_order_are_reordered_to_the_schema() -> None:
    data = csv(
        "i1,u1,1,click,tv,", header="ITEM_ID,USER_ID,TIMESTAMP,EVENT_TYPE,DEVICE,EVENT_VALUE"
    )
    table = read_csv(data, INTERACTIONS)
    assert table.column_names == INTERACTIONS.names
    assert table.column("USER_ID").to_pylist() == ["u1"]
    assert table.column("DEVICE").to_pylist() == ["tv"]


def test_items_types_booleans_and_text() -> None:
    long_text = "word " * 5000  # 25,000 characters: truncated to 20,000
    data = csv(
        f'a,Comedy|Drama,"{long_text}",1999,true,1600000000',
        'b,,"line one\nline two, with ""quotes""",,false,',
        header="ITEM_ID,GENRES,DESCRIPTION,YEAR,ADULT,CREATION_TIMESTAMP",
    )
    table = read_csv(data, ITEMS)
    assert table.schema.field("YEAR").type == pa.int32()
    assert table.column("ADULT").to_pylist() == [True, False]
    desc = table.column("DESCRIPTION").to_pylist()
    assert len(desc[0]) == 20_000
    assert desc[1] == 'line one\nline two, with "quotes"'
    assert table.column("YEAR").to_pylist() == [1999, None]


def test_small_blocks_stream_and_keep_counting_rows() -> None:
    lines = [f"u{i},i{i},{1000 + i},click,,tv" for i in range(2000)]
    lines[1500] = "u,i,bad,click,,tv"
    chunks = []
    with pytest.raises(ImportValidationError, match=r"^Row 1501, column TIMESTAMP"):
        for chunk in iter_csv(csv(*lines), INTERACTIONS, block_size=4096):
            chunks.append(chunk)
    assert len(chunks) > 1  # streamed: earlier blocks came through before the bad one


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            ["u1,i1,1,click,,tv", "u,i,12a,click,,tv"],
            r"Row 2, column TIMESTAMP: value '12a' is not a long \(epoch seconds\)\.",
        ),
        (["u,i,1700000000000,click,,tv"], r"Row 1, column TIMESTAMP: .*milliseconds"),
        (["u,i,-5,click,,tv"], r"Row 1, column TIMESTAMP: .*negative"),
        (["u,i,1.0,click,,tv"], r"Row 1, column TIMESTAMP: value '1.0' is not a long"),
        (["u,i,99999999999999999999,click,,tv"], r"Row 1, column TIMESTAMP: .*out of range"),
        (["u,i,,click,,tv"], r"Row 1, column TIMESTAMP: value is empty"),
        (["u,,1,click,,tv"], r"Row 1, column ITEM_ID: value is empty"),
        (["u,i,1,click,high,tv"], r"Row 1, column EVENT_VALUE: value 'high' is not a float"),
        ([f"{'u' * 257},i,1,click,,tv"], r"Row 1, column USER_ID: .*257 characters.*256"),
        ([f"u,i,1,click,,{'x' * 1001}"], r"Row 1, column DEVICE: .*1001 characters.*1000"),
        (
            ["u,i,1,click,,tv", "u,i,1,click"],
            r"Row 2: expected 6 columns as in the header, found 4",
        ),
    ],
)
def test_bad_values_name_row_and_column(lines: list[str], message: str) -> None:
    with pytest.raises(ImportValidationError, match=message):
        read_csv(csv(*lines), INTERACTIONS)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("a,,,1999,True,", r"Row 1, column ADULT: value 'True' is not a boolean"),
        ("a,,,1999,1,", r"Row 1, column ADULT: value '1' is not a boolean"),
        ("a,,,3000000000,,", r"Row 1, column YEAR: .*out of range for an int"),
        ("a,,,19x,,", r"Row 1, column YEAR: value '19x' is not an int"),
        ("a,,,,,-1", r"Row 1, column CREATION_TIMESTAMP: .*negative"),
    ],
)
def test_bad_item_values(line: str, message: str) -> None:
    header = "ITEM_ID,GENRES,DESCRIPTION,YEAR,ADULT,CREATION_TIMESTAMP"
    with pytest.raises(ImportValidationError, match=message):
        read_csv(csv(line, header=header), ITEMS)


def test_invalid_utf8_names_row_and_column() -> None:
    data = csv("u,i,1,click,,tv").replace(b"tv", b"t\xffv")
    with pytest.raises(ImportValidationError, match=r"Row 1, column DEVICE: .*UTF-8"):
        read_csv(data, INTERACTIONS)


def test_header_problems() -> None:
    with pytest.raises(
        ImportValidationError,
        match=r"Input CSV is missing the following columns: \[EVENT_VALUE, DEVICE\]",
    ):
        read_csv(csv("u,i,1,click", header="USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE"), INTERACTIONS)
    with pytest.raises(ImportValidationError, match=r"not in the schema: \[COLOR\]"):
        read_csv(csv("u,i,1,c,,tv,red", header=HEADER + ",COLOR"), INTERACTIONS)
    with pytest.raises(ImportValidationError, match=r"repeats the following columns: \[DEVICE\]"):
        read_csv(csv("u,i,1,c,,tv,tv", header=HEADER + ",DEVICE"), INTERACTIONS)
    with pytest.raises(ImportValidationError, match="empty"):
        read_csv(b"", INTERACTIONS)


def test_header_only_is_zero_rows() -> None:
    assert read_csv(csv(), INTERACTIONS).num_rows == 0


def test_convert_records_for_put_apis() -> None:
    table = convert_records(
        [{"ITEM_ID": "a", "YEAR": "2001", "ADULT": "false"}, {"ITEM_ID": "b"}], ITEMS
    )
    assert table.column("YEAR").to_pylist() == [2001, None]
    assert table.column("ADULT").to_pylist() == [False, None]
    with pytest.raises(ImportValidationError, match=r"Record 2, column YEAR: value 'x'"):
        convert_records([{"ITEM_ID": "a"}, {"ITEM_ID": "b", "YEAR": "x"}], ITEMS)
    with pytest.raises(ImportValidationError, match=r"Record 1: field\(s\) COLOR"):
        convert_records([{"ITEM_ID": "a", "COLOR": "red"}], ITEMS)
    with pytest.raises(ImportValidationError, match=r"Record 1, column ITEM_ID: value is empty"):
        convert_records([{"YEAR": "1"}], ITEMS)
