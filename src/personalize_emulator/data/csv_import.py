"""Bulk CSV import: stream a CSV in blocks, check it against the dataset schema, yield typed tables.

The CSV is read with pyarrow's streaming reader (one block of a few MB at a time, every column
as text), and each block is checked and converted column by column with Arrow compute
kernels, so a 25-million-row file never sits in memory and no Python loop runs per row. Only
when something is wrong does a slow path run, to find the exact row for the message.

Rules, as Personalize applies them to an import job:

* The header names the schema's fields. The guide asks for the schema's field order; we
  accept any order but require exactly the same set (missing columns fail with the service's
  "Input CSV is missing the following columns" message; unknown or duplicate ones fail too),
  and reorder to the schema's order.
* Values parse as their Avro types: integers for int/long, decimals for float/double,
  lower-case ``true``/``false`` for boolean. An empty cell is null, allowed only in nullable
  fields.
* Timestamps (TIMESTAMP, CREATION_TIMESTAMP, EXPIRATION_TIMESTAMP) are Unix epoch seconds:
  negative values, and values past the year 2200 (almost always milliseconds), fail.
* USER_ID / ITEM_ID / ACTION_ID are at most 256 characters, categorical values at most 1000
  (``|`` separators included); textual values are truncated to 20,000 characters, as the
  service does.

Errors raise ``ImportValidationError`` naming the 1-based data row (the header is not counted)
and the column. ``convert_records`` applies the same rules to records from PutEvents / PutItems.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol, runtime_checkable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .schemas import ParsedSchema, SchemaField

ID_FIELDS = frozenset({"USER_ID", "ITEM_ID", "ACTION_ID"})
TIMESTAMP_FIELDS = frozenset({"TIMESTAMP", "CREATION_TIMESTAMP", "EXPIRATION_TIMESTAMP"})
MAX_ID_CHARS = 256
MAX_CATEGORICAL_CHARS = 1000
MAX_TEXTUAL_CHARS = 20_000
MAX_EPOCH_SECONDS = 7_258_118_400  # 2200-01-01T00:00:00Z
DEFAULT_BLOCK_SIZE = 8 << 20

_INT_RE = r"^[+-]?[0-9]+$"
_FLOAT_RE = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
_INT32 = (-(2**31), 2**31 - 1)

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int": pa.int32(),
    "long": pa.int64(),
    "float": pa.float64(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
}


class ImportValidationError(ValueError):
    """The import fails; the message names the row and column, fit for a job's failureReason."""


@runtime_checkable
class CsvSource(Protocol):
    """Something that can be opened (more than once) as a binary stream."""

    name: str

    def open(self) -> IO[bytes] | pa.NativeFile: ...


@dataclass
class _PathSource:
    path: Path

    @property
    def name(self) -> str:
        return str(self.path)

    def open(self) -> pa.NativeFile:
        return pa.input_stream(str(self.path))


@dataclass
class _BytesSource:
    data: bytes
    name: str = "<bytes>"

    def open(self) -> pa.NativeFile:
        return pa.BufferReader(self.data)


def as_source(source: CsvSource | str | os.PathLike[str] | bytes) -> CsvSource:
    if isinstance(source, bytes | bytearray | memoryview):
        return _BytesSource(bytes(source))
    if isinstance(source, str | os.PathLike):
        return _PathSource(Path(source))
    return source


def arrow_schema(parsed: ParsedSchema) -> pa.Schema:
    """The typed Arrow schema imported tables have: the schema's fields in order."""
    return pa.schema(
        [pa.field(f.name, ARROW_TYPES[f.avro_type], nullable=f.nullable) for f in parsed.fields]
    )


