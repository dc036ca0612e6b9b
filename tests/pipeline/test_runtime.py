"""personalize-runtime through boto3: request rules, fallbacks, and the sequence recipes on
planted data (slow)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from pipeline_support import error_of, world


@pytest.fixture
def sims(pipe):
    w = world()
    pipe.load(w.data.interactions)
    version = pipe.version(pipe.solution("sims", "aws-sims"))["solutionVersionArn"]
    return w, pipe.campaign("related", version)["campaignArn"]


def refused(call, code="InvalidInputException") -> str:
    with pytest.raises(ClientError) as exc:
        call()
    got, message = error_of(exc)
    assert got == code, message
    return message


def test_num_results(pipe, sims):
    w, campaign = sims
    item = w.cluster_items[0][0]
    assert len(pipe.recommend(campaign, itemId=item)) == 25
    assert pipe.recommend(campaign, itemId=item, numResults=0) == []
    message = refused(lambda: pipe.recommend(campaign, itemId=item, numResults=501))
    assert "numResults" in message and "500" in message


def test_ids_the_recipe_needs(pipe, sims):
    w, campaign = sims
    runtime = pipe.runtime
    message = refused(lambda: runtime.get_recommendations(campaignArn=campaign, userId="u0001"))
    assert "itemId" in message and "RELATED_ITEMS" in message
    message = refused(
        lambda: runtime.get_personalized_ranking(
            campaignArn=campaign, userId="u0001", inputList=["i0_1"]
        )
    )
    assert "PERSONALIZED_RANKING" in message and "aws-sims" in message


def test_unknown_item_gets_popular_items(pipe, sims):
    w, campaign = sims
    items = pipe.recommend(campaign, itemId="never-seen", numResults=3)
    assert set(items) == set(w.popular_items)


def test_deployment_arns(pipe, sims):
    _, campaign = sims
    runtime = pipe.runtime
    recommender = campaign.replace(":campaign/", ":recommender/")
    assert "exactly one" in refused(lambda: runtime.get_recommendations(itemId="i0_1"))
    assert "exactly one" in refused(
        lambda: runtime.get_recommendations(
            campaignArn=campaign, recommenderArn=recommender, itemId="i0_1"
        )
    )
    assert "campaignArn" in refused(
        lambda: runtime.get_recommendations(campaignArn=recommender, itemId="i0_1")
    )
    missing = campaign + "-gone"
    message = refused(
        lambda: runtime.get_recommendations(campaignArn=missing, itemId="i0_1"),
        "ResourceNotFoundException",
    )
    assert message == f"Resource Arn {missing} does not exist."


def test_filters_and_promotions_are_not_silently_ignored(pipe, sims):
    _, campaign = sims
    filter_arn = campaign.replace(":campaign/related", ":filter/no-seen")
    for kwargs in (
        {"filterArn": filter_arn},
        {"promotions": [{"name": "p", "percentPromotedItems": 10, "filterArn": filter_arn}]},
        {"metadataColumns": {"ITEMS": ["GENRE"]}},
    ):
        message = refused(
            lambda kw=kwargs: pipe.runtime.get_recommendations(
                campaignArn=campaign, itemId="i0_1", **kw
            )
        )
        assert "not supported" in message


@pytest.mark.slow
def test_user_personalization_follows_the_chains(pipe):
    w = world()
    pipe.load(w.data.interactions)
    version = pipe.version(pipe.solution("up", "aws-user-personalization-v2"))
    assert version["status"] == "ACTIVE", version
    campaign = pipe.campaign("up", version["solutionVersionArn"])["campaignArn"]
    runtime = pipe.runtime
    in_cluster = 0
    users = [cluster[0] for cluster in w.cluster_users]
    for user in users:
        answer = runtime.get_recommendations(campaignArn=campaign, userId=user, numResults=10)
        items = [entry["itemId"] for entry in answer["itemList"]]
        scores = [entry["score"] for entry in answer["itemList"]]
        assert scores == sorted(scores, reverse=True) and 0 < sum(scores) <= 1.0
        own = set(w.cluster_items[w.user_cluster[user]])
        in_cluster += sum(item in own for item in items)
    # most of what a user is shown comes from their own cluster (plus the popular items)
    assert in_cluster >= 0.5 * 10 * len(users)
    cold = runtime.get_recommendations(campaignArn=campaign, userId="new-user", numResults=3)
    assert {entry["itemId"] for entry in cold["itemList"]} == set(w.popular_items)


@pytest.mark.slow
def test_personalized_ranking(pipe):
    w = world()
    pipe.load(w.data.interactions)
    version = pipe.version(pipe.solution("rank", "aws-personalized-ranking-v2"))
    assert version["status"] == "ACTIVE", version
    campaign = pipe.campaign("rank", version["solutionVersionArn"])["campaignArn"]
    user = w.cluster_users[2][0]
    own = w.cluster_items[2][:4]
    others = [w.cluster_items[k][0] for k in (0, 1, 3, 4)]
    answer = pipe.runtime.get_personalized_ranking(
        campaignArn=campaign, userId=user, inputList=others[:2] + ["unknown-x"] + own + others[2:]
    )
    ranked = answer["personalizedRanking"]
    assert [entry["itemId"] for entry in ranked][-1] == "unknown-x"
    assert "score" not in ranked[-1] and all("score" in entry for entry in ranked[:-1])
    assert set(entry["itemId"] for entry in ranked[:4]) == set(own)
    assert answer["recommendationId"].startswith("RID-")
    message = refused(lambda: pipe.recommend(campaign, userId=user))
    assert "GetPersonalizedRanking" in message
