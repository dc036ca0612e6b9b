"""The read-only recipe catalogue: ListRecipes, DescribeRecipe, DescribeAlgorithm,
DescribeFeatureTransformation (GA dialect).

Everything comes from the engines room's registry; this module only shapes it for the wire.
The GA API shows only recipes whose dialects include ``ga`` (and the algorithms and feature
transformations behind them); a preview-only ARN is not found here. Catalogue entries are
always ACTIVE, with the registry's fixed creation date.

ListRecipes without ``domain`` lists the custom recipes (no domain); with ``domain`` only that
domain's use-case recipes. Order is the registry's, which is stable.
"""

from __future__ import annotations

from typing import Any

from ...engines import registry
from .. import arns
from ..handlers import handler
from ..pagination import paginate
from ..store import Store

DIALECT = "ga"


def _dates() -> dict[str, Any]:
    return {
        "creationDateTime": registry.CATALOGUE_DATE,
        "lastUpdatedDateTime": registry.CATALOGUE_DATE,
    }


def _ga_recipes() -> list[registry.RecipeSpec]:
    return registry.all_recipes(DIALECT)


def _recipe_summary(r: registry.RecipeSpec) -> dict[str, Any]:
    return {"name": r.name, "recipeArn": r.arn, "status": "ACTIVE", **_dates(), "domain": r.domain}


@handler("personalize", "ListRecipes")
def list_recipes(
    store: Store,
    *,
    recipeProvider: str | None = None,
    nextToken: str | None = None,
    maxResults: int | None = None,
    domain: str | None = None,
) -> dict:
    # recipeProvider has one value, SERVICE (enum-checked by the protocol layer).
    items = [r for r in _ga_recipes() if r.domain == domain]
    return paginate(
        items,
        nextToken,
        maxResults,
        "recipes",
        scope=domain,
        render=_recipe_summary,
    )


@handler("personalize", "DescribeRecipe")
def describe_recipe(store: Store, *, recipeArn: str) -> dict:
    arns.expect(recipeArn, "recipe", "recipeArn")
    spec = registry.get_recipe(recipeArn)
    if spec is None or spec.arn != recipeArn or DIALECT not in spec.dialects:
        raise arns.not_found(recipeArn)
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


@handler("personalize", "DescribeAlgorithm")
def describe_algorithm(store: Store, *, algorithmArn: str) -> dict:
    arns.expect(algorithmArn, "algorithm", "algorithmArn")
    spec = registry.get_algorithm(algorithmArn)
    if spec is None or not any(r.algorithm_arn == algorithmArn for r in _ga_recipes()):
        raise arns.not_found(algorithmArn)
    return {
        "algorithm": {
            "name": spec.name,
            "algorithmArn": spec.arn,
            "algorithmImage": {"name": spec.image_name, "dockerURI": spec.docker_uri},
            "defaultHyperParameters": spec.default_hyperparameters,
            "defaultHyperParameterRanges": spec.default_hyperparameter_ranges(),
            "defaultResourceConfig": dict(spec.default_resource_config),
            "trainingInputMode": spec.training_input_mode,
            **_dates(),
        }
    }


@handler("personalize", "DescribeFeatureTransformation")
def describe_feature_transformation(store: Store, *, featureTransformationArn: str) -> dict:
    arns.expect(featureTransformationArn, "feature-transformation", "featureTransformationArn")
    spec = registry.get_feature_transformation(featureTransformationArn)
    users = [r for r in _ga_recipes() if r.feature_transformation_arn == featureTransformationArn]
    if spec is None or not users:
        raise arns.not_found(featureTransformationArn)
    # Several recipes share one transformation (``sims`` backs aws-sims and
    # aws-popularity-count); report every featurization default any of them declares.
    defaults = dict(spec.default_parameters)
    for recipe in users:
        defaults.update(recipe.defaults("featurization"))
    return {
        "featureTransformation": {
            "name": spec.name,
            "featureTransformationArn": spec.arn,
            "defaultParameters": defaults,
            "status": "ACTIVE",
            **_dates(),
        }
    }
