"""Campaigns through boto3: what CreateCampaign accepts, $LATEST and sync, updates that keep
the old model serving until ACTIVE, deletes."""

from __future__ import annotations

import pandas as pd
import pytest
from botocore.exceptions import ClientError
from pipeline_support import error_of, interactions_csv, wait_until, world

from personalize_emulator import config


def _popular_then(pipe, w):
    """Group loaded with ``w``; a popularity solution and its first ACTIVE version."""
    pipe.load(w.data.interactions)
    solution = pipe.solution("pop", "aws-popularity-count")
    return solution, pipe.version(solution)["solutionVersionArn"]


def _reimport(pipe, frame: pd.DataFrame, name: str) -> None:
    job = pipe.import_job(name, pipe.upload(f"{name}.csv", interactions_csv(frame)))
    assert job["status"] == "ACTIVE", job


def _other_popular(w) -> tuple[pd.DataFrame, list[str]]:
    """The same interactions, but every user also touches three new hits."""
    frame = w.data.interactions
    hits = ["hitA", "hitB", "hitC"]
    extra = pd.DataFrame(
        [(u, h, int(frame["TIMESTAMP"].max()), "click", 1.0) for u in w.user_cluster for h in hits],
        columns=["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE"],
    )
    return pd.concat([frame, extra], ignore_index=True), hits


def test_wrong_kind_missing_and_inactive_versions_are_refused(pipe):
    w = world()
    solution, version = _popular_then(pipe, w)
    p = pipe.personalize
    with pytest.raises(ClientError) as exc:
        p.create_campaign(name="c", solutionVersionArn=solution)
    code, message = error_of(exc)
    assert code == "InvalidInputException" and "solutionVersionArn" in message
    with pytest.raises(ClientError) as exc:
        p.create_campaign(name="c", solutionVersionArn=pipe.group)
    assert error_of(exc)[0] == "InvalidInputException"
    gone = solution + "/0000beef"
    with pytest.raises(ClientError) as exc:
        p.create_campaign(name="c", solutionVersionArn=gone)
    assert error_of(exc) == ("ResourceNotFoundException", f"Resource Arn {gone} does not exist.")
    with config.override(job_mode="async", min_state_seconds=60):
        pending = p.create_solution_version(solutionArn=solution)["solutionVersionArn"]
        with pytest.raises(ClientError) as exc:
            p.create_campaign(name="c", solutionVersionArn=pending)
        code, message = error_of(exc)
        assert code == "ResourceInUseException" and "ACTIVE" in message
        p.stop_solution_version_creation(solutionVersionArn=pending)
    with pytest.raises(ClientError) as exc:
        p.create_campaign(name="c", solutionVersionArn=pending)
    assert error_of(exc)[0] == "ResourceInUseException"
    assert p.list_campaigns()["campaigns"] == []
    pipe.campaign("c", version)
    with pytest.raises(ClientError) as exc:
        p.create_campaign(name="c", solutionVersionArn=version)
    assert error_of(exc)[0] == "ResourceAlreadyExistsException"


def test_configuration_is_checked_against_the_recipe(pipe):
    _, version = _popular_then(pipe, world())
    p = pipe.personalize
    for campaign_config, words in (
        ({"itemExplorationConfig": {"explorationWeight": "0.5"}}, "does not explore"),
        ({"rankingInfluence": {"POPULARITY": 0.5}}, "aws-semantic-similarity"),
        ({"syncWithLatestSolutionVersion": True}, "$LATEST"),
    ):
        with pytest.raises(ClientError) as exc:
            p.create_campaign(name="c", solutionVersionArn=version, campaignConfig=campaign_config)
        code, message = error_of(exc)
        assert code == "InvalidInputException" and words in message, message
    assert p.list_campaigns()["campaigns"] == []


