"""One import job's data path: CSV sources -> validated typed chunks -> a table's staging -> commit.

Either every row of every file lands, or nothing does: the first invalid row aborts the
staging and the error propagates (an import job then goes to CREATE FAILED with the message
as its ``failureReason``). With several files (a folder ``dataLocation``), messages start with
the file's name.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from .csv_import import DEFAULT_BLOCK_SIZE, CsvSource, ImportValidationError, as_source, iter_csv
from .tables import DatasetTable, ImportMode

MIN_INTERACTIONS_PER_IMPORT = 1000


def import_csv(
    table: DatasetTable,
    sources: Sequence[CsvSource | str | os.PathLike[str] | bytes],
    mode: ImportMode = "FULL",
    *,
    block_size: int = DEFAULT_BLOCK_SIZE,
    min_rows: int = 0,
) -> int:
    """Validate and store the CSV files in ``sources`` (in order); returns the rows imported.

    ``min_rows``: fewer valid rows than this fail the job and keep nothing (Personalize wants
    at least ``MIN_INTERACTIONS_PER_IMPORT`` interactions per import job; the caller decides
    when that applies).
    """
    resolved = [as_source(s) for s in sources]
    with table.begin_import(mode) as staging:
        for src in resolved:
            try:
                staging.write_all(iter_csv(src, table.parsed, block_size=block_size))
            except ImportValidationError as exc:
                if len(resolved) > 1:
                    raise ImportValidationError(f"{src.name}: {exc}") from None
                raise
        if staging.rows < min_rows:
            raise ImportValidationError(
                f"The input contains {staging.rows} records; an import job needs at least "
                f"{min_rows}."
            )
        return staging.commit()
