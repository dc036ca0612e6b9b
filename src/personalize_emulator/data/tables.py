"""How a dataset's records are kept: Parquet part files under one directory, and a manifest.

Layout::

    <directory>/manifest.json       which parts make up the dataset, in order
    <directory>/parts/*.parquet     bulk-imported parts and individually put parts
    <directory>/staging/<id>/       an import in progress (invisible until commit)

Every part carries a sequence number and a source (``bulk`` or ``put``); later parts, and
later rows within a part, are newer. An import writes into staging through a rolling
``ParquetWriter`` (a few million rows per file), so a 25-million-row CSV is imported in bounded
memory; ``commit`` moves the files in and replaces the manifest with one ``os.replace``, so
readers see the old data or the new, never a mix:

* ``FULL`` drops the previous bulk parts and keeps the put ones (records sent through
  PutEvents / PutItems survive a full import, as in the service);
* ``INCREMENTAL`` adds parts; for Items / Users / Actions the newest record per id wins
  when reading.

``abort`` deletes the staging directory. Many small put parts (one per PutEvents call) are
compacted once they pile up. Each directory has one lock, shared by every ``DatasetTable``
object opened on it in this process.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .csv_import import arrow_schema
from .schemas import ParsedSchema

KEY_FIELDS = {"Items": "ITEM_ID", "Users": "USER_ID", "Actions": "ACTION_ID"}
ROWS_PER_FILE = 4_000_000
COMPACT_PUT_PARTS = 64

ImportMode = Literal["FULL", "INCREMENTAL"]
Selection = Literal["ALL", "BULK", "PUT"]

_locks: dict[str, threading.RLock] = {}
_locks_guard = threading.Lock()


def _lock_for(directory: Path) -> threading.RLock:
    key = str(directory.resolve())
    with _locks_guard:
        return _locks.setdefault(key, threading.RLock())


class DatasetTable:
    """One dataset's records on disk. Cheap to construct; state lives in the directory."""

    def __init__(self, directory: str | os.PathLike[str], parsed: ParsedSchema, dataset_type: str):
        self.directory = Path(directory)
        self.parts_dir = self.directory / "parts"
        self.parsed = parsed
        self.dataset_type = dataset_type
        self.key = KEY_FIELDS.get(dataset_type)
        self.schema = arrow_schema(parsed)
        self.lock = _lock_for(self.directory)
        self.parts_dir.mkdir(parents=True, exist_ok=True)

    # ---- manifest

    def _manifest(self) -> dict:
        path = self.directory / "manifest.json"
        if not path.exists():
            return {"next_seq": 1, "parts": []}
        return json.loads(path.read_text())

    def _save(self, manifest: dict) -> None:
        tmp = self.directory / f"manifest.{uuid.uuid4().hex}.tmp"
        tmp.write_text(json.dumps(manifest))
        os.replace(tmp, self.directory / "manifest.json")

    # ---- writing

    def begin_import(self, mode: ImportMode = "FULL") -> ImportStaging:
        if mode not in ("FULL", "INCREMENTAL"):
            raise ValueError(f"import mode must be FULL or INCREMENTAL, not {mode!r}")
        return ImportStaging(self, mode)

    def append_records(self, records: pa.Table | pd.DataFrame, source: str = "put") -> int:
        """Add individually put records (PutEvents / PutItems / PutUsers / PutActions)."""
        if source not in ("put", "bulk"):
            raise ValueError(f"source must be 'put' or 'bulk', not {source!r}")
        table = self._conform(records)
        if table.num_rows == 0:
            return 0
        with self.lock:
            self.parts_dir.mkdir(parents=True, exist_ok=True)  # a store reset may have wiped it
            manifest = self._manifest()
            seq = manifest["next_seq"]
            name = f"{seq:010d}-{source}-{uuid.uuid4().hex[:8]}.parquet"
            pq.write_table(table, self.parts_dir / name)
            manifest["parts"].append(
                {"file": name, "seq": seq, "source": source, "rows": table.num_rows}
            )
            manifest["next_seq"] = seq + 1
            obsolete = self._compact_puts(manifest)
            self._save(manifest)
            for old in obsolete:
                (self.parts_dir / old).unlink(missing_ok=True)
        return table.num_rows

    def _conform(self, records: pa.Table | pd.DataFrame) -> pa.Table:
        if isinstance(records, pd.DataFrame):
            return pa.Table.from_pandas(records, schema=self.schema, preserve_index=False)
        return records.select(self.schema.names).cast(self.schema)

    def _compact_puts(self, manifest: dict) -> list[str]:
        """Merge runs of adjacent put parts once there are many (order is preserved).

        Returns the files the new manifest no longer lists, to delete once it is saved.
        """
        parts = manifest["parts"]
        if sum(p["source"] == "put" for p in parts) < COMPACT_PUT_PARTS:
            return []
        merged: list[dict] = []
        run: list[dict] = []
        obsolete: list[str] = []

        def flush() -> None:
            if len(run) < 2:
                merged.extend(run)
            else:
                table = pa.concat_tables(
                    [self._align(pq.read_table(self.parts_dir / p["file"])) for p in run]
                )
                last = run[-1]
                name = f"{last['seq']:010d}-put-{uuid.uuid4().hex[:8]}.parquet"
                pq.write_table(table, self.parts_dir / name)
                merged.append(
                    {"file": name, "seq": last["seq"], "source": "put", "rows": table.num_rows}
                )
                obsolete.extend(p["file"] for p in run)
            run.clear()

        for p in parts:
            if p["source"] == "put":
                run.append(p)
            else:
                flush()
                merged.append(p)
        flush()
        manifest["parts"] = merged
        return obsolete

    def delete_rows(self, column: str, values: Iterable[str]) -> int:
        """Remove every row whose ``column`` holds one of ``values``; returns how many went.

        As crash-safe as an import: each part holding such rows is rewritten without them into
        staging, then one manifest replace swaps the new parts in. They keep their sequence
        number and source, so "newest record per id" and ``ingestionMode`` selections read the
        survivors as before; a part left empty is dropped, untouched parts stay as they are.
        """
        index = self.schema.get_field_index(column)
        wanted = pa.array(sorted(set(values)), pa.string())
        if index < 0 or len(wanted) == 0:
            return 0
        with self.lock:
            manifest = self._manifest()
            staging = self.directory / "staging" / uuid.uuid4().hex
            staging.mkdir(parents=True)
            try:
                removed, rewritten = 0, {}  # old file -> its replacement entry (None: dropped)
                for part in manifest["parts"]:
                    rows = self._align(pq.read_table(self.parts_dir / part["file"]))
                    hit = pc.fill_null(pc.is_in(rows.column(index), value_set=wanted), False)
                    count = pc.sum(hit).as_py() or 0
                    if not count:
                        continue
                    removed += count
                    survivors = rows.filter(pc.invert(hit))
                    if survivors.num_rows == 0:
                        rewritten[part["file"]] = None
                        continue
                    name = f"{part['seq']:010d}-{part['source']}-{uuid.uuid4().hex[:8]}.parquet"
                    pq.write_table(survivors, staging / name)
                    rewritten[part["file"]] = {**part, "file": name, "rows": survivors.num_rows}
                if not removed:
                    return 0
                for entry in rewritten.values():
                    if entry is not None:
                        os.replace(staging / entry["file"], self.parts_dir / entry["file"])
                manifest["parts"] = [
                    rewritten.get(p["file"], p)
                    for p in manifest["parts"]
                    if rewritten.get(p["file"], p) is not None
                ]
                self._save(manifest)
                for old in rewritten:
                    (self.parts_dir / old).unlink(missing_ok=True)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return removed

    def clear(self) -> None:
        """Delete all records (DeleteDataset)."""
        with self.lock:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.parts_dir.mkdir(parents=True, exist_ok=True)

    # ---- reading

    def parts(self, selection: Selection = "ALL") -> list[Path]:
        """Part files in order (oldest first)."""
        with self.lock:
            manifest = self._manifest()
        want = {"ALL": ("bulk", "put"), "BULK": ("bulk",), "PUT": ("put",)}[selection]
        ordered = sorted(manifest["parts"], key=lambda p: p["seq"])
        return [self.parts_dir / p["file"] for p in ordered if p["source"] in want]

    def has_bulk_data(self) -> bool:
        return bool(self.parts("BULK"))

    def iter_tables(self, selection: Selection = "ALL") -> Iterable[pa.Table]:
        """Record batches part by part, aligned to the current schema (no de-duplication)."""
        with self.lock:
            paths = self.parts(selection)
            files = [pq.ParquetFile(p) for p in paths]  # opened under the lock: commit may delete
        for f in files:
            for i in range(f.num_row_groups):
                yield self._align(f.read_row_group(i))

    def read_arrow(self, selection: Selection = "ALL", *, newest_per_id: bool = True) -> pa.Table:
        """All records of the selection; for keyed datasets only the newest per id unless
        ``newest_per_id`` is false."""
        with self.lock:
            tables = [self._align(pq.read_table(p)) for p in self.parts(selection)]
        table = pa.concat_tables(tables) if tables else self.schema.empty_table()
        if newest_per_id and self.key is not None and table.num_rows:
            table = _newest_per_key(table, self.key)
        return table

    def read(self, selection: Selection = "ALL") -> pd.DataFrame:
        """The dataset as a frame with the schema's columns; newest record per id wins."""
        return self.read_arrow(selection).to_pandas()

    def row_count(self, selection: Selection = "ALL") -> int:
        if self.key is not None:  # distinct ids: reading the id column is enough
            with self.lock:
                ids = [
                    pq.read_table(p, columns=[self.key]).column(0) for p in self.parts(selection)
                ]
            if not ids:
                return 0
            return pc.count_distinct(pa.chunked_array([c for i in ids for c in i.chunks])).as_py()
        with self.lock:
            return sum(pq.ParquetFile(p).metadata.num_rows for p in self.parts(selection))

    def _align(self, table: pa.Table) -> pa.Table:
        """Fit a part written under an older schema (UpdateDataset adds nullable fields)."""
        columns = []
        for field in self.schema:
            if field.name in table.column_names:
                columns.append(table.column(field.name).cast(field.type))
            else:
                columns.append(pa.nulls(table.num_rows, field.type))
        return pa.Table.from_arrays(columns, schema=self.schema)


