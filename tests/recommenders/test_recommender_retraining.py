"""Weekly recommender retraining on the emulated clock, through boto3 on both doors: nothing
before 7 days or without new interactions; with new interactions the model (and its metrics)
is replaced in the background while the recommender stays ACTIVE with no visible update; a
stopped recommender is not retrained."""

from __future__ import annotations

from recommender_support import BUCKET, ROLE, Domain

from support import advance

NEW_HIT = "brand-new-hit"


def watch_new_hit(domain: Domain, world) -> None:
    """An INCREMENTAL import: most users watch one item nobody had watched before."""
    users = sorted(set(world.data.interactions["USER_ID"]))[:150]
    start = int(world.data.interactions["TIMESTAMP"].max()) + 60
    lines = ["USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE"]
    lines += [f"{u},{NEW_HIT},{start + k},Watch" for k, u in enumerate(users)]
    key = "videos/more.csv"
    domain.s3.put_object(Bucket=BUCKET, Key=key, Body=("\n".join(lines) + "\n").encode())
    job = domain.personalize.create_dataset_import_job(
        jobName="more", datasetArn=domain.datasets["Interactions"], roleArn=ROLE,
        dataSource={"dataLocation": f"s3://{BUCKET}/{key}"}, importMode="INCREMENTAL",
    )["datasetImportJobArn"]  # fmt: skip
    described = domain.personalize.describe_dataset_import_job(datasetImportJobArn=job)
    assert described["datasetImportJob"]["status"] == "ACTIVE", described


def test_new_interactions_are_learned_at_the_weekly_retraining(aws, vod):
    domain, world = vod
    created = domain.recommender("popular", "aws-vod-most-popular")
    arn = created["recommenderArn"]
    assert NEW_HIT not in domain.recommend(arn, userId="u0001", numResults=5)

    assert advance(aws, days=8) == []  # a week passed, but no new data: nothing to learn
    watch_new_hit(domain, world)
    assert advance(aws, days=5) == []  # new data, but the week since the last training is not up
    assert NEW_HIT not in domain.recommend(arn, userId="u0001", numResults=5)

    assert advance(aws, days=2) == [arn]
    described = domain.describe(arn)
    assert described["status"] == "ACTIVE" and "latestRecommenderUpdate" not in described
    assert described["lastUpdatedDateTime"] == created["lastUpdatedDateTime"]
    assert described["modelMetrics"] and described["modelMetrics"] != created["modelMetrics"]
    assert domain.recommend(arn, userId="u0001", numResults=1) == [NEW_HIT]

    assert advance(aws, days=7) == []  # nothing new since that retraining


def test_a_stopped_recommender_is_not_retrained(aws, vod):
    domain, world = vod
    arn = domain.recommender("popular", "aws-vod-most-popular")["recommenderArn"]
    domain.personalize.stop_recommender(recommenderArn=arn)
    assert domain.describe(arn)["status"] == "INACTIVE"
    watch_new_hit(domain, world)
    assert advance(aws, days=8) == []

    domain.personalize.start_recommender(recommenderArn=arn)
    assert domain.describe(arn)["status"] == "ACTIVE"
    assert advance(aws, days=7) == [arn]  # its next weekly slot, now that it serves again
    assert domain.recommend(arn, userId="u0001", numResults=1) == [NEW_HIT]
