"""GetActionRecommendations through boto3 (both doors): a Next-Best-Action campaign."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from runtime_support import Shop, error_of, small_world

TYPES = ("Interactions", "Items", "Actions", "Action_Interactions")


@pytest.fixture
def actions(aws) -> tuple[Shop, str]:
    shop = Shop.build(aws, small_world(actions=True), types=TYPES)
    return shop, shop.deploy("nba", "aws-next-best-action")


def refused(call) -> str:
    with pytest.raises(ClientError) as exc:
        call()
    code, message = error_of(exc)
    assert code == "InvalidInputException", message
    return message


def test_action_recommendations(actions):
    shop, campaign = actions
    w = shop.world
    runtime = shop.runtime
    found = 0
    for k, users in enumerate(w.cluster_users):
        for user in users[:3]:
            answer = runtime.get_action_recommendations(campaignArn=campaign, userId=user)
            assert answer["recommendationId"].startswith("RID-")
            listed = answer["actionList"]
            ids = [a["actionId"] for a in listed]
            assert len(ids) == len(w.actions)  # default 5, but only the unexpired 4 exist
            assert not set(ids) & set(w.expired_actions)  # expired actions are never returned
            scores = [a["score"] for a in listed]
            assert scores == sorted(scores, reverse=True)
            found += ids[0] == w.actions[k]
    assert found >= 0.75 * 3 * len(w.cluster_users), found
    user = w.cluster_users[0][0]
    assert len(runtime.get_action_recommendations(campaignArn=campaign, userId=user,
                                                  numResults=2)["actionList"]) == 2  # fmt: skip
    message = refused(lambda: runtime.get_action_recommendations(
        campaignArn=campaign, userId=user, numResults=101))  # fmt: skip
    assert "100" in message
    message = refused(lambda: runtime.get_recommendations(campaignArn=campaign, userId=user))
    assert "GetActionRecommendations" in message


def test_action_filters(actions):
    shop, campaign = actions
    w = shop.world
    user = w.cluster_users[0][0]
    cheap = shop.filter("cheap", "EXCLUDE ActionID WHERE Actions.VALUE > $MAX")
    answer = shop.runtime.get_action_recommendations(
        campaignArn=campaign, userId=user, filterArn=cheap, filterValues={"MAX": "2"})  # fmt: skip
    assert sorted(a["actionId"] for a in answer["actionList"]) == sorted(w.actions[:2])
    item_filter = shop.filter("items", 'INCLUDE ItemID WHERE Items.GENRE IN ("g0")')
    message = refused(lambda: shop.runtime.get_action_recommendations(
        campaignArn=campaign, userId=user, filterArn=item_filter))  # fmt: skip
    assert "ActionID" in message


def test_other_campaigns_are_refused(shop):
    sims = shop.deploy("sims", "aws-sims")
    message = refused(lambda: shop.runtime.get_action_recommendations(
        campaignArn=sims, userId="u0001"))  # fmt: skip
    assert "PERSONALIZED_ACTIONS" in message
