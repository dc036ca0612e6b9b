"""Solution versions through boto3: failures with reasons, training modes, HPO, AutoML,
async progressions and stopping."""

from __future__ import annotations

import pandas as pd
import pytest
from botocore.exceptions import ClientError
from pipeline_support import RECIPE, error_of, wait_until, world

from personalize_emulator import config
from personalize_emulator.engines.synthetic import planted


def _few_active_users() -> pd.DataFrame:
    """1,300 interactions, but only 20 users with more than one of them."""
    heavy = [(f"h{u}", f"i{(u + k) % 30}", 1_600_000_000 + k) for u in range(20) for k in range(60)]
    light = [(f"l{u}", f"i{u % 30}", 1_600_000_000) for u in range(100)]
    frame = pd.DataFrame(heavy + light, columns=["USER_ID", "ITEM_ID", "TIMESTAMP"])
    return frame.assign(EVENT_TYPE="click", EVENT_VALUE=1.0)


def _assert_nothing_published(aws, pipe, version: dict) -> None:
    arn = version["solutionVersionArn"]
    with pytest.raises(ClientError) as exc:
        pipe.personalize.get_solution_metrics(solutionVersionArn=arn)
    assert error_of(exc)[0] == "ResourceInUseException"
    with pytest.raises(ClientError) as exc:
        pipe.personalize.create_campaign(name="never", solutionVersionArn=arn)
    assert error_of(exc)[0] == "ResourceInUseException"
    store = aws.store()
    record = store.records["solution-version"][arn]
    assert record.model_dir is None and record.metrics is None
    assert not any(key.endswith(arn) for key in store.blobs)
    assert "tunedHPOParams" not in version and "trainingHours" not in version


def test_too_few_interactions_fails_with_reason(aws, pipe):
    pipe.load(world(n_users=40).data.interactions)
    version = pipe.version(pipe.solution("small", "aws-sims"))
    assert version["status"] == "CREATE FAILED"
    assert version["failureReason"].startswith(
        "Create failed. Dataset has fewer than 1000 interactions"
    )
    _assert_nothing_published(aws, pipe, version)


def test_too_few_users_with_two_interactions(aws, pipe):
    pipe.load(_few_active_users())
    version = pipe.version(pipe.solution("few", "aws-popularity-count"))
    assert version["status"] == "CREATE FAILED"
    assert version["failureReason"] == (
        "Create failed. Dataset has fewer than 25 users with at least 2 interactions each."
    )
    _assert_nothing_published(aws, pipe, version)


def test_minimums_count_after_event_type_and_threshold(pipe):
    w = planted(0, n_users=150, n_trending=0, event_types=("click", "view"))
    pipe.load(w.data.interactions)
    everything = pipe.version(pipe.solution("all", "aws-popularity-count"))
    assert everything["status"] == "ACTIVE"
    clicks = pipe.version(pipe.solution("clicks", "aws-popularity-count", eventType="click"))
    assert clicks["status"] == "CREATE FAILED"
    assert "fewer than 1000 interactions of event type click" in clicks["failureReason"]
    assert clicks["eventType"] == "click"
    high = pipe.solution(
        "high", "aws-popularity-count", solutionConfig={"eventValueThreshold": "4"}
    )
    failed = pipe.version(high)
    assert "with an event value of at least 4" in failed["failureReason"]