def _newest_per_key(table: pa.Table, key: str) -> pa.Table:
    frame_keys = table.column(key).to_pandas()
    keep = ~frame_keys.duplicated(keep="last").to_numpy()
    if keep.all():
        return table
    return table.filter(pa.array(keep))


class ImportStaging:
    """A bulk import in progress: ``write`` tables, then ``commit`` or ``abort``.

    Usable as a context manager: leaving the block with an exception aborts; leaving it
    normally without a commit aborts too (nothing half-imported is ever visible).
    """

    def __init__(self, table: DatasetTable, mode: ImportMode):
        self.table = table
        self.mode = mode
        self.dir = table.directory / "staging" / uuid.uuid4().hex
        self.dir.mkdir(parents=True)
        self.files: list[tuple[str, int]] = []
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None
        self._writer_rows = 0
        self._done = False

    def write(self, chunk: pa.Table | pd.DataFrame) -> None:
        if self._done:
            raise RuntimeError("import already committed or aborted")
        chunk = self.table._conform(chunk)
        if chunk.num_rows == 0:
            return
        if self._writer is None:
            name = f"{len(self.files):05d}.parquet"
            self._writer = pq.ParquetWriter(self.dir / name, self.table.schema)
            self.files.append((name, 0))
            self._writer_rows = 0
        self._writer.write_table(chunk)
        self._writer_rows += chunk.num_rows
        self.rows += chunk.num_rows
        self.files[-1] = (self.files[-1][0], self._writer_rows)
        if self._writer_rows >= ROWS_PER_FILE:
            self._close_writer()

    def write_all(self, chunks: Iterable[pa.Table | pd.DataFrame]) -> int:
        for chunk in chunks:
            self.write(chunk)
        return self.rows

    def _close_writer(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def commit(self) -> int:
        """Make the staged rows the dataset's bulk data (FULL) or add them (INCREMENTAL)."""
        if self._done:
            raise RuntimeError("import already committed or aborted")
        self._close_writer()
        t = self.table
        with t.lock:
            t.parts_dir.mkdir(parents=True, exist_ok=True)
            manifest = t._manifest()
            obsolete: list[str] = []
            if self.mode == "FULL":
                keep = [p for p in manifest["parts"] if p["source"] != "bulk"]
                obsolete = [p["file"] for p in manifest["parts"] if p["source"] == "bulk"]
                manifest["parts"] = keep
            for name, rows in self.files:
                seq = manifest["next_seq"]
                final = f"{seq:010d}-bulk-{uuid.uuid4().hex[:8]}.parquet"
                os.replace(self.dir / name, t.parts_dir / final)
                manifest["parts"].append(
                    {"file": final, "seq": seq, "source": "bulk", "rows": rows}
                )
                manifest["next_seq"] = seq + 1
            t._save(manifest)
            for name in obsolete:
                (t.parts_dir / name).unlink(missing_ok=True)
        self._done = True
        shutil.rmtree(self.dir, ignore_errors=True)
        return self.rows

    def abort(self) -> None:
        if self._done:
            return
        self._done = True
        try:
            self._close_writer()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> ImportStaging:
        return self

    def __exit__(self, *exc: object) -> None:
        self.abort()
