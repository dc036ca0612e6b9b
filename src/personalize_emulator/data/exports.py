"""CreateDatasetExportJob's output: a dataset's records as CSV files with a header row.

``ingestionMode`` picks the records: ``BULK`` (imported), ``PUT`` (sent one by one through
PutEvents / PutItems / PutUsers / PutActions; the service's default) or ``ALL``. Exact
duplicate rows are collapsed; with ``ALL``, Items / Users / Actions keep only the newest
record per id, while every interaction is exported. Values are written as in an import file
(booleans lower-case, nulls empty), so an export can be imported again unchanged.
"""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .sources import write_s3
from .tables import DatasetTable

INGESTION_MODES = ("BULK", "PUT", "ALL")
ROWS_PER_FILE = 1_000_000


def export_rows(table: DatasetTable, ingestion_mode: str = "PUT") -> pa.Table:
    """The records an export writes, in storage order."""
    if ingestion_mode not in INGESTION_MODES:
        raise ValueError(
            f"ingestionMode must be one of {', '.join(INGESTION_MODES)}, not {ingestion_mode!r}"
        )
    rows = table.read_arrow(ingestion_mode, newest_per_id=ingestion_mode == "ALL")  # type: ignore[arg-type]
    return drop_exact_duplicates(rows)


def drop_exact_duplicates(rows: pa.Table) -> pa.Table:
    """Keep the first of each set of identical rows, preserving order."""
    if rows.num_rows < 2:
        return rows
    order = "__row__"
    indexed = rows.append_column(order, pa.array(range(rows.num_rows), pa.int64()))
    firsts = indexed.group_by(rows.column_names, use_threads=False).aggregate([(order, "min")])
    keep = pc.sort_indices(firsts.column(f"{order}_min"))
    return rows.take(pc.take(firsts.column(f"{order}_min"), keep))


def to_csv_bytes(rows: pa.Table) -> bytes:
    sink = io.BytesIO()
    # Our own header: pyarrow quotes header names, and the import format wants them bare.
    sink.write((",".join(rows.column_names) + "\n").encode())
    pacsv.write_csv(rows, sink, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    return sink.getvalue()


def export_dataset(
    table: DatasetTable,
    account: str,
    region: str,
    s3_path: str,
    *,
    ingestion_mode: str = "PUT",
    file_prefix: str = "",
    rows_per_file: int = ROWS_PER_FILE,
) -> list[str]:
    """Write the dataset as CSV under the folder ``s3_path``; returns the object keys written.

    Files are named ``<file_prefix>part-00000.csv``, ... (at least one, with a header, even
    when there is nothing to export). A missing bucket raises ``SourceError``.
    """
    rows = export_rows(table, ingestion_mode)
    folder = s3_path if s3_path.endswith("/") else s3_path + "/"
    keys = []
    n_files = max(1, -(-rows.num_rows // rows_per_file))
    for i in range(n_files):
        chunk = rows.slice(i * rows_per_file, rows_per_file)
        uri = f"{folder}{file_prefix}part-{i:05d}.csv"
        keys.append(write_s3(account, region, uri, to_csv_bytes(chunk)))
    return keys
