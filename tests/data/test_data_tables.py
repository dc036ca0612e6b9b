"""DatasetTable and import_csv: FULL vs INCREMENTAL, abort, put records, newest per id."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pandas as pd
import pytest

from personalize_emulator.data import tables as tables_module
from personalize_emulator.data.csv_import import ImportValidationError, convert_records
from personalize_emulator.data.ingest import import_csv
from personalize_emulator.data.schemas import parse_schema
from personalize_emulator.data.tables import DatasetTable

INTERACTIONS = parse_schema(
    json.dumps(
        {
            "type": "record",
            "name": "Interactions",
            "fields": [
                {"name": "USER_ID", "type": "string"},
                {"name": "ITEM_ID", "type": "string"},
                {"name": "TIMESTAMP", "type": "long"},
            ],
        }
    )
)

ITEMS = parse_schema(
    json.dumps(
        {
            "type": "record",
            "name": "Items",
            "fields": [
                {"name": "ITEM_ID", "type": "string"},
                {"name": "GENRE", "type": ["null", "string"], "categorical": True},
            ],
        }
    )
)


def interactions_csv(rows: list[tuple[str, str, int]]) -> bytes:
    return ("USER_ID,ITEM_ID,TIMESTAMP\n" + "".join(f"{u},{i},{t}\n" for u, i, t in rows)).encode()


def items_csv(rows: list[tuple[str, str]]) -> bytes:
    return ("ITEM_ID,GENRE\n" + "".join(f"{i},{g}\n" for i, g in rows)).encode()


def test_full_import_round_trips(tmp_path: Path) -> None:
    table = DatasetTable(tmp_path / "ds", INTERACTIONS, "Interactions")
    rows = [("u1", "i1", 10), ("u2", "i2", 20), ("u1", "i2", 30)]
    assert import_csv(table, [interactions_csv(rows)]) == 3
    frame = table.read()
    assert list(frame.columns) == ["USER_ID", "ITEM_ID", "TIMESTAMP"]
    assert list(frame.itertuples(index=False, name=None)) == rows
    assert table.row_count() == 3
    assert table.has_bulk_data()


def test_full_replaces_and_incremental_appends(tmp_path: Path) -> None:
    table = DatasetTable(tmp_path / "ds", INTERACTIONS, "Interactions")
    import_csv(table, [interactions_csv([("u1", "i1", 1), ("u2", "i2", 2)])])
    import_csv(table, [interactions_csv([("u3", "i3", 3)])], "FULL")
    assert table.read()["USER_ID"].tolist() == ["u3"]
    import_csv(table, [interactions_csv([("u4", "i4", 4)])], "INCREMENTAL")
    assert table.read()["USER_ID"].tolist() == ["u3", "u4"]
    assert len(list((tmp_path / "ds" / "parts").iterdir())) == 2  # replaced parts deleted


def test_incremental_items_newest_per_id_wins(tmp_path: Path) -> None:
    table = DatasetTable(tmp_path / "items", ITEMS, "Items")
    import_csv(table, [items_csv([("a", "x"), ("b", "y")])])
    import_csv(table, [items_csv([("a", "z"), ("c", "w")])], "INCREMENTAL")
    frame = table.read().sort_values("ITEM_ID")
    assert frame.values.tolist() == [["a", "z"], ["b", "y"], ["c", "w"]]
    assert table.row_count() == 3


def test_invalid_file_aborts_and_keeps_previous_data(tmp_path: Path) -> None:
    table = DatasetTable(tmp_path / "ds", INTERACTIONS, "Interactions")
    import_csv(table, [interactions_csv([("u1", "i1", 1)])])
    bad = interactions_csv([("u2", "i2", 2)]) + b"u3,i3,oops\n"
    with pytest.raises(ImportValidationError, match="Row 2, column TIMESTAMP"):
        import_csv(table, [bad])
    assert table.read()["USER_ID"].tolist() == ["u1"]
    assert not any((tmp_path / "ds" / "staging").iterdir())


def test_several_files_errors_name_the_file(tmp_path: Path) -> None:
    table = DatasetTable(tmp_path / "ds", INTERACTIONS, "Interactions")
    good, bad = tmp_path / "a.csv", tmp_path / "b.csv"
    good.write_bytes(interactions_csv([("u1", "i1", 1)]))
    bad.write_bytes(b"USER_ID,ITEM_ID\nu,i\n")
    with pytest.raises(ImportValidationError, match=r"b\.csv: Input CSV is missing .*TIMESTAMP"):
        import_csv(table, [good, bad])
    assert table.row_count() == 0
    assert import_csv(table, [good, good]) == 2


def test_explicit_abort_and_uncommitted_context_keep_nothing(tmp_path: Path) -> None:
    table = DatasetTable(tmp_path / "ds", INTERACTIONS, "Interactions")
    staging = table.begin_import("FULL")
    staging.write(pd.DataFrame({"USER_ID": ["u"], "ITEM_ID": ["i"], "TIMESTAMP": [1]}))
    staging.abort()
    with table.begin_import("FULL") as staging:
        staging.write(pd.DataFrame({"USER_ID": ["u"], "ITEM_ID": ["i"], "TIMESTAMP": [1]}))
    assert table.row_count() == 0
    assert table.read().empty
    with pytest.raises(RuntimeError):
        staging.commit()


def test_put_records_survive_full_import(tmp_path: Path) -> None:
    table = DatasetTable(tmp_path / "ds", INTERACTIONS, "Interactions")
    import_csv(table, [interactions_csv([("u1", "i1", 1)])])
    put = convert_records([{"USER_ID": "p", "ITEM_ID": "i9", "TIMESTAMP": "5"}], INTERACTIONS)
    assert table.append_records(put) == 1
    import_csv(table, [interactions_csv([("u2", "i2", 2)])], "FULL")
    assert sorted(table.read()["USER_ID"]) == ["p", "u2"]
    assert table.read("PUT")["USER_ID"].tolist() == ["p"]
    assert table.read("BULK")["USER_ID"].tolist() == ["u2"]


def test_put_items_replace_by_id_and_order_with_imports(tmp_path: Path) -> None:
    table = DatasetTable(tmp_path / "items", ITEMS, "Items")
    import_csv(table, [items_csv([("a", "x"), ("b", "y")])])
    table.append_records(pd.DataFrame({"ITEM_ID": ["a"], "GENRE": ["put"]}))
    assert dict(table.read().values.tolist())["a"] == "put"
    import_csv(table, [items_csv([("a", "bulk2")])], "INCREMENTAL")
    assert dict(table.read().values.tolist()) == {"a": "bulk2", "b": "y"}


def test_many_puts_are_compacted_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables_module, "COMPACT_PUT_PARTS", 4)
    table = DatasetTable(tmp_path / "items", ITEMS, "Items")
    for n in range(10):
        table.append_records(pd.DataFrame({"ITEM_ID": ["a", f"i{n}"], "GENRE": [str(n), "g"]}))
    assert len(list((tmp_path / "items" / "parts").iterdir())) < 10
    frame = table.read()
    assert dict(frame.values.tolist())["a"] == "9"
    assert table.row_count() == 11
    assert len(table.read_arrow(newest_per_id=False)) == 20


def test_schema_update_reads_old_parts_with_nulls(tmp_path: Path) -> None:
    table = DatasetTable(tmp_path / "items", ITEMS, "Items")
    import_csv(table, [items_csv([("a", "x")])])
    wider = parse_schema(
        json.dumps(
            {
                "type": "record",
                "name": "Items",
                "fields": [
                    {"name": "ITEM_ID", "type": "string"},
                    {"name": "GENRE", "type": ["null", "string"], "categorical": True},
                    {"name": "PRICE", "type": ["null", "double"]},
                ],
            }
        )
    )
    frame = DatasetTable(tmp_path / "items", wider, "Items").read()
    assert list(frame.columns) == ["ITEM_ID", "GENRE", "PRICE"]
    assert frame["PRICE"].isna().all()


def test_concurrent_puts_and_imports_lose_nothing(tmp_path: Path) -> None:
    def put(n: int) -> None:
        table = DatasetTable(tmp_path / "ds", INTERACTIONS, "Interactions")
        for k in range(20):
            table.append_records(
                pd.DataFrame({"USER_ID": [f"p{n}"], "ITEM_ID": [f"i{k}"], "TIMESTAMP": [k]})
            )

    threads = [threading.Thread(target=put, args=(n,)) for n in range(4)]
    table = DatasetTable(tmp_path / "ds", INTERACTIONS, "Interactions")
    for t in threads:
        t.start()
    for _ in range(3):
        import_csv(table, [interactions_csv([("u", "i", 1), ("v", "j", 2)])])
    for t in threads:
        t.join()
    assert table.row_count("PUT") == 80
    assert table.row_count("BULK") == 2


def test_clear_deletes_everything(tmp_path: Path) -> None:
    table = DatasetTable(tmp_path / "ds", INTERACTIONS, "Interactions")
    import_csv(table, [interactions_csv([("u1", "i1", 1)])])
    table.clear()
    assert table.row_count() == 0 and not table.has_bulk_data()


def test_writes_recover_after_the_directory_is_wiped(tmp_path: Path) -> None:
    import shutil

    table = DatasetTable(tmp_path / "ds", INTERACTIONS, "Interactions")
    import_csv(table, [interactions_csv([("u1", "i1", 1)])])
    shutil.rmtree(tmp_path / "ds")  # what a store reset does underneath a live object
    assert table.row_count() == 0
    table.append_records(pd.DataFrame({"USER_ID": ["p"], "ITEM_ID": ["i"], "TIMESTAMP": [1]}))
    import_csv(table, [interactions_csv([("u2", "i2", 2)])])
    assert sorted(table.read()["USER_ID"]) == ["p", "u2"]


def test_large_imports_roll_over_to_several_part_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables_module, "ROWS_PER_FILE", 2)
    table = DatasetTable(tmp_path / "ds", INTERACTIONS, "Interactions")
    rows = [(f"u{n}", f"i{n}", n) for n in range(5)]
    with table.begin_import("FULL") as staging:
        for row in rows:  # one chunk per row, as a streamed import would write blocks
            staging.write(pd.DataFrame([row], columns=["USER_ID", "ITEM_ID", "TIMESTAMP"]))
        staging.commit()
    assert len(table.parts("BULK")) == 3
    streamed = [r for t in table.iter_tables() for r in t.to_pylist()]
    assert [(r["USER_ID"], r["ITEM_ID"], r["TIMESTAMP"]) for r in streamed] == rows
