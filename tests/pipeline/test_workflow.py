"""The whole GA workflow through boto3: schema -> group -> dataset -> import -> solution ->
version -> metrics -> campaign -> recommendations, checked against the planted structure."""

from __future__ import annotations

import re

from pipeline_support import world

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


def test_sims_workflow_finds_the_planted_clusters(pipe):
    w = world()
    pipe.load(w.data.interactions)
    solution = pipe.solution("related", "aws-sims")
    assert (
        pipe.personalize.describe_solution(solutionArn=solution)["solution"]["status"] == "ACTIVE"
    )
    version = pipe.version(solution)
    assert version["status"] == "ACTIVE", version
    assert re.fullmatch(r".*:solution/related/[0-9a-f]{8}", version["solutionVersionArn"])
    assert (version["trainingMode"], version["trainingType"]) == ("FULL", "MANUAL")
    assert version["trainingHours"] > 0

    metrics = pipe.personalize.get_solution_metrics(
        solutionVersionArn=version["solutionVersionArn"]
    )["metrics"]
    assert set(metrics) == METRICS
    assert all(0.0 <= value <= 1.0 for value in metrics.values())
    # the planted chains make the next item easy to find for a co-occurrence model
    assert metrics["mean_reciprocal_rank_at_25"] > 0.3

    campaign = pipe.campaign("related-items", version["solutionVersionArn"])
    assert campaign["status"] == "ACTIVE" and campaign["minProvisionedTPS"] == 1
    for cluster, chain in enumerate(w.cluster_items):
        answer = pipe.runtime.get_recommendations(
            campaignArn=campaign["campaignArn"], itemId=chain[0], numResults=9
        )
        assert re.fullmatch(r"RID-[0-9a-f-]{36}", answer["recommendationId"])
        items = [entry["itemId"] for entry in answer["itemList"]]
        assert chain[0] not in items
        assert set(items) == set(chain[1:]), (cluster, items)
        assert all("score" not in entry for entry in answer["itemList"])  # SIMS has no scores


def test_popularity_workflow_puts_popular_items_first_for_every_user(pipe):
    w = world(seed=1)
    pipe.load(w.data.interactions)
    version = pipe.version(pipe.solution("popular", "aws-popularity-count"))
    campaign = pipe.campaign("popular", version["solutionVersionArn"])["campaignArn"]
    default = pipe.recommend(campaign, userId="u0003")
    assert len(default) == 25
    assert set(default[:3]) == set(w.popular_items)
    assert pipe.recommend(campaign, userId="somebody-new")[:3] == default[:3]
    assert len(pipe.recommend(campaign, userId="u0003", numResults=500)) == len(
        set(w.data.interactions["ITEM_ID"])
    )


def test_listings_link_the_pipeline(pipe):
    pipe.load(world().data.interactions)
    p = pipe.personalize
    [job] = p.list_dataset_import_jobs(datasetArn=pipe.interactions)["datasetImportJobs"]
    assert (job["jobName"], job["status"], job["importMode"]) == ("movies-import", "ACTIVE", "FULL")
    solution = pipe.solution("pop", "aws-popularity-count")
    [summary] = p.list_solutions(datasetGroupArn=pipe.group)["solutions"]
    assert summary["solutionArn"] == solution and summary["recipeArn"].endswith("popularity-count")
    first = pipe.version(solution)["solutionVersionArn"]
    second = pipe.version(solution, name="second")["solutionVersionArn"]
    listed = p.list_solution_versions(solutionArn=solution)["solutionVersions"]
    assert [v["solutionVersionArn"] for v in listed] == [second, first]
    latest = p.describe_solution(solutionArn=solution)["solution"]["latestSolutionVersion"]
    assert latest["solutionVersionArn"] == second
    assert p.describe_solution_version(solutionVersionArn=second)["solutionVersion"]["name"] == (
        "second"
    )
    page = p.list_solution_versions(solutionArn=solution, maxResults=1)
    assert len(page["solutionVersions"]) == 1 and page["nextToken"]
    campaign = pipe.campaign("c", first)["campaignArn"]
    [listed_campaign] = p.list_campaigns(solutionArn=solution)["campaigns"]
    assert listed_campaign["campaignArn"] == campaign
    assert p.list_campaigns(solutionArn=solution + "x")["campaigns"] == []
