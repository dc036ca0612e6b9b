"""How preview recipe ARNs meet the GA pipeline.

In March 2019 the service renamed the preview recipes (``awspersonalizehrnnmodel`` became
``aws-hrnn``, and so on) and carried existing solutions over, so a preview solution's GA record
names the renamed recipe, which has the same engine and hyperparameters, while the preview
dialect keeps showing the name the client used.

DeepFM and FFNN were dropped before GA and have no renamed recipe: their solutions keep the
preview recipe ARN and train its own engine (``engines/recipes/deepfm.py`` / ``ffnn.py``, as
``engines.registry`` maps them). GA CreateSolution refuses these ARNs; the preview dialect's
CreateSolution lets them through (``solutions.create_solution(recipe_dialects=...)``), and
their hyperparameters are checked against the preview recipe like any recipe's.
"""

from __future__ import annotations

from collections.abc import Mapping

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
}
#: Preview recipes without a GA name: their solutions train the preview recipe itself.
OWN_ENGINE = frozenset({"awspersonalizedeepfmmodel", "awspersonalizeffnnmodel"})
#: GA recipe name -> preview name, for GA-made solutions seen through the preview (renames only)
PREVIEW_NAME = {ga: p for p, ga in GA_RECIPE.items()}


def ga_arn(preview_arn: str, member: str = "recipeArn") -> str:
    """The recipe ARN a preview recipe trains with in the GA pipeline: its GA name, or itself
    for DeepFM / FFNN; InvalidInput naming ``member`` if the ARN is not one of the preview's
    recipes (preview-dialect.md §6)."""
    try:
        spec = preview_recipe(preview_arn, member)
    except ResourceNotFoundException:
        raise InvalidInputException(
            f"Invalid parameter {member}: {preview_arn} is not a recipe"
            f" (recipes: {', '.join(sorted(GA_RECIPE.keys() | OWN_ENGINE))})."
        ) from None
    if spec.name in OWN_ENGINE:
        return spec.arn
    return registry.RECIPE_PREFIX + GA_RECIPE[spec.name]


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
