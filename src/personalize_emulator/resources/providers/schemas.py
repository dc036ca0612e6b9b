"""Schemas: CreateSchema, DescribeSchema, ListSchemas, DeleteSchema.

Schemas have no status and take no tags. The Avro text is checked by the data room's
``parse_schema`` (fastavro plus Personalize's general rules) and stored exactly as sent;
whether it fits a dataset type is checked later, at CreateDataset.
"""

from __future__ import annotations

from typing import Any

from ...data.schemas import SchemaError, parse_schema
from ...protocol.errors import InvalidInputException, ResourceInUseException
from .. import arns
from ..common import ensure_new, get_record, list_operation, remove
from ..handlers import handler
from ..records import SchemaRecord
from ..store import Store

KIND = "schema"


def _summary(r: SchemaRecord) -> dict[str, Any]:
    return {
        "name": r.name,
        "schemaArn": r.arn,
        "creationDateTime": r.created,
        "lastUpdatedDateTime": r.updated,
        "domain": r.domain,
    }


@handler("personalize", "CreateSchema")
def create_schema(store: Store, *, name: str, schema: str, domain: str | None = None) -> dict:
    arn = arns.build(KIND, name, region=store.region, account=store.account_id)
    try:
        parse_schema(schema, domain)
    except SchemaError as exc:
        raise InvalidInputException(str(exc)) from exc
    with store.lock:
        ensure_new(store, KIND, arn)
        store.records[KIND][arn] = SchemaRecord(arn=arn, name=name, schema=schema, domain=domain)
    return {"schemaArn": arn}


@handler("personalize", "DescribeSchema")
def describe_schema(store: Store, *, schemaArn: str) -> dict:
    record: SchemaRecord = get_record(store, KIND, schemaArn, "schemaArn")
    return {"schema": {**_summary(record), "schema": record.schema}}


list_schemas = list_operation("ListSchemas", KIND, "schemas", _summary)


@handler("personalize", "DeleteSchema")
def delete_schema(store: Store, *, schemaArn: str) -> None:
    with store.lock:
        get_record(store, KIND, schemaArn, "schemaArn")
        users = [
            d.arn
            for d in store.records["dataset"].values()
            if schemaArn in (d.schema_arn, getattr(d.latest_update, "schema_arn", None))
        ]
        if users:
            raise ResourceInUseException(
                f"Schema {schemaArn} is in use by dataset(s): {', '.join(sorted(users))}."
            )
        remove(store, KIND, schemaArn)
