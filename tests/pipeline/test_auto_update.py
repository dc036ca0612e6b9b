"""The two-hourly update of a user-personalization solution's latest version, on the emulated
clock, through boto3 on both doors: new items imported since the model was built reach the
campaign without a new version; nothing happens without new data; only the latest version is
kept fresh."""

from __future__ import annotations

import pandas as pd
import pytest
from pipeline_support import interactions_csv, world

from support import advance

FAST = {"algorithmHyperParameters": {"hidden_dimension": "32", "bptt": "8"}}
FRESH = "fresh-hit"


def watch_fresh_item(pipe, users: list[str], name: str = "fresh") -> None:
    """An INCREMENTAL import: ``users`` each interact with an item the model has never seen."""
    frame = pd.DataFrame({"USER_ID": users, "ITEM_ID": FRESH,
                          "TIMESTAMP": [2_000_000_000 + k for k in range(len(users))],
                          "EVENT_TYPE": "click", "EVENT_VALUE": 1.0})  # fmt: skip
    job = pipe.import_job(name, pipe.upload(f"{name}.csv", interactions_csv(frame)), "INCREMENTAL")
    assert job["status"] == "ACTIVE", job


@pytest.fixture
def trained(pipe):
    planted = world()
    pipe.load(planted.data.interactions)
    solution = pipe.solution("up", "aws-user-personalization", performAutoTraining=False,
                             solutionConfig=FAST)  # fmt: skip
    version = pipe.version(solution)
    assert version["status"] == "ACTIVE", version
    users = sorted(set(planted.data.interactions["USER_ID"]))
    return pipe, solution, version, users


def test_new_items_reach_the_campaign_two_hours_after_the_model_was_built(aws, trained):
    pipe, solution, version, users = trained
    arn = version["solutionVersionArn"]
    campaign = pipe.campaign("shop", arn)["campaignArn"]
    asker = users[-1]
    watch_fresh_item(pipe, users[:100])
    assert FRESH not in pipe.recommend(campaign, userId=asker, numResults=25)

    assert advance(aws, hours=1) == []
    assert advance(aws, hours=1, minutes=5) == [arn]
    assert FRESH in pipe.recommend(campaign, userId=asker, numResults=25)
    after = pipe.personalize.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]
    assert after["status"] == "ACTIVE"
    assert after["lastUpdatedDateTime"] == version["lastUpdatedDateTime"]
    listed = pipe.personalize.list_solution_versions(solutionArn=solution)["solutionVersions"]
    assert [v["solutionVersionArn"] for v in listed] == [arn]

    assert advance(aws, hours=2) == []  # nothing new since the refresh


def test_only_the_latest_version_is_kept_fresh(aws, trained):
    pipe, solution, first, users = trained
    second = pipe.version(solution)
    watch_fresh_item(pipe, users[:100])
    assert advance(aws, hours=2, minutes=5) == [second["solutionVersionArn"]]
    assert advance(aws, hours=2) == []


def test_recipes_without_the_update_are_not_refreshed(aws, pipe):
    planted = world()
    pipe.load(planted.data.interactions)
    solution = pipe.solution("sims", "aws-sims", performAutoTraining=False)
    assert pipe.version(solution)["status"] == "ACTIVE"
    watch_fresh_item(pipe, sorted(set(planted.data.interactions["USER_ID"]))[:100])
    assert advance(aws, hours=3) == []