def iter_csv(
    source: CsvSource | str | os.PathLike[str] | bytes,
    parsed: ParsedSchema,
    *,
    block_size: int = DEFAULT_BLOCK_SIZE,
) -> Iterator[pa.Table]:
    """Yield the CSV's rows as typed tables (``arrow_schema(parsed)``), one per block.

    Raises ImportValidationError on the first problem; tables already yielded are then to be
    discarded by the caller (``DatasetTable`` staging does that).

    The fast pass lets pyarrow parse numbers and booleans itself and checks the rest with
    compute kernels. pyarrow's own conversion errors do not say which row failed, so when one
    occurs the file is read again in the strict pass (every column as raw bytes, checked by
    our code), which stops at the first bad value with its row and column.
    """
    src = as_source(source)
    try:
        yield from _read(src, parsed, block_size, strict=False)
    except _ConversionFailed as failed:
        for _ in _read(src, parsed, block_size, strict=True):
            pass
        # pyarrow refused something our checks accept: report what it said.
        raise ImportValidationError(
            f"Input CSV {src.name} could not be read: {failed.args[0]}"
        ) from None


class _ConversionFailed(Exception):
    pass


def _read(
    src: CsvSource, parsed: ParsedSchema, block_size: int, *, strict: bool
) -> Iterator[pa.Table]:
    names = parsed.names
    if strict:
        types = {n: pa.binary() for n in names}
    else:
        types = {f.name: ARROW_TYPES[f.avro_type] for f in parsed.fields}
    convert = pacsv.ConvertOptions(
        column_types=types,
        null_values=[""],
        true_values=["true"],
        false_values=["false"],
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    read = pacsv.ReadOptions(block_size=block_size, use_threads=True)
    parse = pacsv.ParseOptions(newlines_in_values=True)
    stream = src.open()
    try:
        reader = _open(src, stream, read, parse, convert)
        _check_header(reader.schema.names, names)
        fields = [parsed.field(n) for n in names]
        target = arrow_schema(parsed)
        done = 0
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except pa.ArrowInvalid as exc:
                if "conversion error" in str(exc) and not strict:
                    raise _ConversionFailed(str(exc)) from None
                raise _locate_parse_error(src, exc) from None
            columns = [
                convert_column(batch.column(n), f, first_row=done + 1)
                for n, f in zip(names, fields, strict=True)
            ]
            done += batch.num_rows
            yield pa.Table.from_arrays(columns, schema=target)
    finally:
        stream.close()


def _open(
    src: CsvSource,
    stream: IO[bytes] | pa.NativeFile,
    read: pacsv.ReadOptions,
    parse: pacsv.ParseOptions,
    convert: pacsv.ConvertOptions,
) -> pacsv.CSVStreamingReader:
    try:
        return pacsv.open_csv(
            stream, read_options=read, parse_options=parse, convert_options=convert
        )
    except pa.ArrowInvalid as exc:
        if "Empty CSV file" in str(exc):
            raise ImportValidationError(
                f"Input CSV {src.name} is empty; the first row must be a header."
            ) from None
        if "conversion error" in str(exc):
            raise _ConversionFailed(str(exc)) from None
        raise _locate_parse_error(src, exc) from None


def read_csv(source: CsvSource | str | os.PathLike[str] | bytes, parsed: ParsedSchema) -> pa.Table:
    """The whole CSV as one typed table (small files, tests)."""
    return pa.concat_tables([*iter_csv(source, parsed)] or [arrow_schema(parsed).empty_table()])


def convert_records(
    records: Sequence[Mapping[str, str | None]],
    parsed: ParsedSchema,
    *,
    label: str = "Record",
) -> pa.Table:
    """Records with string values keyed by schema field name (PutEvents/PutItems) -> typed table.

    A missing key is null. Unknown keys are refused.
    """
    names = set(parsed.names)
    for i, rec in enumerate(records, start=1):
        unknown = sorted(set(rec) - names)
        if unknown:
            raise ImportValidationError(
                f"{label} {i}: field(s) {', '.join(unknown)} are not in the dataset schema."
            )
    columns = [
        convert_column(pa.array([r.get(f.name) for r in records], type=pa.string()), f, label=label)
        for f in parsed.fields
    ]
    return pa.Table.from_arrays(columns, schema=arrow_schema(parsed))


def _check_header(header: list[str], names: list[str]) -> None:
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise ImportValidationError(
            f"Input CSV header repeats the following columns: [{', '.join(dupes)}]"
        )
    missing = [n for n in names if n not in header]
    if missing:
        raise ImportValidationError(
            f"Input CSV is missing the following columns: [{', '.join(missing)}]"
        )
    unknown = [h for h in header if h not in names]
    if unknown:
        raise ImportValidationError(
            "Input CSV has the following columns that are not in the schema: "
            f"[{', '.join(repr(u) if not u else u for u in unknown)}]"
        )


# --------------------------------------------------------------------------------------------
# One column


def convert_column(
    arr: pa.Array | pa.ChunkedArray,
    f: SchemaField,
    *,
    first_row: int = 1,
    label: str = "Row",
) -> pa.Array:
    """Check and convert one column of text (string or binary) to ``f``'s Arrow type."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    where = _Where(f.name, first_row, label)
    if pa.types.is_binary(arr.type):
        arr = _to_utf8(arr, where)
    if not pa.types.is_string(arr.type):
        return _typed(arr, f, where)
    empty = pc.fill_null(pc.equal(arr, ""), True)
    if not f.nullable and pc.any(empty).as_py():
        raise where.error(_first(empty), "value is empty but the field is not nullable.")
    values = pc.if_else(empty, pa.scalar(None, pa.string()), arr)
    t = f.avro_type
    if t == "string":
        return _strings(values, f, where)
    if t == "boolean":
        bad = pc.and_(pc.invert(empty), pc.invert(pc.is_in(values, pa.array(["true", "false"]))))
        if pc.any(bad).as_py():
            i = _first(bad)
            raise where.error(
                i, f"value {_show(arr, i)} is not a boolean (lower-case true or false)."
            )
        return pc.equal(values, "true")
    if t in ("int", "long"):
        return _integers(values, arr, empty, f, where)
    bad = pc.and_(pc.invert(empty), pc.invert(pc.match_substring_regex(values, _FLOAT_RE)))
    if pc.any(bad).as_py():
        i = _first(bad)
        raise where.error(i, f"value {_show(arr, i)} is not a {t}.")
    return pc.cast(values, pa.float64())


def _typed(arr: pa.Array, f: SchemaField, where: _Where) -> pa.Array:
    """Checks on a column pyarrow has already parsed (nulls are empty cells)."""
    if not f.nullable and arr.null_count:
        raise where.error(_first(arr.is_null()), "value is empty but the field is not nullable.")
    if f.avro_type in ("int", "long"):
        return _range_checks(arr, lambda i: repr(str(arr[i].as_py())), f, where)
    if f.avro_type in ("float", "double"):
        finite = pc.fill_null(pc.is_finite(arr), True)
        if not pc.all(finite).as_py():
            i = _first(pc.invert(finite))
            raise where.error(i, f"value {str(arr[i].as_py())!r} is not a {f.avro_type}.")
    return arr


def _strings(values: pa.Array, f: SchemaField, where: _Where) -> pa.Array:
    lengths = pc.utf8_length(values)
    limit = None
    if f.name in ID_FIELDS:
        limit, what = MAX_ID_CHARS, "an id"
    elif f.categorical:
        limit, what = MAX_CATEGORICAL_CHARS, "a categorical value"
    if limit is not None:
        too_long = pc.fill_null(pc.greater(lengths, limit), False)
        if pc.any(too_long).as_py():
            i = _first(too_long)
            raise where.error(
                i,
                f"value is {lengths[i].as_py()} characters long; {what} may have at most {limit}.",
            )
    if f.textual and pc.any(pc.fill_null(pc.greater(lengths, MAX_TEXTUAL_CHARS), False)).as_py():
        values = pc.utf8_slice_codeunits(values, 0, MAX_TEXTUAL_CHARS)
    return values


def _integers(
    values: pa.Array, raw: pa.Array, empty: pa.Array, f: SchemaField, where: _Where
) -> pa.Array:
    is_ts = f.name in TIMESTAMP_FIELDS
    kind = (
        "a long (epoch seconds)"
        if is_ts
        else f"an {f.avro_type}"
        if f.avro_type == "int"
        else "a long"
    )
    bad = pc.and_(pc.invert(empty), pc.invert(pc.match_substring_regex(values, _INT_RE)))
    if pc.any(bad).as_py():
        i = _first(bad)
        raise where.error(i, f"value {_show(raw, i)} is not {kind}.")
    try:
        out = pc.cast(values, pa.int64())
    except (pa.ArrowInvalid, OverflowError):
        too_big = [i for i, v in enumerate(values.to_pylist()) if v and not _fits_int64(v)]
        raise where.error(
            too_big[0], f"value {_show(raw, too_big[0])} is out of range for {kind}."
        ) from None
    if f.avro_type == "int":
        out_of = pc.fill_null(pc.or_(pc.less(out, _INT32[0]), pc.greater(out, _INT32[1])), False)
        if pc.any(out_of).as_py():
            i = _first(out_of)
            raise where.error(i, f"value {_show(raw, i)} is out of range for an int (32-bit).")
        out = pc.cast(out, pa.int32())
    return _range_checks(out, lambda i: _show(raw, i), f, where)


def _range_checks(
    out: pa.Array, show: Callable[[int], str], f: SchemaField, where: _Where
) -> pa.Array:
    """Timestamps are epoch seconds: not negative, not past 2200 (milliseconds, usually)."""
    if f.name in TIMESTAMP_FIELDS:
        negative = pc.fill_null(pc.less(out, 0), False)
        if pc.any(negative).as_py():
            i = _first(negative)
            raise where.error(i, f"value {show(i)} is negative; timestamps are Unix epoch seconds.")
        future = pc.fill_null(pc.greater(out, MAX_EPOCH_SECONDS), False)
        if pc.any(future).as_py():
            i = _first(future)
            raise where.error(
                i,
                f"value {show(i)} is after the year 2200; timestamps must be Unix epoch "
                "seconds, not milliseconds.",
            )
    return out


def _fits_int64(text: str) -> bool:
    try:
        return -(2**63) <= int(text) < 2**63
    except ValueError:
        return False


def _to_utf8(arr: pa.Array, where: _Where) -> pa.Array:
    try:
        return pc.cast(arr, pa.string())
    except pa.ArrowInvalid:
        for i, v in enumerate(arr.to_pylist()):
            try:
                v.decode("utf-8")
            except UnicodeDecodeError:
                raise where.error(i, "value is not valid UTF-8 text.") from None
        raise


@dataclass
class _Where:
    column: str
    first_row: int
    label: str

    def error(self, index: int, what: str) -> ImportValidationError:
        return ImportValidationError(
            f"{self.label} {self.first_row + index}, column {self.column}: {what}"
        )


def _first(mask: pa.Array) -> int:
    return pc.index(mask, True).as_py()


def _show(arr: pa.Array, i: int) -> str:
    v = arr[i].as_py()
    if isinstance(v, bytes):
        v = v.decode("utf-8", "replace")
    if v is not None and len(v) > 60:
        v = v[:57] + "..."
    return repr(v)


# --------------------------------------------------------------------------------------------
# Malformed CSV: find the row (slow path, runs only after pyarrow has refused the file)


def _locate_parse_error(src: CsvSource, exc: Exception) -> ImportValidationError:
    detail = str(exc).removeprefix("CSV parse error: ")
    try:
        with src.open() as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
            rows = (r for r in csv.reader(text) if r)
            header = next(rows, [])
            for n, row in enumerate(rows, start=1):
                if len(row) != len(header):
                    return ImportValidationError(
                        f"Row {n}: expected {len(header)} columns as in the header, "
                        f"found {len(row)}."
                    )
    except (OSError, csv.Error) as scan_exc:
        detail = f"{detail} ({scan_exc})"
    return ImportValidationError(f"Input CSV {src.name} is malformed: {detail}")
