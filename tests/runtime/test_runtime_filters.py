"""Filters through the runtime (boto3, both doors): every clause form, filling up to N, and the
checks a filter must pass."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from runtime_support import Shop, error_of


@pytest.fixture
def popular(shop: Shop) -> str:
    return shop.deploy("pop", "aws-popularity-count")


def refused(call) -> str:
    with pytest.raises(ClientError) as exc:
        call()
    code, message = error_of(exc)
    assert code == "InvalidInputException", message
    return message


def test_items_field_include_and_exclude_fill_up_to_n(shop, popular):
    w = shop.world
    user = w.cluster_users[0][0]
    unfiltered = shop.recommend(popular, userId=user, numResults=20)
    only_g1 = shop.filter("g1", f'INCLUDE ItemID WHERE Items.GENRE IN ("{w.genres[1]}")')
    answer = shop.recommend(popular, userId=user, numResults=5, filterArn=only_g1)
    assert len(answer) == 5 and set(answer) <= set(w.cluster_items[1])
    no_popular = shop.filter("no-pop", 'EXCLUDE ItemID WHERE Items.GENRE IN ("popular")')
    answer = shop.recommend(popular, userId=user, numResults=10, filterArn=no_popular)
    # the next-best candidates fill the places of the removed ones, in the model's order
    assert answer == [i for i in unfiltered if i not in w.popular_items][:10]


def test_parameters(shop, popular):
    w = shop.world
    user = w.cluster_users[0][0]
    genres = shop.filter("genres", "INCLUDE ItemID WHERE Items.GENRE IN ($GENRES)")
    answer = shop.recommend(popular, userId=user, numResults=30, filterArn=genres,
                            filterValues={"GENRES": f'"{w.genres[2]}","{w.genres[3]}"'})  # fmt: skip
    assert sorted(answer) == sorted(w.cluster_items[2] + w.cluster_items[3])
    message = refused(lambda: shop.recommend(popular, userId=user, filterArn=genres))
    assert "GENRES" in message
    cheap = shop.filter("cheap", "INCLUDE ItemID WHERE Items.PRICE < $MAX")
    answer = shop.recommend(popular, userId=user, numResults=30, filterArn=cheap,
                            filterValues={"MAX": "1.2"})  # fmt: skip
    assert sorted(answer) == sorted(w.cluster_items[0] + w.popular_items)  # 0.5 and 1.0
    # an EXCLUDE expression whose parameter is not given is skipped
    skip = shop.filter("skip", "EXCLUDE ItemID WHERE Items.GENRE IN ($NOT)")
    assert shop.recommend(popular, userId=user, filterArn=skip) == shop.recommend(
        popular, userId=user
    )


def test_interaction_event_types_see_events_just_put(shop, popular):
    w = shop.world
    user = w.cluster_users[0][0]
    history = set(w.data.interactions.loc[w.data.interactions["USER_ID"] == user, "ITEM_ID"])
    unseen = shop.filter("unseen", 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")')
    answer = shop.recommend(popular, userId=user, numResults=30, filterArn=unseen)
    assert answer and not set(answer) & history
    bought = shop.filter("bought", 'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")')
    assert shop.recommend(popular, userId=user, filterArn=bought) == []
    purchases = [w.cluster_items[3][0], w.cluster_items[3][5]]
    shop.put("s-buy", purchases, user=user, event_type="Purchase")  # event types: any case
    assert sorted(shop.recommend(popular, userId=user, filterArn=bought)) == sorted(purchases)
    any_event = shop.filter("touched", "EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"*\")")
    answer = shop.recommend(popular, userId=user, numResults=30, filterArn=any_event)
    assert not set(answer) & (history | set(purchases))


def test_current_item_on_sims(shop):
    w = shop.world
    sims = shop.deploy("sims", "aws-sims")
    same = shop.filter("same-genre", "INCLUDE ItemID WHERE Items.GENRE IN (CurrentItem.GENRE)")
    for k in (0, 2):
        item = w.cluster_items[k][3]
        answer = shop.recommend(sims, itemId=item, numResults=10, filterArn=same)
        assert answer and set(answer) <= set(w.cluster_items[k]) - {item}
    # a filter reading the user's interactions needs a userId, even on SIMS
    unseen = shop.filter("unseen", 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")')
    message = refused(lambda: shop.recommend(sims, itemId=w.cluster_items[0][0],
                                             filterArn=unseen))  # fmt: skip
    assert "userId" in message


def test_filter_checks(aws, shop, popular):
    user = shop.world.cluster_users[0][0]
    other = shop.personalize.create_dataset_group(name="other")["datasetGroupArn"]
    schema = shop.personalize.create_schema(
        name="other-items",
        schema='{"type": "record", "name": "Items", "namespace": "com.amazonaws.personalize.'
        'schema", "fields": [{"name": "ITEM_ID", "type": "string"}, {"name": "GENRE", "type":'
        ' "string", "categorical": true}], "version": "1.0"}',
    )["schemaArn"]
    shop.personalize.create_dataset(name="other-items", schemaArn=schema, datasetGroupArn=other,
                                    datasetType="Items")  # fmt: skip
    foreign = shop.filter("foreign", 'INCLUDE ItemID WHERE Items.GENRE IN ("g0")', group=other)
    message = refused(lambda: shop.recommend(popular, userId=user, filterArn=foreign))
    assert other in message
    missing = foreign.replace("/foreign", "/nothing")
    message = refused(lambda: shop.recommend(popular, userId=user, filterArn=missing))
    assert missing in message and "does not exist" in message
    assert "filterArn" in refused(
        lambda: shop.recommend(popular, userId=user, filterArn=popular)  # not a filter ARN
    )
    # refused requests change nothing: the filter and campaign still answer
    assert len(shop.recommend(popular, userId=user)) == 25
