"""VIDEO_ON_DEMAND recommenders through boto3 on both doors: training on the use case's events,
serving by recommenderArn with the use case's exclusions, and the stop / start / update /
delete lifecycle."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from recommender_support import RECIPE, Domain, error_of, events_of, vod_world

VOD = "VIDEO_ON_DEMAND"
METRICS = {
    "coverage",
    "mean_reciprocal_rank_at_25",
    "normalized_discounted_cumulative_gain_at_5",
    "normalized_discounted_cumulative_gain_at_10",
    "normalized_discounted_cumulative_gain_at_25",
    "precision_at_5",
    "precision_at_10",
    "precision_at_25",
}


def test_most_popular_serves_the_planted_hits(vod):
    domain, world = vod
    described = domain.recommender("popular", "aws-vod-most-popular")
    assert described["status"] == "ACTIVE", described
    assert described["recipeArn"] == RECIPE + "aws-vod-most-popular"
    assert described["datasetGroupArn"] == domain.group
    assert described["recommenderConfig"] == {"minRecommendationRequestsPerSecond": 1}
    assert set(described["modelMetrics"]) == METRICS
    assert all(0.0 <= v <= 1.0 for v in described["modelMetrics"].values())
    assert "latestRecommenderUpdate" not in described

    items = domain.recommend(described["recommenderArn"], userId="u0001", numResults=5)
    assert set(items[:3]) == set(world.popular_items)
    # most-popular does not exclude what the user watched: the hits stay on top for everyone
    assert items[:3] == domain.recommend(described["recommenderArn"], userId="u0002")[:3]

    with pytest.raises(ClientError) as missing:
        domain.runtime.get_recommendations(recommenderArn=described["recommenderArn"])
    assert error_of(missing)[0] == "InvalidInputException"
    assert "userId" in error_of(missing)[1]

    listed = domain.personalize.list_recommenders(datasetGroupArn=domain.group)["recommenders"]
    assert [r["recommenderArn"] for r in listed] == [described["recommenderArn"]]
    assert listed[0]["recommenderConfig"] == {"minRecommendationRequestsPerSecond": 1}


def test_because_you_watched_x_excludes_what_the_user_watched(vod):
    domain, world = vod
    arn = domain.recommender("byw", "aws-vod-because-you-watched-x")["recommenderArn"]
    chain = world.cluster_items[0]
    viewer = world.cluster_users[0][0]
    stranger = world.cluster_users[1][0]
    watched = events_of(world, viewer, "Watch") & set(chain)
    assert len(watched - {chain[0]}) >= 2  # the planted walk covers part of the chain

    mine = domain.recommend(arn, userId=viewer, itemId=chain[0])
    theirs = domain.recommend(arn, userId=stranger, itemId=chain[0])
    assert not set(mine) & watched
    assert chain[0] not in mine and chain[0] not in theirs
    # the stranger watched nothing of this chain: the items excluded for the viewer are there
    assert watched - {chain[0]} <= set(theirs)
    assert set(theirs[:9]) == set(chain[1:])

    with pytest.raises(ClientError) as no_item:
        domain.runtime.get_recommendations(recommenderArn=arn, userId=viewer)
    assert error_of(no_item)[0] == "InvalidInputException" and "itemId" in error_of(no_item)[1]


def test_stop_refuses_serving_and_start_brings_it_back(vod):
    domain, world = vod
    arn = domain.recommender("popular", "aws-vod-most-popular")["recommenderArn"]
    p = domain.personalize
    before = domain.recommend(arn, userId="u0001")

    with pytest.raises(ClientError) as active:
        p.start_recommender(recommenderArn=arn)
    assert error_of(active)[0] == "ResourceInUseException"

    assert p.stop_recommender(recommenderArn=arn)["recommenderArn"] == arn
    stopped = domain.describe(arn)
    assert stopped["status"] == "INACTIVE"
    assert set(stopped["modelMetrics"]) == METRICS
    with pytest.raises(ClientError) as refused:
        domain.runtime.get_recommendations(recommenderArn=arn, userId="u0001")
    assert error_of(refused)[0] == "ResourceNotFoundException"
    assert "INACTIVE" in error_of(refused)[1]
    with pytest.raises(ClientError) as again:
        p.stop_recommender(recommenderArn=arn)
    assert error_of(again)[0] == "ResourceInUseException"

    assert p.start_recommender(recommenderArn=arn)["recommenderArn"] == arn
    assert domain.describe(arn)["status"] == "ACTIVE"
    assert domain.recommend(arn, userId="u0001") == before


def test_update_records_the_new_configuration_and_keeps_serving(vod):
    domain, world = vod
    arn = domain.recommender("popular", "aws-vod-most-popular")["recommenderArn"]
    p = domain.personalize
    p.update_recommender(
        recommenderArn=arn, recommenderConfig={"minRecommendationRequestsPerSecond": 3}
    )
    described = domain.describe(arn)
    assert described["status"] == "ACTIVE"
    update = described["latestRecommenderUpdate"]
    assert update["status"] == "ACTIVE"
    assert update["recommenderConfig"] == {"minRecommendationRequestsPerSecond": 3}
    assert described["recommenderConfig"] == {"minRecommendationRequestsPerSecond": 3}
    assert set(domain.recommend(arn, userId="u0001")[:3]) == set(world.popular_items)

    with pytest.raises(ClientError) as bad:
        p.update_recommender(
            recommenderArn=arn,
            recommenderConfig={"itemExplorationConfig": {"explorationWeight": "0.5"}},
        )
    assert error_of(bad)[0] == "InvalidInputException"
    assert "itemExplorationConfig" in error_of(bad)[1]
    assert domain.describe(arn)["latestRecommenderUpdate"]["recommenderConfig"] == {
        "minRecommendationRequestsPerSecond": 3
    }


def test_training_data_config_update_retrains_and_is_applied(vod):
    domain, world = vod
    arn = domain.recommender("popular", "aws-vod-most-popular")["recommenderArn"]
    config = {"trainingDataConfig": {"excludedDatasetColumns": {"Items": ["GENRES"]}}}
    domain.personalize.update_recommender(recommenderArn=arn, recommenderConfig=config)
    described = domain.describe(arn)
    assert described["latestRecommenderUpdate"]["status"] == "ACTIVE"
    assert described["recommenderConfig"]["trainingDataConfig"] == config["trainingDataConfig"]
    assert set(described["modelMetrics"]) == METRICS
    assert set(domain.recommend(arn, userId="u0001")[:3]) == set(world.popular_items)


def test_wrong_recipes_and_groups_are_rejected(vod, aws):
    domain, world = vod
    p = domain.personalize
    cases = [
        ("aws-ecomm-popular-items-by-views", "ECOMMERCE use case"),
        ("aws-sims", "custom recipe"),
        ("aws-vod-most-popular-ish", None),
    ]
    for recipe, fragment in cases:
        with pytest.raises(ClientError) as refused:
            p.create_recommender(name="wrong", datasetGroupArn=domain.group,
                                 recipeArn=RECIPE + recipe)  # fmt: skip
        code, message = error_of(refused)
        if fragment is None:
            assert code == "ResourceNotFoundException"
        else:
            assert code == "InvalidInputException" and fragment in message, message
    with pytest.raises(ClientError) as explore:
        p.create_recommender(
            name="wrong", datasetGroupArn=domain.group, recipeArn=RECIPE + "aws-vod-most-popular",
            recommenderConfig={"itemExplorationConfig": {"explorationWeight": "0.1"}},
        )  # fmt: skip
    assert error_of(explore)[0] == "InvalidInputException"

    custom = p.create_dataset_group(name="custom")["datasetGroupArn"]
    with pytest.raises(ClientError) as not_domain:
        p.create_recommender(name="wrong", datasetGroupArn=custom,
                             recipeArn=RECIPE + "aws-vod-most-popular")  # fmt: skip
    code, message = error_of(not_domain)
    assert code == "InvalidInputException" and "Domain dataset group" in message
    assert p.list_recommenders()["recommenders"] == []

    p.create_recommender(name="dup", datasetGroupArn=domain.group,
                         recipeArn=RECIPE + "aws-vod-most-popular")  # fmt: skip
    with pytest.raises(ClientError) as dup:
        p.create_recommender(name="dup", datasetGroupArn=domain.group,
                             recipeArn=RECIPE + "aws-vod-most-popular")  # fmt: skip
    assert error_of(dup)[0] == "ResourceAlreadyExistsException"


def test_too_few_watch_events_fail_the_creation_with_a_reason(aws):
    domain = Domain.open(aws)
    world = vod_world(event_types=("Click", "Click", "Watch"), n_users=150)
    domain.load("clicks", VOD, world, items=False)
    watches = int((world.data.interactions["EVENT_TYPE"] == "Watch").sum())
    assert watches < 1000 < len(world.data.interactions)

    failed = domain.recommender("popular", "aws-vod-most-popular")
    assert failed["status"] == "CREATE FAILED"
    assert "Watch" in failed["failureReason"] and str(watches) in failed["failureReason"]
    assert "modelMetrics" not in failed
    with pytest.raises(ClientError) as refused:
        domain.runtime.get_recommendations(recommenderArn=failed["recommenderArn"], userId="u1")
    assert error_of(refused)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as not_active:
        domain.personalize.stop_recommender(recommenderArn=failed["recommenderArn"])
    assert error_of(not_active)[0] == "ResourceInUseException"

    # trending-now trains on every event type: the same data is enough for it
    assert domain.recommender("trending", "aws-vod-trending-now")["status"] == "ACTIVE"


def test_delete_removes_the_recommender(vod):
    domain, world = vod
    arn = domain.recommender("popular", "aws-vod-most-popular")["recommenderArn"]
    p = domain.personalize
    with pytest.raises(ClientError) as busy:
        p.delete_dataset_group(datasetGroupArn=domain.group)
    assert error_of(busy)[0] == "ResourceInUseException"
    p.delete_recommender(recommenderArn=arn)
    with pytest.raises(ClientError) as gone:
        domain.describe(arn)
    assert error_of(gone)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as not_served:
        domain.runtime.get_recommendations(recommenderArn=arn, userId="u0001")
    assert error_of(not_served)[0] == "ResourceNotFoundException"


@pytest.mark.slow
def test_top_picks_excludes_watched_and_takes_exploration(vod):
    domain, world = vod
    config = {"itemExplorationConfig": {"explorationWeight": "0.0",
                                        "explorationItemAgeCutOff": "30"}}  # fmt: skip
    described = domain.recommender("picks", "aws-vod-top-picks", recommenderConfig=config)
    assert described["status"] == "ACTIVE", described
    arn = described["recommenderArn"]
    for cluster, users in enumerate(world.cluster_users[:3]):
        user = users[0]
        items = domain.recommend(arn, userId=user, numResults=10)
        assert not set(items) & events_of(world, user, "Watch")
        chain = set(world.cluster_items[cluster])
        assert set(items[:3]) & (chain | set(world.popular_items)), (cluster, items)


def test_statuses_held_in_async_mode_refuse_what_they_must(vod):
    from personalize_emulator import config

    domain, world = vod
    p = domain.personalize
    active = domain.recommender("popular", "aws-vod-most-popular")["recommenderArn"]
    with config.override(job_mode="async", min_state_seconds=600):
        creating = p.create_recommender(
            name="later", datasetGroupArn=domain.group, recipeArn=RECIPE + "aws-vod-most-popular"
        )["recommenderArn"]
        pending = domain.describe(creating)
        assert pending["status"] == "CREATE PENDING" and "modelMetrics" not in pending
        for call in (p.stop_recommender, p.delete_recommender, p.start_recommender):
            with pytest.raises(ClientError) as busy:
                call(recommenderArn=creating)
            assert error_of(busy)[0] == "ResourceInUseException"
        with pytest.raises(ClientError) as not_yet:
            domain.runtime.get_recommendations(recommenderArn=creating, userId="u0001")
        assert error_of(not_yet)[0] == "ResourceNotFoundException"

        # an update in progress: the recommender stays ACTIVE on its old configuration
        p.update_recommender(recommenderArn=active,
                             recommenderConfig={"minRecommendationRequestsPerSecond": 9})  # fmt: skip
        updating = domain.describe(active)
        assert updating["status"] == "ACTIVE"
        assert updating["latestRecommenderUpdate"]["status"] == "CREATE PENDING"
        assert updating["recommenderConfig"] == {"minRecommendationRequestsPerSecond": 1}
        assert set(domain.recommend(active, userId="u0001")[:3]) == set(world.popular_items)
        for call, kwargs in ((p.stop_recommender, {}), (p.delete_recommender, {}),
                             (p.update_recommender, {"recommenderConfig": {}})):  # fmt: skip
            with pytest.raises(ClientError) as busy:
                call(recommenderArn=active, **kwargs)
            assert error_of(busy)[0] == "ResourceInUseException"


def test_stop_pending_refuses_serving_and_start(vod):
    from personalize_emulator import config

    domain, world = vod
    p = domain.personalize
    arn = domain.recommender("popular", "aws-vod-most-popular")["recommenderArn"]
    with config.override(job_mode="async", min_state_seconds=600):
        p.stop_recommender(recommenderArn=arn)
        assert domain.describe(arn)["status"] == "STOP PENDING"
        with pytest.raises(ClientError) as stopping:
            domain.runtime.get_recommendations(recommenderArn=arn, userId="u0001")
        assert error_of(stopping)[0] == "ResourceNotFoundException"
        with pytest.raises(ClientError) as busy:
            p.start_recommender(recommenderArn=arn)
        assert error_of(busy)[0] == "ResourceInUseException"
