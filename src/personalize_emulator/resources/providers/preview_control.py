"""Preview-dialect schemas, dataset groups, datasets and the preview recipe catalogue.

Each handler delegates to the GA handler of the same operation and projects the answer onto
the preview shape, so a schema or group made through either dialect is one record seen by both.

The one real difference is CreateDataset: the preview takes no ``name``. A dataset's identity is
its ARN (``dataset/<group name>/<TYPE>``), so the GA record gets the name ``<group>-<TYPE>``,
which GA DescribeDataset then reports. The preview only knew Interactions, Users and Items
datasets; the later types are refused with the preview's list.

ListRecipes / DescribeRecipe show the eight preview recipes of the engines' registry (always
ACTIVE, created 2018-11-25); GA recipe ARNs are unknown to the preview, as preview ARNs are to GA.
"""

from __future__ import annotations

from typing import Any

from ...engines import registry
from ...protocol.errors import InvalidInputException
from .. import arns
from ..common import get_record
from ..pagination import paginate
from ..store import Store
from .preview_common import ga, pick, preview, preview_list, translating

SCHEMA_SUMMARY = ("name", "schemaArn", "creationDateTime", "lastUpdatedDateTime")
SCHEMA = (*SCHEMA_SUMMARY, "schema")
GROUP_SUMMARY = (
    "name", "datasetGroupArn", "status", "creationDateTime", "lastUpdatedDateTime",
    "failureReason",
)  # fmt: skip
GROUP = (*GROUP_SUMMARY, "roleArn", "kmsKeyArn")
DATASET_SUMMARY = ("datasetArn", "datasetType", "status", "creationDateTime", "lastUpdatedDateTime")
DATASET = (*DATASET_SUMMARY, "datasetGroupArn", "schemaArn")
PREVIEW_DATASET_TYPES = ("INTERACTIONS", "USERS", "ITEMS")
DIALECT = "preview"


# --- schemas -------------------------------------------------------------------------------


@preview("CreateSchema")
def create_schema(store: Store, *, name: str, schema: str) -> dict:
    return pick(ga("CreateSchema", store, name=name, schema=schema), ("schemaArn",))


@preview("DescribeSchema")
def describe_schema(store: Store, *, schemaArn: str) -> dict:
    return {"schema": pick(ga("DescribeSchema", store, schemaArn=schemaArn)["schema"], SCHEMA)}


list_schemas = preview_list("ListSchemas", "schemas", SCHEMA_SUMMARY)

@preview("DeleteSchema")
def delete_schema(store: Store, *, schemaArn: str) -> None:
    ga("DeleteSchema", store, schemaArn=schemaArn)


# --- dataset groups ------------------------------------------------------------------------


@preview("CreateDatasetGroup")
def create_dataset_group(
    store: Store, *, name: str, roleArn: str | None = None, kmsKeyArn: str | None = None
) -> dict:
    out = ga("CreateDatasetGroup", store, name=name, roleArn=roleArn, kmsKeyArn=kmsKeyArn)
    return pick(out, ("datasetGroupArn",))


@preview("DescribeDatasetGroup")
def describe_dataset_group(store: Store, *, datasetGroupArn: str) -> dict:
    out = ga("DescribeDatasetGroup", store, datasetGroupArn=datasetGroupArn)
    return {"datasetGroup": pick(out["datasetGroup"], GROUP)}


list_dataset_groups = preview_list("ListDatasetGroups", "datasetGroups", GROUP_SUMMARY)

@preview("DeleteDatasetGroup")
def delete_dataset_group(store: Store, *, datasetGroupArn: str) -> None:
    ga("DeleteDatasetGroup", store, datasetGroupArn=datasetGroupArn)


# --- datasets ------------------------------------------------------------------------------


def dataset_name(group_arn: str, dataset_type: str) -> str:
    """The GA name a preview dataset gets: ``<dataset group name>-<TYPE>``."""
    parsed = arns.expect(group_arn, "dataset-group", "datasetGroupArn")
    return f"{parsed.parts[0]}-{dataset_type}"


@preview("CreateDataset")
def create_dataset(store: Store, *, datasetType: str, datasetGroupArn: str, schemaArn: str) -> dict:
    dataset_type = datasetType.upper()
    if dataset_type not in PREVIEW_DATASET_TYPES:
        raise InvalidInputException(
            f"Invalid parameter datasetType: {datasetType!r} is not one of "
            f"{', '.join(PREVIEW_DATASET_TYPES)}."
        )
    name = dataset_name(datasetGroupArn, dataset_type)
    out = ga(
        "CreateDataset",
        store,
        name=name,
        datasetType=dataset_type,
        datasetGroupArn=datasetGroupArn,
        schemaArn=schemaArn,
    )
    return pick(out, ("datasetArn",))


@preview("DescribeDataset")
def describe_dataset(store: Store, *, datasetArn: str) -> dict:
    out = ga("DescribeDataset", store, datasetArn=datasetArn)
    return {"dataset": pick(out["dataset"], DATASET)}


list_datasets = preview_list("ListDatasets", "datasets", DATASET_SUMMARY)

@preview("DeleteDataset")
def delete_dataset(store: Store, *, datasetArn: str) -> None:
    ga("DeleteDataset", store, datasetArn=datasetArn)


# --- recipes -------------------------------------------------------------------------------


def _dates() -> dict[str, Any]:
    return {
        "creationDateTime": registry.CATALOGUE_DATE,
        "lastUpdatedDateTime": registry.CATALOGUE_DATE,
    }


def preview_recipe(recipe_arn: str, member: str = "recipeArn") -> registry.RecipeSpec:
    """The preview recipe ``recipe_arn`` names; not a preview recipe -> ResourceNotFound."""
    arns.expect(recipe_arn, "recipe", member)
    spec = registry.get_recipe(recipe_arn)
    if spec is None or spec.arn != recipe_arn or DIALECT not in spec.dialects:
        raise arns.not_found(recipe_arn)
    return spec


@preview("ListRecipes")
def list_recipes(
    store: Store,
    *,
    recipeProvider: str | None = None,
    nextToken: str | None = None,
    maxResults: int | None = None,
) -> dict:
    # The preview's catalogue is all SERVICE recipes; BYOR (bring-your-own) lists nothing here.
    items = [] if recipeProvider == "BYOR" else registry.all_recipes(DIALECT)
    with translating():
        return paginate(
            items,
            nextToken,
            maxResults,
            "recipes",
            scope=["preview", recipeProvider or "ALL"],
            render=lambda r: {"name": r.name, "recipeArn": r.arn, "status": "ACTIVE", **_dates()},
        )


@preview("DescribeRecipe")
def describe_recipe(store: Store, *, recipeArn: str) -> dict:
    spec = preview_recipe(recipeArn)
    return {
        "recipe": {
            "name": spec.name,
            "recipeArn": spec.arn,
            "algorithmArn": spec.algorithm_arn,
            "featureTransformationArn": spec.feature_transformation_arn,
            "status": "ACTIVE",
            "description": spec.description,
            "recipeType": spec.recipe_type,
            **_dates(),
        }
    }


def dataset_group_of(store: Store, arn: str, member: str = "datasetGroupArn") -> Any:
    """The dataset group record (for modules that need more than the GA output shows)."""
    return get_record(store, "dataset-group", arn, member)
