"""Both doors serve a GA control-plane call and a runtime call end to end."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

RECIPE = "arn:aws:personalize:::recipe/aws-test-recipe"
CAMPAIGN = "arn:aws:personalize:us-east-1:123456789012:campaign/c"


def test_ga_and_runtime_calls(aws, temp_handlers):
    seen = []

    def list_recipes(store, **params):
        seen.append((store.account_id, store.region, params))
        return {"recipes": [{"name": "aws-test-recipe", "recipeArn": RECIPE, "status": "ACTIVE"}]}

    def get_recommendations(store, **params):
        seen.append((store.account_id, store.region, params))
        return {"itemList": [{"itemId": "i1", "score": 0.25}], "recommendationId": "rid"}

    temp_handlers("personalize", "ListRecipes", list_recipes)
    temp_handlers("personalize-runtime", "GetRecommendations", get_recommendations)

    out = aws.client("personalize", region_name="eu-west-1").list_recipes(recipeProvider="SERVICE")
    assert out["recipes"][0]["recipeArn"] == RECIPE
    recs = aws.client("personalize-runtime").get_recommendations(
        campaignArn=CAMPAIGN, userId="u1", numResults=5
    )
    assert recs["itemList"] == [{"itemId": "i1", "score": 0.25}]
    assert seen == [
        ("123456789012", "eu-west-1", {"recipeProvider": "SERVICE"}),
        ("123456789012", "us-east-1", {"campaignArn": CAMPAIGN, "userId": "u1", "numResults": 5}),
    ]


def test_validation_error_is_aws_shaped(aws):
    with pytest.raises(ClientError) as info:
        aws.client("personalize-runtime").get_recommendations(
            campaignArn=CAMPAIGN, userId="u" * 257
        )
    err = info.value.response
    assert err["Error"]["Code"] == "InvalidInputException"
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err["Error"]["Message"] == (
        f"1 validation error detected: Value '{'u' * 257}' at 'userId' failed to satisfy "
        "constraint: Member must have length less than or equal to 256"
    )