def test_version_refusals(pipe):
    pipe.dataset_group()
    p = pipe.personalize
    solution = pipe.solution("sims", "aws-sims")
    with pytest.raises(ClientError) as exc:
        p.create_solution_version(solutionArn=solution)
    code, message = error_of(exc)
    assert code == "InvalidInputException" and "no data" in message
    assert p.list_solution_versions(solutionArn=solution)["solutionVersions"] == []
    with pytest.raises(ClientError) as exc:
        p.create_solution_version(solutionArn=solution + "-gone")
    assert error_of(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        p.list_solution_versions(solutionArn=solution + "-gone")
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_training_modes(pipe):
    pipe.load(world().data.interactions)
    p = pipe.personalize
    sims = pipe.solution("sims", "aws-sims")
    pipe.version(sims)
    with pytest.raises(ClientError) as exc:
        p.create_solution_version(solutionArn=sims, trainingMode="UPDATE")
    code, message = error_of(exc)
    assert code == "InvalidInputException" and "aws-user-personalization" in message
    auto = pipe.version(sims, trainingMode="AUTOTRAIN")
    assert (auto["trainingMode"], auto["trainingType"], auto["status"]) == (
        "AUTOTRAIN",
        "AUTOMATIC",
        "ACTIVE",
    )
    manual_only = pipe.solution("manual", "aws-sims", performAutoTraining=False)
    with pytest.raises(ClientError) as exc:
        p.create_solution_version(solutionArn=manual_only, trainingMode="AUTOTRAIN")
    assert error_of(exc)[0] == "InvalidInputException"
    up = pipe.solution("up", "aws-user-personalization")
    with pytest.raises(ClientError) as exc:  # no ACTIVE FULL version to update yet
        p.create_solution_version(solutionArn=up, trainingMode="UPDATE")
    code, message = error_of(exc)
    assert code == "InvalidInputException" and "FULL" in message


def test_hpo_tunes_within_the_requested_ranges(pipe):
    pipe.load(world().data.interactions)
    solution = pipe.solution(
        "tuned",
        "aws-sims",
        performHPO=True,
        solutionConfig={
            "hpoConfig": {
                "hpoResourceConfig": {"maxNumberOfTrainingJobs": "4"},
                "algorithmHyperParameterRanges": {
                    "integerHyperParameterRanges": [
                        {"name": "min_cointeraction_count", "minValue": 1, "maxValue": 4}
                    ],
                    "continuousHyperParameterRanges": [
                        {"name": "popularity_discount_factor", "minValue": 0.2, "maxValue": 0.4}
                    ],
                },
            }
        },
    )
    version = pipe.version(solution)
    assert version["status"] == "ACTIVE" and version["performHPO"] is True
    tuned = version["tunedHPOParams"]["algorithmHyperParameters"]
    assert set(tuned) == {"min_cointeraction_count", "popularity_discount_factor"}
    # the default discount 0.5 is outside the requested range, so it is never tried
    assert 1 <= int(tuned["min_cointeraction_count"]) <= 4
    assert 0.2 <= float(tuned["popularity_discount_factor"]) <= 0.4


def test_automl_reports_the_best_recipe(pipe):
    pipe.load(world().data.interactions)
    solution = pipe.personalize.create_solution(
        name="auto",
        datasetGroupArn=pipe.group,
        performAutoML=True,
        solutionConfig={
            "autoMLConfig": {
                "metricName": "precision_at_25",
                "recipeList": [RECIPE + "aws-popularity-count"],
            }
        },
    )["solutionArn"]
    described = pipe.personalize.describe_solution(solutionArn=solution)["solution"]
    assert described["performAutoML"] and "autoMLResult" not in described
    version = pipe.version(solution)
    assert version["status"] == "ACTIVE"
    assert version["recipeArn"] == RECIPE + "aws-popularity-count"
    described = pipe.personalize.describe_solution(solutionArn=solution)["solution"]
    assert described["autoMLResult"] == {"bestRecipeArn": RECIPE + "aws-popularity-count"}


def test_sync_mode_is_terminal_right_after_create(pipe):
    pipe.load(world().data.interactions)
    arn = pipe.personalize.create_solution_version(
        solutionArn=pipe.solution("pop", "aws-popularity-count")
    )["solutionVersionArn"]
    status = pipe.personalize.describe_solution_version(solutionVersionArn=arn)
    assert status["solutionVersion"]["status"] == "ACTIVE"


def test_async_mode_shows_pending_and_in_progress(pipe):
    pipe.load(world().data.interactions)
    solution = pipe.solution("pop", "aws-popularity-count")
    p = pipe.personalize
    with config.override(job_mode="async", min_state_seconds=0.3):
        arn = p.create_solution_version(solutionArn=solution)["solutionVersionArn"]
        first = p.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]
        assert first["status"] == "CREATE PENDING"
        seen = {first["status"]}

        def read():
            status = p.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]
            seen.add(status["status"])
            return status

        final = wait_until(read, lambda v: v["status"] == "ACTIVE")
    assert seen == {"CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"}
    assert final["trainingHours"] > 0


