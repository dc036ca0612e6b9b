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


def test_filters_promotions_and_metadata_are_checked_not_ignored(pipe, sims):
    _, campaign = sims
    filter_arn = campaign.replace(":campaign/related", ":filter/no-seen")
    for kwargs, fragment in (
        ({"filterArn": filter_arn}, f"filter {filter_arn} does not exist"),
        (
            {"promotions": [{"name": "p", "percentPromotedItems": 10, "filterArn": filter_arn}]},
            f"filter {filter_arn} does not exist",
        ),
        ({"metadataColumns": {"ITEMS": ["GENRE"]}}, "enableMetadataWithRecommendations"),
    ):
        message = refused(
            lambda kw=kwargs: pipe.runtime.get_recommendations(
                campaignArn=campaign, itemId="i0_1", **kw
            )
        )
        assert fragment in message, message


def _walk(w, user: str) -> list[str]:
    """The chain items ``user`` interacted with, in time order."""
    frame = w.data.interactions
    history = frame[frame["USER_ID"] == user].sort_values("TIMESTAMP")
    return [item for item in history["ITEM_ID"] if item in w.item_cluster]


SAMPLE_USERS = 5  # per cluster


@pytest.mark.slow
def test_user_personalization_follows_the_chains(pipe):
    w = world()
    pipe.load(w.data.interactions)
    version = pipe.version(pipe.solution("up", "aws-user-personalization-v2"))
    assert version["status"] == "ACTIVE", version
    campaign = pipe.campaign("up", version["solutionVersionArn"])["campaignArn"]
    users = [u for cluster in w.cluster_users for u in cluster[:SAMPLE_USERS]]
    found = 0
    for user in users:
        answer = pipe.runtime.get_recommendations(campaignArn=campaign, userId=user, numResults=10)
        items = [entry["itemId"] for entry in answer["itemList"]]
        scores = [entry["score"] for entry in answer["itemList"]]
        assert scores == sorted(scores, reverse=True) and 0 < sum(scores) <= 1.0
        found += w.successor(_walk(w, user)[-1]) in items
    # the planted next step of each user's chain is what a sequence model must find
    assert found >= 0.8 * len(users), (found, len(users))
    cold = pipe.runtime.get_recommendations(campaignArn=campaign, userId="new-user", numResults=3)
    assert {entry["itemId"] for entry in cold["itemList"]} == set(w.popular_items)


@pytest.mark.slow
def test_personalized_ranking(pipe):
    w = world()
    pipe.load(w.data.interactions)
    version = pipe.version(pipe.solution("rank", "aws-personalized-ranking-v2"))
    assert version["status"] == "ACTIVE", version
    campaign = pipe.campaign("rank", version["solutionVersionArn"])["campaignArn"]
    users = [u for cluster in w.cluster_users for u in cluster[:SAMPLE_USERS]]
    ahead = 0
    for user in users:
        k = w.user_cluster[user]
        walked = set(_walk(w, user))
        unseen = [i for i in w.cluster_items[k] if i not in walked]  # where the chain goes next
        others = [w.cluster_items[(k + j) % len(w.cluster_items)][0] for j in (1, 2, 3, 4)]
        answer = pipe.runtime.get_personalized_ranking(
            campaignArn=campaign,
            userId=user,
            inputList=others[:2] + ["unknown-x"] + unseen + others[2:],
        )
        ranked = answer["personalizedRanking"]
        assert answer["recommendationId"].startswith("RID-")
        assert ranked[-1] == {"itemId": "unknown-x"}  # unknown items last, without a score
        scores = [entry["score"] for entry in ranked[:-1]]
        assert scores == sorted(scores, reverse=True) and sum(scores) == pytest.approx(1.0)
        ahead += {entry["itemId"] for entry in ranked[: len(unseen)]} == set(unseen)
    assert ahead >= 0.5 * len(users), (ahead, len(users))
    message = refused(lambda: pipe.recommend(campaign, userId=users[0]))
    assert "GetPersonalizedRanking" in message
