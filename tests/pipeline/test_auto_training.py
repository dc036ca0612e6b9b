"""Automatic training on the emulated clock, through boto3 on both doors: the first
AUTOTRAIN version an hour after the solution is ACTIVE, then one per period when new data
came in, the manual-version skip, turning it off, rate(N days), and reset.

The mock door moves the clock with ``personalize_emulator.clock.advance``, the server door with
``POST /_emulator/clock/advance``; both run what became due before answering (sync jobs)."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from pipeline_support import interactions_csv, wait_until, world

from personalize_emulator import clock
from personalize_emulator.resources import clock as raw_clock
from support import advance, clock_call


def versions(pipe, solution: str) -> list[dict]:
    """Oldest first."""
    listed = pipe.personalize.list_solution_versions(solutionArn=solution)["solutionVersions"]
    return sorted(listed, key=lambda v: v["creationDateTime"])


def more_data(pipe, name: str) -> None:
    """An INCREMENTAL import of a few new interactions: new data since the last training."""
    frame = world(seed=1, n_users=10).data.interactions.head(40)
    job = pipe.import_job(name, pipe.upload(f"{name}.csv", interactions_csv(frame)), "INCREMENTAL")
    assert job["status"] == "ACTIVE", job


@pytest.fixture
def loaded(pipe):
    pipe.load(world().data.interactions)
    return pipe


def test_first_run_an_hour_after_active_then_one_per_week_with_new_data(aws, loaded):
    pipe = loaded
    solution = pipe.solution("auto", "aws-sims")
    created = pipe.personalize.describe_solution(solutionArn=solution)["solution"]
    assert created["status"] == "ACTIVE" and created["performAutoTraining"] is True
    assert advance(aws, minutes=30) == []
    assert versions(pipe, solution) == []

    started = advance(aws, minutes=31)
    [first] = versions(pipe, solution)
    assert started == [first["solutionVersionArn"]]
    described = pipe.personalize.describe_solution_version(
        solutionVersionArn=first["solutionVersionArn"])["solutionVersion"]  # fmt: skip
    assert (described["status"], described["trainingMode"], described["trainingType"]) == (
        "ACTIVE", "AUTOTRAIN", "AUTOMATIC")  # fmt: skip
    # Timestamps come from the emulated clock: the version is an hour younger than the solution.
    age = described["creationDateTime"] - created["creationDateTime"]
    assert timedelta(hours=1) <= age < timedelta(hours=1, minutes=5)
    assert pipe.personalize.get_solution_metrics(
        solutionVersionArn=first["solutionVersionArn"])["metrics"]  # fmt: skip
    campaign = pipe.campaign("follow", solution + "/$LATEST",
                             campaignConfig={"syncWithLatestSolutionVersion": True})  # fmt: skip
    assert "latestCampaignUpdate" not in campaign

    assert advance(aws, days=7) == []  # no data since the last training: nothing to learn
    assert len(versions(pipe, solution)) == 1
    more_data(pipe, "week-2")
    assert advance(aws, days=7)
    second = versions(pipe, solution)
    assert [v["trainingType"] for v in second] == ["AUTOMATIC", "AUTOMATIC"]
    assert second[1]["status"] == "ACTIVE" and second[1]["trainingMode"] == "AUTOTRAIN"
    # A campaign on the solution's $LATEST, syncing, moves to the new automatic version.
    update = pipe.wait_campaign(campaign["campaignArn"])["latestCampaignUpdate"]
    assert update["status"] == "ACTIVE"


def test_a_manual_version_in_the_first_hour_skips_the_first_automatic_one(aws, loaded):
    pipe = loaded
    solution = pipe.solution("skip", "aws-sims")
    advance(aws, minutes=20)
    manual = pipe.version(solution)
    assert manual["trainingType"] == "MANUAL" and manual["trainingMode"] == "FULL"
    more_data(pipe, "after-manual")  # new data: only the skip keeps the first slot empty
    assert advance(aws, hours=2) == []
    assert [v["trainingType"] for v in versions(pipe, solution)] == ["MANUAL"]
    assert advance(aws, days=7)  # the next slot of the schedule still comes
    assert [v["trainingType"] for v in versions(pipe, solution)] == ["MANUAL", "AUTOMATIC"]


def test_no_automatic_training_when_turned_off(aws, loaded):
    pipe = loaded
    p = pipe.personalize
    off = pipe.solution("off", "aws-sims", performAutoTraining=False)
    turned_off = pipe.solution("turned-off", "aws-sims")
    p.update_solution(solutionArn=turned_off, performAutoTraining=False)
    wait_until(lambda: p.describe_solution(solutionArn=turned_off)["solution"],
               lambda s: s["latestSolutionUpdate"]["status"] == "ACTIVE")  # fmt: skip
    assert advance(aws, days=8) == []
    assert versions(pipe, off) == [] and versions(pipe, turned_off) == []
    # Turned on again: the first run is an hour after the update completes.
    p.update_solution(solutionArn=turned_off, performAutoTraining=True)
    assert advance(aws, minutes=59) == []
    assert len(advance(aws, minutes=2)) == 1
    assert [v["trainingMode"] for v in versions(pipe, turned_off)] == ["AUTOTRAIN"]


def test_scheduling_expression_sets_the_period(aws, loaded):
    pipe = loaded
    config = {"autoTrainingConfig": {"schedulingExpression": "rate(2 days)"}}
    solution = pipe.solution("every-2", "aws-sims", solutionConfig=config)
    assert len(advance(aws, hours=1, seconds=1)) == 1
    more_data(pipe, "day-1")
    assert advance(aws, days=1) == []  # 1 day after the first run: not due yet
    assert len(advance(aws, days=1)) == 1  # 2 days after
    assert len(versions(pipe, solution)) == 2


def test_reset_puts_the_clock_back_and_drops_the_schedule(aws, loaded):
    pipe = loaded
    pipe.solution("auto", "aws-sims")
    advance(aws, minutes=30)
    assert clock.offset() == timedelta(minutes=30)
    aws.reset()
    assert clock.offset() == timedelta(0)
    assert not aws.store().records.get("solution")
    assert abs(clock.now() - raw_clock.now()) < timedelta(seconds=1)


def test_server_fires_due_work_as_real_time_passes(door, aws, loaded):
    if door != "server":
        pytest.skip("the mock has no timer: only clock.advance fires work there")
    pipe = loaded
    solution = pipe.solution("timer", "aws-sims")
    raw_clock.shift(timedelta(hours=1))  # moves the clock without running anything
    [version] = wait_until(lambda: versions(pipe, solution), lambda vs: len(vs) == 1, timeout=60)
    assert version["trainingType"] == "AUTOMATIC"


def test_clock_endpoint_answers_and_refuses(door, aws):
    if door != "server":
        pytest.skip("a server endpoint")
    body = clock_call(aws.endpoint_url)
    assert body["offsetSeconds"] == 0 and body["started"] == []
    for bad in ({"seconds": -5}, {"weeks": 1}, [1]):
        with pytest.raises(urllib.error.HTTPError) as exc:
            clock_call(aws.endpoint_url, bad)
        assert exc.value.code == 400
    assert clock_call(aws.endpoint_url, {"hours": 2})["offsetSeconds"] == 7200
