"""The data room: schema rules, CSV import validation and storage, S3/local sources, exports.

Imports nothing else of ours. Resources call it from their handlers:

* ``schemas``: ``parse_schema`` (CreateSchema), ``check_schema_for_dataset`` (CreateDataset),
  ``field_kinds`` (for the engines' ``FieldKinds``).
* ``sources``: ``resolve_sources`` for a ``dataLocation`` (moto S3 or local), ``read_bytes``,
  ``write_s3``.
* ``tables``: ``DatasetTable``, a dataset's records as Parquet parts on disk.
* ``ingest``: ``import_csv(table, sources, mode)``, an import job's whole data path.
* ``csv_import``: the CSV rules; ``convert_records`` for PutEvents / PutItems records.
* ``records``: ``record_from_properties``, camelCase ``properties`` -> schema fields.
* ``exports``: ``export_dataset`` (CreateDatasetExportJob).
"""

from .csv_import import ImportValidationError, convert_records, iter_csv, read_csv
from .exports import export_dataset
from .ingest import MIN_INTERACTIONS_PER_IMPORT, import_csv
from .records import record_from_properties
from .schemas import (
    ParsedSchema,
    SchemaError,
    SchemaField,
    check_schema_for_dataset,
    field_kinds,
    parse_schema,
)
from .sources import SourceError, read_bytes, resolve_sources, write_s3
from .tables import DatasetTable

__all__ = [
    "DatasetTable",
    "ImportValidationError",
    "MIN_INTERACTIONS_PER_IMPORT",
    "ParsedSchema",
    "SchemaError",
    "SchemaField",
    "SourceError",
    "check_schema_for_dataset",
    "convert_records",
    "export_dataset",
    "field_kinds",
    "import_csv",
    "iter_csv",
    "parse_schema",
    "read_bytes",
    "read_csv",
    "record_from_properties",
    "resolve_sources",
    "write_s3",
]
