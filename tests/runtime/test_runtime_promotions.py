"""Promotions, metadata columns, context and reasons through GetRecommendations (both doors)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from runtime_support import Shop, error_of

METADATA = {"enableMetadataWithRecommendations": True}


def refused(call) -> str:
    with pytest.raises(ClientError) as exc:
        call()
    code, message = error_of(exc)
    assert code == "InvalidInputException", message
    return message


def test_promotion_places_promoted_items_in_their_order(shop: Shop):
    w = shop.world
    campaign = shop.deploy("pop", "aws-popularity-count")
    user = w.cluster_users[0][0]
    g3 = w.genres[3]
    promote = shop.filter("g3", f'INCLUDE ItemID WHERE Items.GENRE IN ("{g3}")')
    not_g3 = shop.filter("not-g3", f'EXCLUDE ItemID WHERE Items.GENRE IN ("{g3}")')
    full = shop.recommend(campaign, userId=user, numResults=40)
    promotion = {"name": "summer-sale", "percentPromotedItems": 30, "filterArn": promote}

    def ask(**kwargs):
        return shop.runtime.get_recommendations(campaignArn=campaign, userId=user, numResults=10,
                                                promotions=[promotion], **kwargs)["itemList"]  # fmt: skip

    answer = ask(filterArn=not_g3)
    promoted = [e["itemId"] for e in answer if "promotionName" in e]
    others = [e["itemId"] for e in answer if "promotionName" not in e]
    assert len(answer) == 10 and len(promoted) == 3  # 30 % of 10 slots
    assert {e["promotionName"] for e in answer if "promotionName" in e} == {"summer-sale"}
    # the request filter applies only to the others, the promotion's only to the promoted
    assert promoted == [i for i in full if i in w.cluster_items[3]][:3]
    assert others == [i for i in full if i not in w.cluster_items[3]][:7]
    assert ask(filterArn=not_g3) == answer  # positions are drawn deterministically
    # too few matching items: as many as match are promoted
    two = shop.filter("two", f'INCLUDE ItemID WHERE Items.ITEM_ID IN ("{w.cluster_items[1][0]}",'
                      f' "{w.cluster_items[1][1]}")')  # fmt: skip
    promotion = {"name": "pair", "percentPromotedItems": 100, "filterArn": two}
    answer = ask()
    assert sorted(e["itemId"] for e in answer if e.get("promotionName") == "pair") == sorted(
        w.cluster_items[1][:2]
    )
    assert len(answer) == 10


def test_promotion_parameters_and_checks(shop: Shop):
    w = shop.world
    campaign = shop.deploy("pop", "aws-popularity-count")
    user = w.cluster_users[0][0]
    by_genre = shop.filter("by-genre", "INCLUDE ItemID WHERE Items.GENRE IN ($G)")
    promotion = {"name": "p", "percentPromotedItems": 50, "filterArn": by_genre,
                 "filterValues": {"G": f'"{w.genres[2]}"'}}  # fmt: skip
    answer = shop.runtime.get_recommendations(campaignArn=campaign, userId=user, numResults=4,
                                              promotions=[promotion])["itemList"]  # fmt: skip
    assert [e["itemId"] in w.cluster_items[2] for e in answer].count(True) >= 2
    assert all(e["itemId"] in w.cluster_items[2] for e in answer if "promotionName" in e)
    del promotion["filterValues"]
    message = refused(lambda: shop.runtime.get_recommendations(
        campaignArn=campaign, userId=user, promotions=[promotion]))  # fmt: skip
    assert "G" in message


def test_metadata_columns(shop: Shop):
    w = shop.world
    plain = shop.deploy("plain", "aws-popularity-count")
    user = w.cluster_users[0][0]
    columns = {"ITEMS": ["GENRE", "PRICE", "STOCK"]}
    message = refused(lambda: shop.runtime.get_recommendations(
        campaignArn=plain, userId=user, metadataColumns=columns))  # fmt: skip
    assert "enableMetadataWithRecommendations" in message
    campaign = shop.personalize.create_campaign(
        name="meta", solutionVersionArn=shop.personalize.describe_campaign(
            campaignArn=plain)["campaign"]["solutionVersionArn"],
        campaignConfig=METADATA)["campaignArn"]  # fmt: skip
    answer = shop.runtime.get_recommendations(campaignArn=campaign, userId=user, numResults=40,
                                              metadataColumns=columns)["itemList"]  # fmt: skip
    assert len(answer) == 35  # the whole catalogue
    for entry in answer:
        item = entry["itemId"]
        if item in w.popular_items:
            assert entry["metadata"] == {"GENRE": "popular", "PRICE": "1"}  # STOCK is null
        else:
            k = w.item_cluster[item]
            assert entry["metadata"] == {"GENRE": w.genres[k], "PRICE": f"{k + 0.5}",
                                         "STOCK": str(10 * k)}  # fmt: skip
    assert "metadata" not in shop.runtime.get_recommendations(
        campaignArn=campaign, userId=user)["itemList"][0]  # fmt: skip
    message = refused(lambda: shop.runtime.get_recommendations(
        campaignArn=campaign, userId=user, metadataColumns={"ITEMS": ["COLOR"]}))  # fmt: skip
    assert "COLOR" in message
    message = refused(lambda: shop.runtime.get_recommendations(
        campaignArn=campaign, userId=user, numResults=51, metadataColumns=columns))  # fmt: skip
    assert "numResults" in message and "50" in message
    message = refused(lambda: shop.runtime.get_recommendations(
        campaignArn=campaign, userId=user, metadataColumns={"USERS": ["AGE"]}))  # fmt: skip
    assert "ITEMS" in message
