"""Solutions through boto3: configuration checks, describe, update, delete refusals."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from pipeline_support import RECIPE, error_of, wait_until, world

from personalize_emulator import config


@pytest.fixture
def group(pipe):
    return pipe.dataset_group()


def refused(pipe, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as exc:
        pipe.personalize.create_solution(name="bad", datasetGroupArn=pipe.group, **kwargs)
    assert pipe.personalize.list_solutions()["solutions"] == []
    return error_of(exc)


def test_describe_reports_the_configuration(pipe, group):
    config_ = {
        "eventValueThreshold": "3",
        "algorithmHyperParameters": {"min_cointeraction_count": "2"},
        "featureTransformationParameters": {"max_item_interaction_count_percentile": "0.8"},
    }
    arn = pipe.solution("s", "aws-sims", eventType="click", solutionConfig=config_)
    solution = pipe.personalize.describe_solution(solutionArn=arn)["solution"]
    assert solution["status"] == "ACTIVE"
    assert solution["recipeArn"] == RECIPE + "aws-sims"
    assert (solution["performHPO"], solution["performAutoML"]) == (False, False)
    assert solution["performAutoTraining"] is True
    assert solution["eventType"] == "click"
    assert solution["solutionConfig"] == config_
    assert "latestSolutionVersion" not in solution and "latestSolutionUpdate" not in solution


@pytest.mark.parametrize(
    ("kwargs", "code", "words"),
    [
        ({}, "InvalidInputException", "recipeArn is required"),
        ({"recipeArn": RECIPE + "aws-nothing"}, "ResourceNotFoundException", "aws-nothing"),
        ({"recipeArn": RECIPE + "aws-vod-top-picks"}, "InvalidInputException", "CreateRecommender"),
        (
            {"performAutoML": True, "recipeArn": RECIPE + "aws-sims"},
            "InvalidInputException",
            "must not be set",
        ),
        (
            {
                "recipeArn": RECIPE + "aws-sims",
                "solutionConfig": {"algorithmHyperParameters": {"hidden_dimension": "64"}},
            },
            "InvalidInputException",
            "hidden_dimension",
        ),
        (
            {
                "recipeArn": RECIPE + "aws-sims",
                "solutionConfig": {"algorithmHyperParameters": {"min_cointeraction_count": "11"}},
            },
            "InvalidInputException",
            "min_cointeraction_count is above the maximum 10",
        ),
        (
            {
                "recipeArn": RECIPE + "aws-user-personalization",
                "solutionConfig": {"featureTransformationParameters": {"bptt": "4"}},
            },
            "InvalidInputException",
            "bptt is not a featurization hyperparameter",
        ),
        (
            {"recipeArn": RECIPE + "aws-sims", "solutionConfig": {"eventValueThreshold": "x"}},
            "InvalidInputException",
            "eventValueThreshold",
        ),
        (
            {
                "recipeArn": RECIPE + "aws-sims",
                "performHPO": True,
                "solutionConfig": {
                    "hpoConfig": {
                        "algorithmHyperParameterRanges": {
                            "integerHyperParameterRanges": [
                                {"name": "min_cointeraction_count", "minValue": 0, "maxValue": 20}
                            ]
                        }
                    }
                },
            },
            "InvalidInputException",
            "outside its allowed range",
        ),
        (
            {
                "recipeArn": RECIPE + "aws-sims",
                "solutionConfig": {
                    "hpoConfig": {"hpoResourceConfig": {"maxNumberOfTrainingJobs": "41"}}
                },
            },
            "InvalidInputException",
            "maxNumberOfTrainingJobs",
        ),
        (
            {
                "performAutoML": True,
                "solutionConfig": {"autoMLConfig": {"recipeList": [RECIPE + "aws-sims"]}},
            },
            "InvalidInputException",
            "USER_PERSONALIZATION",
        ),
        (
            {
                "recipeArn": RECIPE + "aws-sims",
                "solutionConfig": {"autoTrainingConfig": {"schedulingExpression": "rate(31 days)"}},
            },
            "InvalidInputException",
            "schedulingExpression",
        ),
        (
            {"recipeArn": RECIPE + "aws-sims", "performIncrementalUpdate": True},
            "InvalidInputException",
            "aws-semantic-similarity",
        ),
    ],
)
def test_bad_configurations_are_refused(pipe, group, kwargs, code, words):
    got_code, message = refused(pipe, **kwargs)
    assert got_code == code and words in message, message


def test_group_must_exist_and_names_are_unique(pipe, group):
    pipe.solution("s", "aws-sims")
    with pytest.raises(ClientError) as exc:
        pipe.solution("s", "aws-sims")
    assert error_of(exc)[0] == "ResourceAlreadyExistsException"
    with pytest.raises(ClientError) as exc:
        pipe.personalize.create_solution(
            name="t", datasetGroupArn=group + "x", recipeArn=RECIPE + "aws-sims"
        )
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_update_solution_walks_latest_update(pipe, group):
    arn = pipe.solution("s", "aws-sims")
    p = pipe.personalize
    update = {"autoTrainingConfig": {"schedulingExpression": "rate(3 days)"}}
    with config.override(job_mode="async", min_state_seconds=0.2):
        p.update_solution(solutionArn=arn, performAutoTraining=False, solutionUpdateConfig=update)
        during = p.describe_solution(solutionArn=arn)["solution"]
        assert during["latestSolutionUpdate"]["status"] == "CREATE PENDING"
        assert during["performAutoTraining"] is True  # not applied before ACTIVE
        with pytest.raises(ClientError) as exc:
            p.update_solution(solutionArn=arn, performAutoTraining=True)
        assert error_of(exc)[0] == "ResourceInUseException"
        done = wait_until(
            lambda: p.describe_solution(solutionArn=arn)["solution"],
            lambda s: s["latestSolutionUpdate"]["status"] == "ACTIVE",
        )
    assert done["performAutoTraining"] is False
    assert done["latestSolutionUpdate"]["solutionUpdateConfig"] == update
    assert done["latestSolutionUpdate"]["performAutoTraining"] is False
    assert done["solutionConfig"]["autoTrainingConfig"] == update["autoTrainingConfig"]


def test_delete_refused_while_a_campaign_uses_it(pipe):
    pipe.load(world().data.interactions)
    p = pipe.personalize
    solution = pipe.solution("pop", "aws-popularity-count")
    version = pipe.version(solution)["solutionVersionArn"]
    campaign = pipe.campaign("c", version)["campaignArn"]
    with pytest.raises(ClientError) as exc:
        p.delete_solution(solutionArn=solution)
    code, message = error_of(exc)
    assert code == "ResourceInUseException" and campaign in message
    with pytest.raises(ClientError) as exc:  # the group still holds the solution
        p.delete_dataset_group(datasetGroupArn=pipe.group)
    assert error_of(exc)[0] == "ResourceInUseException"
    p.delete_campaign(campaignArn=campaign)
    p.delete_solution(solutionArn=solution)
    assert p.list_solutions()["solutions"] == []
    with pytest.raises(ClientError) as exc:
        p.describe_solution_version(solutionVersionArn=version)
    assert error_of(exc)[0] == "ResourceNotFoundException"
