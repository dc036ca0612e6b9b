"""Preview solutions, metrics, campaigns and runtime: one store seen through both dialects.

Training uses popularity-baseline and SIMS (both train in well under a second here).
"""

from __future__ import annotations

import json
import re

import pytest
from blog import ROLE_ARN, recipe_list, schema
from botocore.exceptions import ClientError

from personalize_emulator import config

POPULARITY, SIMS = recipe_list[4], recipe_list[2]
ACCOUNT = "123456789012"


def error_of(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


@pytest.fixture
def group(clients, uploaded) -> str:
    """A dataset group with the MovieLens-like interactions imported (through the preview)."""
    p = clients.personalize
    schema_arn = p.create_schema(name="DEMO-schema", schema=json.dumps(schema))["schemaArn"]
    group = p.create_dataset_group(name="DEMO-dataset-group")["datasetGroupArn"]
    dataset = p.create_dataset(datasetType="INTERACTIONS", datasetGroupArn=group,
                               schemaArn=schema_arn)["datasetArn"]  # fmt: skip
    p.create_dataset_import_job(jobName="import", datasetArn=dataset,
                                dataSource={"dataLocation": uploaded}, roleArn=ROLE_ARN)  # fmt: skip
    return group


def test_preview_solution_seen_through_ga(clients, group):
    p, ga = clients.personalize, clients.ga
    arn = p.create_solution(name="pop", datasetGroupArn=group, recipeArn=POPULARITY,
                            minProvisionedTPS=3)["solutionArn"]  # fmt: skip
    solution = p.describe_solution(solutionArn=arn)["solution"]
    assert solution["status"] == "ACTIVE" and solution["recipeArn"] == POPULARITY
    assert solution["minTPS"] == solution["minProvisionedTPS"] == 3
    version_arn = solution["latestSolutionVersion"]["solutionVersionArn"]
    assert re.fullmatch(re.escape(arn) + "/[0-9a-f]{8}", version_arn)
    # GA: the solution (under the recipe's GA name) and the version the preview trained
    ga_solution = ga.describe_solution(solutionArn=arn)["solution"]
    assert ga_solution["recipeArn"] == "arn:aws:personalize:::recipe/aws-popularity-count"
    assert ga_solution["latestSolutionVersion"]["solutionVersionArn"] == version_arn
    [listed] = ga.list_solution_versions(solutionArn=arn)["solutionVersions"]
    assert listed["solutionVersionArn"] == version_arn and listed["status"] == "ACTIVE"
    ga_metrics = ga.get_solution_metrics(solutionVersionArn=version_arn)["metrics"]
    [preview_metrics] = p.get_metrics(solutionArn=arn)["metrics"].values()
    assert {k: preview_metrics[k] for k in ga_metrics} == ga_metrics
    # the preview's own version views
    version = p.describe_solution_version(solutionVersionArn=version_arn)["solutionVersion"]
    assert version["recipeArn"] == POPULARITY and version["status"] == "ACTIVE"
    assert version["trainingHours"] >= 0
    assert [v["solutionVersionArn"] for v in p.list_solution_versions(solutionArn=arn)[
        "solutionVersions"]] == [version_arn]  # fmt: skip
    assert [s["status"] for s in p.list_solutions(datasetGroupArn=group)["solutions"]] == ["ACTIVE"]


def test_ga_solution_seen_through_preview(clients, group):
    p, ga = clients.personalize, clients.ga
    arn = ga.create_solution(name="ga-pop", datasetGroupArn=group,
                             recipeArn="arn:aws:personalize:::recipe/aws-popularity-count")[
        "solutionArn"]  # fmt: skip
    with pytest.raises(ClientError) as exc:
        p.get_metrics(solutionArn=arn)
    assert error_of(exc)[0] == "ResourceNotFoundException"
    assert "no trained model" in error_of(exc)[1]
    version_arn = ga.create_solution_version(solutionArn=arn)["solutionVersionArn"]
    solution = p.describe_solution(solutionArn=arn)["solution"]
    assert solution["status"] == "ACTIVE" and solution["recipeArn"] == POPULARITY
    assert "minTPS" not in solution
    [model] = p.get_metrics(solutionArn=arn, solutionVersionArn=version_arn)["metrics"]
    assert re.fullmatch(r".*:model/popularity-baseline-[0-9a-f]{8}", model)
    assert p.get_metrics(solutionArn=arn)["metrics"].keys() == {model}  # stable per version
    # a GA campaign through the preview, and a preview campaign on the GA solution
    ga_campaign = ga.create_campaign(name="ga-campaign", solutionVersionArn=version_arn)[
        "campaignArn"]  # fmt: skip
    seen = p.describe_campaign(campaignArn=ga_campaign)["campaign"]
    assert seen["updateMode"] == "MANUAL" and seen["solutionArn"] == arn
    assert seen["solutionVersionArn"] == version_arn
    campaign = p.create_campaign(name="preview-campaign", solutionArn=arn, updateMode="MANUAL")
    ga_view = ga.describe_campaign(campaignArn=campaign["campaignArn"])["campaign"]
    assert ga_view["solutionVersionArn"] == version_arn and ga_view["status"] == "ACTIVE"


def test_retrain_and_update_modes(clients, group):
    p = clients.personalize
    arn = p.create_solution(name="pop", datasetGroupArn=group, recipeArn=POPULARITY,
                            minTPS=1)["solutionArn"]  # fmt: skip
    first = p.describe_solution(solutionArn=arn)["solution"]["latestSolutionVersion"][
        "solutionVersionArn"]  # fmt: skip
    manual = p.create_campaign(name="manual", solutionArn=arn, updateMode="MANUAL")["campaignArn"]
    auto = p.create_campaign(name="auto", solutionArn=arn, updateMode="AUTO")["campaignArn"]
    second = p.retrain_solution(solutionArn=arn)["solutionVersionArn"]
    assert second != first
    assert p.describe_solution_version(solutionVersionArn=second)["solutionVersion"][
        "status"] == "ACTIVE"  # fmt: skip
    views = {c: p.describe_campaign(campaignArn=c)["campaign"] for c in (manual, auto)}
    assert views[manual]["solutionVersionArn"] == first and views[manual]["updateMode"] == "MANUAL"
    assert views[auto]["solutionVersionArn"] == second and views[auto]["updateMode"] == "AUTO"
    # MANUAL moves only when told to
    out = p.update_campaign(campaignArn=manual, solutionArn=arn, solutionVersionArn=second)
    assert out["campaignVersionArn"].startswith(manual + "/")
    assert p.describe_campaign(campaignArn=manual)["campaign"]["solutionVersionArn"] == second
    p.update_campaign(campaignArn=manual, solutionArn=arn, updateMode="AUTO")
    assert p.describe_campaign(campaignArn=manual)["campaign"]["updateMode"] == "AUTO"
    # GetMetrics without a version: the newest trained one
    [model] = p.get_metrics(solutionArn=arn)["metrics"]
    [first_model] = p.get_metrics(solutionArn=arn, solutionVersionArn=first)["metrics"]
    assert model != first_model


def test_training_failure_is_create_failed(clients):
    p = clients.personalize
    group = p.create_dataset_group(name="empty")["datasetGroupArn"]
    arn = p.create_solution(name="nothing", datasetGroupArn=group, recipeArn=POPULARITY,
                            minTPS=1)["solutionArn"]  # fmt: skip
    solution = p.describe_solution(solutionArn=arn)["solution"]
    assert solution["status"] == "CREATE FAILED"
    assert "Interactions" in solution["failureReason"]
    with pytest.raises(ClientError) as exc:
        p.get_metrics(solutionArn=arn)
    assert error_of(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        p.create_campaign(name="c", solutionArn=arn, updateMode="MANUAL")
    assert error_of(exc)[0] == "InvalidInputException" and "CREATE FAILED" in error_of(exc)[1]
    # a dataset but nothing imported yet
    schema_arn = p.create_schema(name="s", schema=json.dumps(schema))["schemaArn"]
    p.create_dataset(datasetType="INTERACTIONS", datasetGroupArn=group, schemaArn=schema_arn)
    arn = p.create_solution(name="no-data", datasetGroupArn=group, recipeArn=POPULARITY,
                            minTPS=1)["solutionArn"]  # fmt: skip
    solution = p.describe_solution(solutionArn=arn)["solution"]
    assert solution["status"] == "CREATE FAILED" and "no data" in solution["failureReason"]
    assert clients.ga.list_campaigns()["campaigns"] == []


def test_create_solution_refusals(clients, group):
    p = clients.personalize
    cases = [
        (dict(recipeArn="arn:aws:personalize:::recipe/aws-hrnn"), "InvalidInputException",
         "aws-hrnn is not a recipe"),
        (dict(recipeArn="arn:aws:personalize:::recipe/awspersonalizehrnnmodel",
              minTPS=1, minProvisionedTPS=2), "InvalidInputException", "minTPS"),
        (dict(), "InvalidInputException", "recipeArn is required"),
        (dict(recipeArn="arn:aws:personalize:::recipe/awspersonalizedeepfmmodel",
              solutionConfig={"algorithmHyperParameters": {"hidden_dimension": "9999"}}),
         "InvalidInputException", "hidden_dimension"),
    ]  # fmt: skip
    for kwargs, code, words in cases:
        with pytest.raises(ClientError) as exc:
            p.create_solution(name="refused", datasetGroupArn=group, **kwargs)
        assert error_of(exc)[0] == code and words in error_of(exc)[1], error_of(exc)
    assert p.list_solutions()["solutions"] == []
    p.create_solution(name="ok", datasetGroupArn=group, recipeArn=POPULARITY)
    with pytest.raises(ClientError) as exc:
        p.create_solution(name="ok", datasetGroupArn=group, recipeArn=POPULARITY)
    assert error_of(exc)[0] == "ResourceAlreadyExistsException"


def test_solution_config_echo_and_automl(clients, group):
    p = clients.personalize
    config_sent = {"retrainingMode": "MANUAL", "retrainSchedule": "cron(0 0 * * ? *)"}
    arn = p.create_solution(name="cfg", datasetGroupArn=group, recipeArn=POPULARITY, minTPS=2,
                            solutionConfig=config_sent)["solutionArn"]  # fmt: skip
    assert p.describe_solution(solutionArn=arn)["solution"]["solutionConfig"] == config_sent
    automl = p.create_solution(
        name="auto", datasetGroupArn=group, performAutoML=True,
        solutionConfig={"autoMLConfig": {"recipeList": [POPULARITY],
                                         "metricName": "mean_reciprocal_rank"}},
    )["solutionArn"]  # fmt: skip
    solution = p.describe_solution(solutionArn=automl)["solution"]
    assert solution["status"] == "ACTIVE" and solution["performAutoML"] is True
    assert solution["autoMLResult"] == {"bestRecipeArn": POPULARITY}
    assert "recipeArn" not in solution
    assert solution["solutionConfig"]["autoMLConfig"]["recipeList"] == [POPULARITY]
    version = solution["latestSolutionVersion"]["solutionVersionArn"]
    assert p.describe_solution_version(solutionVersionArn=version)["solutionVersion"][
        "recipeArn"] == POPULARITY  # fmt: skip
    [model] = p.get_metrics(solutionArn=automl)["metrics"]
    assert ":model/popularity-baseline-" in model
    # GA sees the AutoML result under the GA recipe name
    assert clients.ga.describe_solution(solutionArn=automl)["solution"]["autoMLResult"] == {
        "bestRecipeArn": "arn:aws:personalize:::recipe/aws-popularity-count"
    }


def test_runtime_related_items_and_limits(clients, group, movielens):
    p, rt = clients.personalize, clients.runtime
    sims = p.create_solution(name="sims", datasetGroupArn=group, recipeArn=SIMS,
                             minTPS=1)["solutionArn"]  # fmt: skip
    campaign = p.create_campaign(name="sims", solutionArn=sims, updateMode="MANUAL")["campaignArn"]
    seed = movielens.group_items[0][3]
    out = rt.get_recommendations(campaignArn=campaign, itemId=str(seed), numResults=10)
    ids = [int(i["itemId"]) for i in out["itemList"]]
    assert len(ids) == 10 and seed not in ids
    assert set(ids) <= set(movielens.blog_frame()["ITEM_ID"])
    # related items come from the seed's taste group, beyond the blockbusters everyone watches
    assert all(i in movielens.group_items[0] for i in ids if i not in movielens.blockbusters)
    with pytest.raises(ClientError) as exc:
        rt.get_recommendations(campaignArn=campaign, userId="1")
    assert error_of(exc)[0] == "InvalidInputException" and "itemId" in error_of(exc)[1]
    with pytest.raises(ClientError) as exc:  # the preview's cap is 100 (GA's is 500)
        rt.get_recommendations(campaignArn=campaign, itemId=str(seed), numResults=101)
    assert error_of(exc)[0] == "InvalidInputException" and "numResults" in error_of(exc)[1]
    with pytest.raises(ClientError) as exc:
        rt.personalize_ranking(campaignArn=campaign, userId="1", inputList=["1", "2"])
    assert error_of(exc)[0] == "InvalidInputException"
    missing = f"arn:aws:personalize:us-east-1:{ACCOUNT}:campaign/nope"
    with pytest.raises(ClientError) as exc:
        rt.get_recommendations(campaignArn=missing, userId="1")
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_unknown_user_gets_popular_items(clients, group, movielens):
    p, rt = clients.personalize, clients.runtime
    arn = p.create_solution(name="pop", datasetGroupArn=group, recipeArn=POPULARITY)["solutionArn"]
    campaign = p.create_campaign(name="pop", solutionArn=arn)["campaignArn"]
    out = rt.get_recommendations(campaignArn=campaign, userId="no-such-user")
    assert len(out["itemList"]) == 25
    top = {int(i["itemId"]) for i in out["itemList"][: len(movielens.blockbusters)]}
    assert top == set(movielens.blockbusters)


def test_training_not_finished(clients, group):
    p = clients.personalize
    with config.override(job_mode="async", min_state_seconds=600):
        arn = p.create_solution(name="later", datasetGroupArn=group, recipeArn=POPULARITY,
                                minTPS=1)["solutionArn"]  # fmt: skip
        status = p.describe_solution(solutionArn=arn)["solution"]["status"]
        with pytest.raises(ClientError) as metrics_exc:
            p.get_metrics(solutionArn=arn)
        with pytest.raises(ClientError) as campaign_exc:
            p.create_campaign(name="early", solutionArn=arn, updateMode="MANUAL")
    assert status == "CREATE PENDING"
    assert error_of(metrics_exc)[0] == "ResourceNotFoundException"
    assert error_of(campaign_exc)[0] == "InvalidInputException"


@pytest.mark.slow
def test_personalize_ranking(clients, group, movielens):
    p, rt = clients.personalize, clients.runtime
    ranking = "arn:aws:personalize:::recipe/search-personalization"
    arn = p.create_solution(name="rank", datasetGroupArn=group, recipeArn=ranking,
                            minTPS=1)["solutionArn"]  # fmt: skip
    assert p.describe_solution(solutionArn=arn)["solution"]["status"] == "ACTIVE"
    campaign = p.create_campaign(name="rank", solutionArn=arn, updateMode="MANUAL")["campaignArn"]
    user = next(u for u, g in movielens.user_group.items() if g == 0)
    own, other = movielens.group_items[0][:5], movielens.group_items[1][:5]
    candidates = [str(i) for pair in zip(other, own, strict=True) for i in pair]
    out = rt.personalize_ranking(campaignArn=campaign, userId=str(user), inputList=candidates)
    ranked = [i["itemId"] for i in out["personalizedRanking"]]
    assert sorted(ranked) == sorted(candidates) and all(
        set(i) == {"itemId"} for i in out["personalizedRanking"]
    )
    # the user's own taste group ranks ahead of the other group's movies
    position = {int(i): n for n, i in enumerate(ranked)}
    assert sum(position[i] for i in own) < sum(position[i] for i in other)
    assert sum(int(i) in own for i in ranked[:5]) >= 3
    with pytest.raises(ClientError) as exc:
        rt.get_recommendations(campaignArn=campaign, userId=str(user))
    assert error_of(exc)[0] == "InvalidInputException"
    assert "PersonalizeRanking" in error_of(exc)[1] and "GetPersonalizedRanking" not in error_of(
        exc)[1]  # fmt: skip


def test_async_solution_trains_after_it_is_created(clients, group):
    """Async jobs: the solution walks PENDING -> IN_PROGRESS (training) -> ACTIVE in order."""
    import time

    p = clients.personalize
    seen: list[str] = []
    with config.override(job_mode="async", min_state_seconds=0.0):
        arn = p.create_solution(name="async", datasetGroupArn=group, recipeArn=POPULARITY,
                                minTPS=1)["solutionArn"]  # fmt: skip
        for _ in range(6000):  # a generous bound on polls, not a timing assertion
            status = p.describe_solution(solutionArn=arn)["solution"]["status"]
            if not seen or seen[-1] != status:
                seen.append(status)
            if status in ("ACTIVE", "CREATE FAILED"):
                break
            time.sleep(0.02)
    order = ["CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"]
    assert seen[-1] == "ACTIVE"
    assert seen == sorted(seen, key=order.index)
    version = p.describe_solution(solutionArn=arn)["solution"]["latestSolutionVersion"]
    assert version["status"] == "ACTIVE"