def test_latest_alias_follows_new_versions(pipe):
    w = world()
    solution, first = _popular_then(pipe, w)
    latest = solution + "/$LATEST"
    campaign = pipe.campaign(
        "follow", latest, minProvisionedTPS=2,
        campaignConfig={"syncWithLatestSolutionVersion": True},
    )  # fmt: skip
    assert campaign["solutionVersionArn"] == latest and campaign["minProvisionedTPS"] == 2
    assert "latestCampaignUpdate" not in campaign
    before = pipe.recommend(campaign["campaignArn"], numResults=3)
    assert set(before) == set(w.popular_items)
    frame, hits = _other_popular(w)
    _reimport(pipe, frame, "more")
    second = pipe.version(solution)["solutionVersionArn"]
    described = pipe.wait_campaign(campaign["campaignArn"])
    update = described["latestCampaignUpdate"]
    assert update["status"] == "ACTIVE" and update["solutionVersionArn"] == latest
    assert set(pipe.recommend(campaign["campaignArn"], numResults=3)) == set(hits)
    assert second != first


def test_update_keeps_the_old_model_until_active(pipe):
    w = world()
    solution, first = _popular_then(pipe, w)
    campaign = pipe.campaign("c", first)["campaignArn"]
    old = pipe.recommend(campaign, numResults=3)
    frame, hits = _other_popular(w)
    _reimport(pipe, frame, "more")
    second = pipe.version(solution)["solutionVersionArn"]
    p = pipe.personalize
    with config.override(job_mode="async", min_state_seconds=0.3):
        p.update_campaign(campaignArn=campaign, solutionVersionArn=second, minProvisionedTPS=3)
        during = p.describe_campaign(campaignArn=campaign)["campaign"]
        assert during["status"] == "ACTIVE"
        assert during["latestCampaignUpdate"]["status"] == "CREATE PENDING"
        assert during["latestCampaignUpdate"]["solutionVersionArn"] == second
        assert (during["solutionVersionArn"], during["minProvisionedTPS"]) == (first, 1)
        assert pipe.recommend(campaign, numResults=3) == old
        with pytest.raises(ClientError) as exc:
            p.update_campaign(campaignArn=campaign, minProvisionedTPS=4)
        assert error_of(exc)[0] == "ResourceInUseException"
        seen = set()

        def read():
            answer = pipe.recommend(campaign, numResults=3)  # before the describe: if the
            c = p.describe_campaign(campaignArn=campaign)["campaign"]  # update is not ACTIVE
            seen.add(c["latestCampaignUpdate"]["status"])  # now, it was not then either
            if c["latestCampaignUpdate"]["status"] != "ACTIVE":
                assert answer == old
            return c

        done = wait_until(read, lambda c: c["latestCampaignUpdate"]["status"] == "ACTIVE")
    assert "CREATE IN_PROGRESS" in seen
    assert (done["solutionVersionArn"], done["minProvisionedTPS"]) == (second, 3)
    assert set(pipe.recommend(campaign, numResults=3)) == set(hits)


def test_not_active_campaigns_do_not_serve_and_delete(pipe):
    _, version = _popular_then(pipe, world())
    p, runtime = pipe.personalize, pipe.runtime
    with config.override(job_mode="async", min_state_seconds=60):
        arn = p.create_campaign(name="slow", solutionVersionArn=version)["campaignArn"]
        assert p.describe_campaign(campaignArn=arn)["campaign"]["status"] == "CREATE PENDING"
        with pytest.raises(ClientError) as exc:
            runtime.get_recommendations(campaignArn=arn, userId="u0001")
        code, message = error_of(exc)
        assert code == "ResourceNotFoundException" and "not ACTIVE" in message
        assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
        for call in (
            lambda: p.update_campaign(campaignArn=arn, minProvisionedTPS=2),
            lambda: p.delete_campaign(campaignArn=arn),
        ):
            with pytest.raises(ClientError) as exc:
                call()
            assert error_of(exc)[0] == "ResourceInUseException"
    live = pipe.campaign("live", version)["campaignArn"]
    p.delete_campaign(campaignArn=live)
    with pytest.raises(ClientError) as exc:
        runtime.get_recommendations(campaignArn=live, userId="u0001")
    assert error_of(exc) == ("ResourceNotFoundException", f"Resource Arn {live} does not exist.")
