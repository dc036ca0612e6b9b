"""How preview recipe ARNs meet the GA pipeline.

The GA providers train only GA recipes. In March 2019 the service renamed the preview recipes
(``awspersonalizehrnnmodel`` became ``aws-hrnn``, and so on) and carried existing solutions
over, so a preview solution's GA record names the renamed recipe, which has the same engine and
hyperparameters, while the preview dialect keeps showing the name the client used.

DeepFM and FFNN were dropped before GA and have no renamed recipe. Their solutions train with
``aws-user-personalization`` as a stand-in (the approach of preview-dialect.md §4); their own
hyperparameters are still checked against the preview recipe, and the preview view, including
the model ARN GetMetrics reports, keeps the preview name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...engines import registry
from ...protocol.errors import InvalidInputException, ResourceNotFoundException
from .preview_control import preview_recipe

#: preview recipe name -> the GA recipe its solutions train with
GA_RECIPE = {
    "awspersonalizehrnnmodel": "aws-hrnn",
    "awspersonalizehrnnmodel-for-metadata": "aws-hrnn-metadata",
    "awspersonalizehrnnmodel-for-coldstart": "aws-hrnn-coldstart",
    "awspersonalizesimsmodel": "aws-sims",
    "popularity-baseline": "aws-popularity-count",
    "search-personalization": "aws-personalized-ranking",
    "awspersonalizedeepfmmodel": "aws-user-personalization",
    "awspersonalizeffnnmodel": "aws-user-personalization",
}
STAND_INS = frozenset({"awspersonalizedeepfmmodel", "awspersonalizeffnnmodel"})
#: GA recipe name -> preview name, for GA-made solutions seen through the preview (renames only)
PREVIEW_NAME = {ga: p for p, ga in GA_RECIPE.items() if p not in STAND_INS}


def ga_arn(preview_arn: str, member: str = "recipeArn") -> str:
    """The GA recipe ARN a preview recipe trains with; InvalidInput naming ``member`` if the
    ARN is not one of the preview's recipes (preview-dialect.md §6)."""
    try:
        spec = preview_recipe(preview_arn, member)
    except ResourceNotFoundException:
        raise InvalidInputException(
            f"Invalid parameter {member}: {preview_arn} is not a recipe"
            f" (recipes: {', '.join(sorted(GA_RECIPE))})."
        ) from None
    return registry.RECIPE_PREFIX + GA_RECIPE[spec.name]


def is_stand_in(preview_arn: str | None) -> bool:
    return bool(preview_arn) and preview_arn.removeprefix(registry.RECIPE_PREFIX) in STAND_INS


def preview_arn_of(ga_recipe_arn: str | None, chosen: Mapping[str, str] | None = None) -> str | None:
    """How the preview names a GA recipe: ``chosen`` (GA ARN -> the preview ARN the client gave)
    first, then the rename table; a GA-only recipe keeps its GA ARN."""
    if not ga_recipe_arn:
        return None
    if chosen and ga_recipe_arn in chosen:
        return chosen[ga_recipe_arn]
    name = ga_recipe_arn.removeprefix(registry.RECIPE_PREFIX)
    return registry.RECIPE_PREFIX + PREVIEW_NAME[name] if name in PREVIEW_NAME else ga_recipe_arn


def recipe_name(arn: str | None) -> str:
    return (arn or "").removeprefix(registry.RECIPE_PREFIX)


def strip_recipe_parameters(config: Mapping[str, Any]) -> dict[str, Any]:
    """A stand-in's GA config: without the parameters that name the preview recipe's knobs."""
    out = {
        k: v
        for k, v in config.items()
        if k not in ("algorithmHyperParameters", "featureTransformationParameters")
    }
    hpo = out.get("hpoConfig")
    if hpo and "algorithmHyperParameterRanges" in hpo:
        out["hpoConfig"] = {k: v for k, v in hpo.items() if k != "algorithmHyperParameterRanges"}
    return out
