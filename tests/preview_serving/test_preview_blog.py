"""The 2018 blog end to end against the emulator, through the preview models, on both doors.

The default run uses ``popularity-baseline`` (one of the blog's five recipes; it trains in well
under a second). The slow tests run the blog's own choice, ``recipe_list[0]`` (HRNN), and check
its recommendations are personal: they differ from popularity's for the same user.
"""

from __future__ import annotations

import json
import re

import pytest
from blog import BUCKET, FILENAME, ROLE_ARN, TERMINAL, recipe_list, run_blog

ACCOUNT = "123456789012"
PREVIEW_METRICS = {
    "coverage", "mean_reciprocal_rank",
    "normalized_discounted_cumulative_gain_at_5", "normalized_discounted_cumulative_gain_at_10",
    "normalized_discounted_cumulative_gain_at_25",
    "precision_at_5", "precision_at_10", "precision_at_25",
    "_num_evaluation_users", "_num_unique_items", "_user_history_length_mean",
    "_user_history_length_10_pct_quantile", "_user_history_length_50_pct_quantile",
    "_user_history_length_90_pct_quantile",
}  # fmt: skip


def blog(clients, movielens, recipe_arn):
    return run_blog(clients.personalize, clients.runtime, movielens.blog_frame(), movielens.items,
                    BUCKET, FILENAME, ROLE_ARN, recipe_arn)  # fmt: skip


def check_blog_run(run, movielens, recipe_name):
    # every poll loop ended on its first describe, with success
    assert run.statuses == {
        "DatasetGroup": ["ACTIVE"], "LatestDatasetImportJobRun": ["ACTIVE"],
        "Solution": ["ACTIVE"], "Campaign": ["ACTIVE"],
    }  # fmt: skip
    prefix = f"arn:aws:personalize:us-east-1:{ACCOUNT}"
    assert run.arns == {
        "schema": f"{prefix}:schema/DEMO-schema",
        "datasetGroup": f"{prefix}:dataset-group/DEMO-dataset-group",
        "dataset": f"{prefix}:dataset/DEMO-dataset-group/INTERACTIONS",
        "importJob": f"{prefix}:dataset-import-job/DEMO-dataset-import-job",
        "solution": f"{prefix}:solution/DEMO-solution",
        "campaign": f"{prefix}:campaign/DEMO-campaign",
    }
    # GetMetrics: one model, named after the preview recipe, with the preview's keys
    [(model, metrics)] = run.metrics.items()
    assert re.fullmatch(rf"{prefix}:model/{re.escape(recipe_name)}-[0-9a-f]{{8}}", model)
    assert PREVIEW_METRICS <= set(metrics)
    assert all(isinstance(v, float) for v in metrics.values())
    assert metrics["mean_reciprocal_rank"] == metrics["mean_reciprocal_rank_at_25"]
    frame = movielens.blog_frame()
    assert metrics["_num_unique_items"] == frame["ITEM_ID"].nunique()
    assert metrics["_user_history_length_mean"] == pytest.approx(
        frame.groupby("USER_ID").size().mean()
    )
    assert metrics["_num_evaluation_users"] == round(0.1 * frame["USER_ID"].nunique())
    assert 0.0 <= metrics["precision_at_25"] <= 1.0 and 0.0 < metrics["coverage"] <= 1.0
    # recommendations: 25 bare ids, all real catalogue items the model saw in training
    assert len(run.item_list) == 25 and all(set(i) == {"itemId"} for i in run.item_list)
    ids = [i["itemId"] for i in run.item_list]
    assert len(set(ids)) == 25
    assert {int(i) for i in ids} <= set(frame["ITEM_ID"])
    assert len(run.title_list) == 25 and all(t.startswith("Movie ") for t in run.title_list)
    assert all(json.loads(text) is not None for text in run.printed)


def test_blog_with_popularity_baseline(clients, uploaded, movielens):
    run = blog(clients, movielens, recipe_list[4])
    check_blog_run(run, movielens, "popularity-baseline")
    # popularity: everyone's top items are the blockbusters
    top = {int(i["itemId"]) for i in run.item_list[: len(movielens.blockbusters)]}
    assert top == set(movielens.blockbusters)


@pytest.mark.slow
def test_blog_with_hrnn_is_personal(clients, uploaded, movielens):
    run = blog(clients, movielens, recipe_list[0])
    check_blog_run(run, movielens, "awspersonalizehrnnmodel")
    p = clients.personalize
    popularity = p.create_solution(name="popularity", datasetGroupArn=run.arns["datasetGroup"],
                                   recipeArn=recipe_list[4], minTPS=1)["solutionArn"]  # fmt: skip
    campaign = p.create_campaign(name="popular", solutionArn=popularity,
                                 updateMode="MANUAL")["campaignArn"]  # fmt: skip

    def recommended(campaign_arn, user):
        out = clients.runtime.get_recommendations(campaignArn=campaign_arn, userId=str(user))
        return [i["itemId"] for i in out["itemList"]]

    group_of = movielens.user_group
    users = [u for u in sorted(group_of) if group_of[u] == 0][:2] + [
        u for u in sorted(group_of) if group_of[u] == 1
    ][:2]
    differs = 0
    for user in users:
        hrnn = recommended(run.arns["campaign"], user)
        popular = recommended(campaign, user)
        differs += hrnn != popular
        # the sequence model recommends the user's own taste group, beyond the blockbusters
        own = set(movielens.group_items[group_of[user]])
        beyond = [int(i) for i in hrnn if int(i) not in movielens.blockbusters][:5]
        assert sum(i in own for i in beyond) >= 3
    assert differs == len(users)


@pytest.mark.slow
def test_blog_statuses_are_terminal_for_every_blog_recipe(clients, uploaded, movielens):
    """The blog lists five recipes; each trains to ACTIVE through CreateSolution."""
    run = blog(clients, movielens, recipe_list[2])  # SIMS: the blog passes an itemId too
    check_blog_run(run, movielens, "awspersonalizesimsmodel")
    p = clients.personalize
    for n, recipe in enumerate((recipe_list[1], recipe_list[3])):
        arn = p.create_solution(name=f"other-{n}", datasetGroupArn=run.arns["datasetGroup"],
                                recipeArn=recipe, minTPS=1)["solutionArn"]  # fmt: skip
        status = p.describe_solution(solutionArn=arn)["solution"]["status"]
        assert status in TERMINAL and status == "ACTIVE"
