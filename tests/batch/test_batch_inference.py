"""Batch inference jobs through boto3 on both doors: JSON lines in moto S3, ``<name>.out``
checked line by line, per-line errors and filter values, and the Create refusals."""

from __future__ import annotations

import pytest
from batch_support import BUCKET, ROLE, WORDS, Batch, error_of, world
from botocore.exceptions import ClientError


@pytest.fixture
def batch(aws):
    b = Batch.open(aws)
    w = world()
    b.load(w)
    return b, w


def test_related_items_lines_errors_and_filter_values(batch):
    b, w = batch
    version = b.version("related", "aws-sims")
    genre = b.filter("no-genre", "EXCLUDE ItemID WHERE Items.GENRE IN ($GENRES)")
    first, second = w.cluster_items[0], w.cluster_items[1]
    source = b.lines("in/items.json", [
        {"itemId": first[0]},
        '{"itemId": "broken',
        {"userId": "u0001"},
        {"itemId": second[0], "filterValues": {"GENRES": f'"{w.genres[1]}"'}},
        {"itemId": second[0]},
        {"itemId": first[0], "filterValues": {"GENRES": 7}},
    ])  # fmt: skip
    job = b.inference("related-job", version, source, filterArn=genre, numResults=9)
    assert job["status"] == "ACTIVE", job
    assert job["numResults"] == 9 and job["filterArn"] == genre
    assert job["batchInferenceJobMode"] == "BATCH_INFERENCE"
    assert job["jobInput"] == {"s3DataSource": {"path": source}}

    out = b.read("out/related-job/items.json.out")
    assert len(out) == 6
    assert out[0]["input"] == {"itemId": first[0]} and out[0]["error"] is None
    assert set(out[0]["output"]["recommendedItems"]) == set(first[1:])
    assert "scores" not in out[0]["output"]  # SIMS gives no scores
    assert out[1]["input"] == '{"itemId": "broken' and out[1]["output"] is None
    assert "JSON" in out[1]["error"]
    assert out[2]["input"] == {"userId": "u0001"} and "itemId" in out[2]["error"]
    filtered = out[3]["output"]["recommendedItems"]
    assert filtered and not set(filtered) & set(second), filtered  # the line's genre is gone
    assert set(out[4]["output"]["recommendedItems"]) == set(second[1:])  # no value: skipped
    assert out[5]["output"] is None and "filterValues" in out[5]["error"]

    listed = b.personalize.list_batch_inference_jobs(solutionVersionArn=version)
    assert [j["batchInferenceJobArn"] for j in listed["batchInferenceJobs"]] == [
        job["batchInferenceJobArn"]
    ]
    assert listed["batchInferenceJobs"][0]["status"] == "ACTIVE"


def test_popular_items_give_the_same_list_without_scores(batch):
    b, w = batch
    version = b.version("popular", "aws-popularity-count")
    source = b.lines("in/users.json", [{"userId": "u0001"}, {"userId": "u0002"}, {}])
    job = b.inference("popular-job", version, source, numResults=3)
    assert job["status"] == "ACTIVE", job
    out = b.read("out/popular-job/users.json.out")
    assert [line["input"] for line in out] == [{"userId": "u0001"}, {"userId": "u0002"}, {}]
    lists = [line["output"]["recommendedItems"] for line in out]
    assert set(lists[0]) == set(w.popular_items)
    assert lists[0] == lists[1] == lists[2]
    assert all(set(line["output"]) == {"recommendedItems"} for line in out)


def test_folder_input_gives_one_out_file_per_input(batch):
    b, w = batch
    version = b.version("popular", "aws-popularity-count")
    b.lines("folder/a.json", [{"userId": "u0001"}])
    b.lines("folder/b.json", [{"userId": "u0002"}, {"userId": "u0003"}])
    job = b.inference("folder-job", version, f"s3://{BUCKET}/folder/", numResults=2)
    assert job["status"] == "ACTIVE", job
    assert len(b.read("out/folder-job/a.json.out")) == 1
    assert len(b.read("out/folder-job/b.json.out")) == 2


def test_theme_generation_names_the_items_words(batch):
    b, w = batch
    version = b.version("similar", "aws-similar-items")
    source = b.lines("in/themes.json", [{"itemId": w.cluster_items[2][0]}])
    theme = {"fieldsForThemeGeneration": {"itemName": "ITEM_NAME"}}
    job = b.inference("theme-job", version, source, numResults=5,
                      batchInferenceJobMode="THEME_GENERATION", themeGenerationConfig=theme)  # fmt: skip
    assert job["status"] == "ACTIVE", job
    assert job["themeGenerationConfig"] == theme
    (line,) = b.read("out/theme-job/themes.json.out")
    output = line["output"]
    assert output["theme"]
    words = {word.strip(",").lower() for word in output["theme"].split() if word != "and"}
    assert words and words <= set(WORDS[2]), output["theme"]
    scores = output["itemsThemeRelevanceScores"]
    assert len(scores) == len(output["recommendedItems"]) == 5
    assert all(0.0 <= s <= 1.0 for s in scores) and max(scores) > 0

    with pytest.raises(ClientError) as bad_column:
        b.inference("theme-bad", version, source, batchInferenceJobMode="THEME_GENERATION",
                    themeGenerationConfig={"fieldsForThemeGeneration": {"itemName": "TITLE"}})  # fmt: skip
    assert error_of(bad_column)[0] == "InvalidInputException"
    assert "TITLE" in error_of(bad_column)[1]


