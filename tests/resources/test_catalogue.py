"""ListRecipes, DescribeRecipe, DescribeAlgorithm, DescribeFeatureTransformation on both doors."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from resource_samples import error_of

from personalize_emulator.engines import registry


def all_recipes(personalize, **kwargs):
    pages = personalize.get_paginator("list_recipes").paginate(**kwargs)
    return [r for page in pages for r in page["recipes"]]


def test_list_custom_recipes(personalize):
    recipes = all_recipes(personalize, recipeProvider="SERVICE")
    names = {r["name"] for r in recipes}
    assert {"aws-user-personalization", "aws-sims", "aws-personalized-ranking"} <= names
    assert not any(n.startswith(("aws-ecomm", "aws-vod")) for n in names)
    expected = {r.name for r in registry.all_recipes("ga") if r.domain is None}
    assert names == expected
    for r in recipes:
        assert r["status"] == "ACTIVE" and "domain" not in r
        assert r["recipeArn"] == f"arn:aws:personalize:::recipe/{r['name']}"
        assert r["creationDateTime"] == r["lastUpdatedDateTime"]


@pytest.mark.parametrize(
    ("domain", "prefix"), [("ECOMMERCE", "aws-ecomm-"), ("VIDEO_ON_DEMAND", "aws-vod-")]
)
def test_list_domain_recipes(personalize, domain, prefix):
    recipes = all_recipes(personalize, domain=domain)
    assert recipes and all(r["name"].startswith(prefix) and r["domain"] == domain for r in recipes)


def test_preview_recipes_are_not_in_the_ga_api(personalize):
    names = {r["name"] for r in all_recipes(personalize)}
    assert "awspersonalizehrnnmodel" not in names
    with pytest.raises(ClientError) as exc:
        personalize.describe_recipe(
            recipeArn="arn:aws:personalize:::recipe/awspersonalizehrnnmodel"
        )
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_list_recipes_paginates(personalize):
    everything = personalize.list_recipes()["recipes"]
    first = personalize.list_recipes(maxResults=4)
    assert len(first["recipes"]) == 4 and first["nextToken"]
    second = personalize.list_recipes(maxResults=4, nextToken=first["nextToken"])
    assert [r["name"] for r in first["recipes"] + second["recipes"]] == [
        r["name"] for r in everything[:8]
    ]
    with pytest.raises(ClientError) as exc:
        personalize.list_recipes(domain="ECOMMERCE", nextToken=first["nextToken"])
    assert error_of(exc)[0] == "InvalidNextTokenException"


def test_describe_recipe(personalize):
    recipe = personalize.describe_recipe(recipeArn="arn:aws:personalize:::recipe/aws-sims")[
        "recipe"
    ]
    assert recipe["name"] == "aws-sims"
    assert recipe["recipeType"] == "RELATED_ITEMS"
    assert recipe["algorithmArn"] == "arn:aws:personalize:::algorithm/aws-sims"
    assert recipe["featureTransformationArn"] == "arn:aws:personalize:::feature-transformation/sims"
    assert recipe["status"] == "ACTIVE" and recipe["description"]


def test_describe_algorithm(personalize):
    algorithm = personalize.describe_algorithm(
        algorithmArn="arn:aws:personalize:::algorithm/aws-sims"
    )["algorithm"]
    assert algorithm["name"] == "aws-sims"
    assert algorithm["algorithmImage"]["dockerURI"]
    assert algorithm["defaultHyperParameters"]["popularity_discount_factor"] == "0.5"
    ranges = algorithm["defaultHyperParameterRanges"]
    [discount] = [
        r
        for r in ranges["continuousHyperParameterRanges"]
        if r["name"] == "popularity_discount_factor"
    ]
    assert (discount["minValue"], discount["maxValue"], discount["isTunable"]) == (0.0, 1.0, True)
    [count] = [
        r for r in ranges["integerHyperParameterRanges"] if r["name"] == "min_cointeraction_count"
    ]
    assert (count["minValue"], count["maxValue"]) == (0, 10)
    assert algorithm["defaultResourceConfig"] and algorithm["trainingInputMode"]


def test_describe_feature_transformation(personalize):
    arn = "arn:aws:personalize:::feature-transformation/sims"
    ft = personalize.describe_feature_transformation(featureTransformationArn=arn)[
        "featureTransformation"
    ]
    assert ft["featureTransformationArn"] == arn and ft["status"] == "ACTIVE"
    assert ft["defaultParameters"]["min_user_history_length_percentile"] == "0.005"


def test_unknown_and_wrong_kind(personalize):
    cases = [
        (personalize.describe_recipe, "recipeArn", "arn:aws:personalize:::recipe/aws-nothing"),
        (
            personalize.describe_algorithm,
            "algorithmArn",
            "arn:aws:personalize:::algorithm/aws-nothing",
        ),
        (
            personalize.describe_feature_transformation,
            "featureTransformationArn",
            "arn:aws:personalize:::feature-transformation/nothing",
        ),
    ]
    for call, member, arn in cases:
        with pytest.raises(ClientError) as exc:
            call(**{member: arn})
        assert error_of(exc) == ("ResourceNotFoundException", f"Resource Arn {arn} does not exist.")
        with pytest.raises(ClientError) as exc:
            call(**{member: "arn:aws:personalize:::recipe/aws-sims".replace("recipe", "solution")})
        code, message = error_of(exc)
        assert code == "InvalidInputException" and member in message
