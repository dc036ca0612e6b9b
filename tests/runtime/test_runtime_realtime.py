"""Real time through boto3: PutEvents moves the next recommendations without retraining."""

from __future__ import annotations

import pytest
from runtime_support import Shop, small_world


def _count(items: list[str], wanted: list[str]) -> int:
    return sum(item in wanted for item in items)


def _check_realtime(shop: Shop, campaign: str) -> None:
    w = shop.world
    user = w.cluster_users[0][0]
    target = w.cluster_items[2]
    before = shop.recommend(campaign, userId=user, numResults=10)
    shop.put("s-1", target[:4], user=user)
    after = shop.recommend(campaign, userId=user, numResults=10)
    assert _count(after, target) > _count(before, target), (before, after)

    # an anonymous session: its sessionId stands for the user
    anonymous = "anon-7"
    cold = shop.recommend(campaign, userId=anonymous, numResults=10)
    shop.put(anonymous, w.cluster_items[3][:4])
    warm = shop.recommend(campaign, userId=anonymous, numResults=10)
    assert _count(warm, w.cluster_items[3]) > _count(cold, w.cluster_items[3]), (cold, warm)

    # another user is not affected by these events
    other = w.cluster_users[1][0]
    assert shop.recommend(campaign, userId=other, numResults=10) == shop.recommend(
        campaign, userId=other, numResults=10
    )


def test_put_events_move_user_personalization_at_once(aws):
    """aws-user-personalization (HRNN): the fastest session-aware recipe on tiny data."""
    shop = Shop.build(aws, small_world())
    campaign = shop.deploy("up", "aws-user-personalization")
    _check_realtime(shop, campaign)
    # events put after training also reach interaction filters at once
    seen = shop.filter("no-clicked", 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")')
    user = shop.world.cluster_users[0][0]
    answer = shop.recommend(campaign, userId=user, numResults=10, filterArn=seen)
    assert not set(answer) & set(shop.world.cluster_items[2][:4])
    assert len(answer) == 10


def test_sims_ignores_events_until_retrained(aws):
    shop = Shop.build(aws, small_world())
    campaign = shop.deploy("sims", "aws-sims")
    item = shop.world.cluster_items[0][0]
    before = shop.recommend(campaign, itemId=item, numResults=10)
    shop.put("s-2", shop.world.cluster_items[2][:4], user=shop.world.cluster_users[0][0])
    assert shop.recommend(campaign, itemId=item, userId=shop.world.cluster_users[0][0],
                          numResults=10) == before  # fmt: skip


@pytest.mark.slow
def test_put_events_move_user_personalization_v2_at_once(aws):
    shop = Shop.build(aws, small_world())
    _check_realtime(shop, shop.deploy("up2", "aws-user-personalization-v2"))


@pytest.mark.slow
def test_personalized_ranking_follows_events_and_filters(aws):
    shop = Shop.build(aws, small_world())
    w = shop.world
    campaign = shop.deploy("rank", "aws-personalized-ranking")
    user = w.cluster_users[0][0]
    target = w.cluster_items[2]
    candidates = w.cluster_items[1][:4] + target[4:8]

    def ranked(**kwargs) -> list[str]:
        out = shop.runtime.get_personalized_ranking(campaignArn=campaign, userId=user,
                                                    inputList=candidates, **kwargs)  # fmt: skip
        return [entry["itemId"] for entry in out["personalizedRanking"]]

    before = ranked()
    shop.put("s-3", target[:4], user=user)
    after = ranked()
    assert _count(after[:4], target) > _count(before[:4], target), (before, after)
    genre = shop.filter("g1", f'EXCLUDE ItemID WHERE Items.GENRE IN ("{w.genres[1]}")')
    filtered = ranked(filterArn=genre)
    assert filtered == [i for i in after if i not in w.cluster_items[1]]