def test_create_refusals_change_nothing(batch):
    b, w = batch
    sims = b.version("related", "aws-sims")
    affinity = b.version("affinity", "aws-item-affinity")
    trending = b.version("trending", "aws-trending-now")
    users = b.filter("users", 'INCLUDE UserID WHERE Users.SEGMENT IN ("s1")')
    source = b.lines("in/items.json", [{"itemId": w.cluster_items[0][0]}])
    p = b.personalize

    cases = [
        (dict(solutionVersionArn=affinity), "CreateBatchSegmentJob"),
        (dict(solutionVersionArn=trending), "Trending-Now"),
        (dict(solutionVersionArn=sims, batchInferenceJobMode="THEME_GENERATION",
              themeGenerationConfig={"fieldsForThemeGeneration": {"itemName": "ITEM_NAME"}}),
         "aws-similar-items"),
        (dict(solutionVersionArn=sims, filterArn=users), "ItemID"),
        (dict(solutionVersionArn=sims, numResults=0), "numResults"),
        (dict(solutionVersionArn=sims,
              batchInferenceJobConfig={"itemExplorationConfig": {"explorationWeight": "0.2"}}),
         "itemExplorationConfig"),
        (dict(solutionVersionArn=sims,
              jobInput={"s3DataSource": {"path": f"s3://{BUCKET}/in/missing.json"}}),
         "jobInput.s3DataSource.path"),
    ]  # fmt: skip
    for kwargs, fragment in cases:
        request = dict(
            jobName="refused", roleArn=ROLE,
            jobInput={"s3DataSource": {"path": source}},
            jobOutput={"s3DataDestination": {"path": f"s3://{BUCKET}/out/"}},
        )  # fmt: skip
        request.update(kwargs)
        with pytest.raises(ClientError) as refused:
            p.create_batch_inference_job(**request)
        code, message = error_of(refused)
        assert code == "InvalidInputException" and fragment in message, (kwargs, message)
    assert p.list_batch_inference_jobs()["batchInferenceJobs"] == []

    failed = p.create_batch_inference_job(
        jobName="nowhere", solutionVersionArn=sims, roleArn=ROLE,
        jobInput={"s3DataSource": {"path": source}},
        jobOutput={"s3DataDestination": {"path": "s3://no-such-bucket/out/"}},
    )["batchInferenceJobArn"]  # fmt: skip
    described = p.describe_batch_inference_job(batchInferenceJobArn=failed)["batchInferenceJob"]
    assert described["status"] == "CREATE FAILED"
    assert "no-such-bucket" in described["failureReason"]

    b.inference("taken", sims, source)
    with pytest.raises(ClientError) as dup:
        b.inference("taken", sims, source)
    assert error_of(dup)[0] == "ResourceAlreadyExistsException"
    with pytest.raises(ClientError) as missing:
        p.describe_batch_inference_job(
            batchInferenceJobArn=f"arn:aws:personalize:us-east-1:{'1' * 12}:batch-inference-job/x"
        )
    assert error_of(missing)[0] == "ResourceNotFoundException"


@pytest.mark.slow
def test_user_personalization_and_ranking_lines_carry_scores(batch):
    b, w = batch
    small = {"algorithmHyperParameters": {"hidden_dimension": "32", "bptt": "8"}}
    personal = b.version("personal", "aws-user-personalization", solutionConfig=small)
    user = w.cluster_users[0][0]
    source = b.lines("in/users.json", [{"userId": user}, {"itemId": "x"}])
    job = b.inference("personal-job", personal, source, numResults=10)
    assert job["status"] == "ACTIVE", job
    first, second = b.read("out/personal-job/users.json.out")
    assert len(first["output"]["recommendedItems"]) == 10
    scores = first["output"]["scores"]
    assert len(scores) == 10 and scores == sorted(scores, reverse=True)
    assert second["output"] is None and "userId" in second["error"]

    ranking = b.version("ranking", "aws-personalized-ranking", solutionConfig=small)
    chain = w.cluster_items[0]
    wanted = [w.cluster_items[3][0], chain[1], "never-seen", chain[2]]
    source = b.lines("in/rank.json", [{"userId": user, "itemList": wanted}])
    job = b.inference("rank-job", ranking, source)
    assert job["status"] == "ACTIVE", job
    (line,) = b.read("out/rank-job/rank.json.out")
    ranked, scores = line["output"]["recommendedItems"], line["output"]["scores"]
    assert sorted(ranked) == sorted(wanted) and ranked[-1] == "never-seen"
    assert scores[-1] is None and all(s is not None for s in scores[:-1])