def test_stop_while_pending(pipe):
    pipe.load(world().data.interactions)
    solution = pipe.solution("pop", "aws-popularity-count")
    p = pipe.personalize
    with config.override(job_mode="async", min_state_seconds=60):
        arn = p.create_solution_version(solutionArn=solution)["solutionVersionArn"]
        p.stop_solution_version_creation(solutionVersionArn=arn)
        version = p.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]
    assert version["status"] == "CREATE STOPPED"
    with pytest.raises(ClientError) as exc:
        p.stop_solution_version_creation(solutionVersionArn=arn)
    assert error_of(exc)[0] == "ResourceInUseException"
    with pytest.raises(ClientError) as exc:
        p.get_solution_metrics(solutionVersionArn=arn)
    assert error_of(exc)[0] == "ResourceInUseException"
    # the solution can be deleted now that nothing trains
    p.delete_solution(solutionArn=solution)
    assert p.list_solutions()["solutions"] == []


@pytest.mark.slow
def test_stop_mid_training(pipe):
    pipe.load(world().data.interactions)
    solution = pipe.solution("sims", "aws-sims")
    p = pipe.personalize
    with config.override(job_mode="async", min_state_seconds=3):
        arn = p.create_solution_version(solutionArn=solution)["solutionVersionArn"]

        def read():
            return p.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]

        wait_until(read, lambda v: v["status"] == "CREATE IN_PROGRESS")
        with pytest.raises(ClientError) as exc:  # refused while a version trains
            p.delete_solution(solutionArn=solution)
        assert error_of(exc)[0] == "ResourceInUseException"
        p.stop_solution_version_creation(solutionVersionArn=arn)
        assert read()["status"] == "CREATE STOPPING"
        final = wait_until(read, lambda v: v["status"] != "CREATE STOPPING")
    assert final["status"] == "CREATE STOPPED"
    with pytest.raises(ClientError) as exc:
        p.get_solution_metrics(solutionVersionArn=arn)
    assert error_of(exc)[0] == "ResourceInUseException"


@pytest.mark.slow
def test_update_training_brings_in_new_items_and_users(pipe):
    """trainingMode UPDATE refreshes a user-personalization model with what arrived since."""
    w = world()
    pipe.load(w.data.interactions)
    p = pipe.personalize
    solution = pipe.solution(
        "up",
        "aws-user-personalization",
        solutionConfig={"algorithmHyperParameters": {"hidden_dimension": "32"}},
    )
    full = pipe.version(solution)
    assert full["status"] == "ACTIVE", full
    tracker = p.create_event_tracker(name="clicks", datasetGroupArn=pipe.group)["trackingId"]
    events = pipe.aws.client("personalize-events")
    newest = float(w.data.interactions["TIMESTAMP"].max())
    # A new user who walks cluster 0's chain and then a brand-new item, twice over.
    for n, item in enumerate(["i0_1", "i0_2", "new-item", "i0_3", "new-item"]):
        events.put_events(
            trackingId=tracker,
            userId="newcomer",
            sessionId="s-newcomer",
            eventList=[{"eventType": "click", "itemId": item, "sentAt": newest + 60 * (n + 1)}],
        )
    everything = {"numResults": 500}
    before = pipe.campaign("before", full["solutionVersionArn"])
    assert "new-item" not in pipe.recommend(before["campaignArn"], userId="u0000", **everything)

    update = pipe.version(solution, trainingMode="UPDATE")
    assert (update["status"], update["trainingMode"]) == ("ACTIVE", "UPDATE"), update
    after = pipe.campaign("after", update["solutionVersionArn"])
    assert "new-item" in pipe.recommend(after["campaignArn"], userId="u0000", **everything)
    # The newcomer is now a known user whose history walks cluster 0's chain up to i0_3.
    top = pipe.recommend(after["campaignArn"], userId="newcomer", numResults=10)
    assert "i0_4" in top, top
