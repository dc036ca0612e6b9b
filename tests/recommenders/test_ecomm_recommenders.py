"""ECOMMERCE recommenders through boto3 on both doors: purchased items are excluded (imported
and put in real time), and use cases whose event type is too rare fail with the reason."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError
from recommender_support import Domain, ecomm_world, error_of, events_of

SHOP = "ECOMMERCE"


@pytest.fixture
def shop(aws):
    domain = Domain.open(aws)
    world = ecomm_world()
    domain.load("shop", SHOP, world)
    return domain, world


def _buyer(world, cluster: int) -> tuple[str, set[str]]:
    """A user of ``cluster`` who bought at least two items of its chain besides the first."""
    chain = world.cluster_items[cluster]
    for user in world.cluster_users[cluster]:
        bought = (events_of(world, user, "Purchase") & set(chain)) - {chain[0]}
        if len(bought) >= 2:
            return user, bought
    raise AssertionError("the planted world has no buyer in this cluster")


def test_customers_who_viewed_x_excludes_purchases(shop, aws):
    domain, world = shop
    described = domain.recommender("viewed", "aws-ecomm-customers-who-viewed-x-also-viewed")
    assert described["status"] == "ACTIVE", described
    arn = described["recommenderArn"]
    chain = world.cluster_items[0]
    buyer, bought = _buyer(world, 0)
    stranger = world.cluster_users[2][0]

    mine = domain.recommend(arn, userId=buyer, itemId=chain[0])
    theirs = domain.recommend(arn, userId=stranger, itemId=chain[0])
    assert not set(mine) & bought
    assert bought <= set(theirs)
    assert set(theirs[:9]) == set(chain[1:])

    # a purchase sent in real time is excluded at once, without retraining
    fresh = next(i for i in theirs[:9] if i not in bought and i in mine)
    tracker = domain.personalize.create_event_tracker(name="shop-tracker",
                                                      datasetGroupArn=domain.group)  # fmt: skip
    aws.client("personalize-events").put_events(
        trackingId=tracker["trackingId"], userId=buyer, sessionId="s-1",
        eventList=[{"eventType": "Purchase", "itemId": fresh,
                    "sentAt": datetime(2021, 1, 1, tzinfo=timezone.utc)}],
    )  # fmt: skip
    after = domain.recommend(arn, userId=buyer, itemId=chain[0])
    assert fresh not in after and not set(after) & bought


def test_best_sellers_need_a_thousand_purchases(shop):
    domain, world = shop
    purchases = int((world.data.interactions["EVENT_TYPE"] == "Purchase").sum())
    assert purchases < 1000
    for name, recipe in (("best", "aws-ecomm-popular-items-by-purchases"),
                         ("together", "aws-ecomm-frequently-bought-together")):  # fmt: skip
        failed = domain.recommender(name, recipe)
        assert failed["status"] == "CREATE FAILED"
        reason = failed["failureReason"]
        assert "Purchase" in reason and str(purchases) in reason, reason

    views = domain.recommender("views", "aws-ecomm-popular-items-by-views")
    assert views["status"] == "ACTIVE"
    items = domain.recommend(views["recommenderArn"], userId="u0005", numResults=3)
    assert set(items) == set(world.popular_items)


def test_at_most_five_recommenders_per_group(shop):
    domain, world = shop
    for k in range(5):
        domain.personalize.create_recommender(
            name=f"views-{k}", datasetGroupArn=domain.group,
            recipeArn="arn:aws:personalize:::recipe/aws-ecomm-popular-items-by-views",
        )  # fmt: skip
    with pytest.raises(ClientError) as limit:
        domain.personalize.create_recommender(
            name="views-5", datasetGroupArn=domain.group,
            recipeArn="arn:aws:personalize:::recipe/aws-ecomm-popular-items-by-views",
        )  # fmt: skip
    assert error_of(limit)[0] == "LimitExceededException"
    listed = domain.personalize.list_recommenders(datasetGroupArn=domain.group, maxResults=2)
    assert len(listed["recommenders"]) == 2 and listed["nextToken"]
