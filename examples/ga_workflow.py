"""The Amazon Personalize GA workflow end to end on MovieLens 100k, inside ``mock_personalize``.

schema -> dataset group -> Interactions dataset -> import job (CSV in S3) -> solution ->
solution version (real training) -> GetSolutionMetrics -> campaign -> GetRecommendations,
with unmodified boto3 calls. Nothing leaves the process: S3 is moto's, Personalize is the
emulator, and jobs run synchronously, so every describe right after a create is terminal.

Data: ``--data DIR`` (default: ``../shared/datasets/ml-100k`` next to the project, else a small
synthetic MovieLens-shaped set this script generates; ``--data synthetic`` forces that). Ratings
of 4 and 5 are the interactions the solution trains on (``eventValueThreshold``).

Recipes: ``--recipe aws-sims`` (default; "because you liked X" lists, trains in seconds),
``aws-popularity-count``, or a user-personalization recipe such as
``aws-user-personalization-v2`` (personalised per user; slower to train on 2 cores).

    python examples/ga_workflow.py [--data DIR] [--recipe NAME] [--user ID]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import boto3
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import movielens  # noqa: E402  (examples/movielens.py: where MovieLens is, synthetic stand-in)

from personalize_emulator import mock_personalize  # noqa: E402

REGION = "us-east-1"
BUCKET = "ga-workflow-data"
ROLE = "arn:aws:iam::123456789012:role/PersonalizeS3Access"
SCHEMA = """{
  "type": "record", "name": "Interactions", "namespace": "com.amazonaws.personalize.schema",
  "fields": [
    {"name": "USER_ID", "type": "string"},
    {"name": "ITEM_ID", "type": "string"},
    {"name": "TIMESTAMP", "type": "long"},
    {"name": "EVENT_TYPE", "type": "string"},
    {"name": "EVENT_VALUE", "type": "float"}
  ],
  "version": "1.0"
}"""


def read_ratings(location: movielens.Location) -> pd.DataFrame:
    frame = pd.read_csv(
        location.ratings, sep="\t", names=["USER_ID", "ITEM_ID", "EVENT_VALUE", "TIMESTAMP"]
    )
    frame["EVENT_TYPE"] = "rating"
    return frame[["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE"]]


def step(text: str, t0: float) -> None:
    print(f"[{time.perf_counter() - t0:6.1f}s] {text}")


def run(data: str | None, recipe: str, user: str | None) -> None:
    t0 = time.perf_counter()
    location = movielens.locate(data)
    ratings = read_ratings(location)
    titles = movielens.read_titles(location)
    source = "synthetic MovieLens-shaped data" if location.synthetic else str(location.path)
    step(f"{len(ratings):,} ratings from {source}", t0)

    s3 = boto3.client("s3", region_name=REGION)
    personalize = boto3.client("personalize", region_name=REGION)
    runtime = boto3.client("personalize-runtime", region_name=REGION)

    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="ratings.csv", Body=ratings.to_csv(index=False).encode())
    schema = personalize.create_schema(name="movie-ratings", schema=SCHEMA)["schemaArn"]
    group = personalize.create_dataset_group(name="movielens")["datasetGroupArn"]
    dataset = personalize.create_dataset(
        name="ratings", schemaArn=schema, datasetGroupArn=group, datasetType="Interactions"
    )["datasetArn"]
    job = personalize.create_dataset_import_job(
        jobName="ratings-import",
        datasetArn=dataset,
        dataSource={"dataLocation": f"s3://{BUCKET}/ratings.csv"},
        roleArn=ROLE,
    )["datasetImportJobArn"]
    status = personalize.describe_dataset_import_job(datasetImportJobArn=job)
    step(f"import job: {status['datasetImportJob']['status']}", t0)

    solution = personalize.create_solution(
        name=f"movies-{recipe}",
        datasetGroupArn=group,
        recipeArn=f"arn:aws:personalize:::recipe/{recipe}",
        solutionConfig={"eventValueThreshold": "4"},
    )["solutionArn"]
    version_arn = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    version = personalize.describe_solution_version(solutionVersionArn=version_arn)
    version = version["solutionVersion"]
    if version["status"] != "ACTIVE":
        raise SystemExit(f"training ended {version['status']}: {version.get('failureReason')}")
    step(f"solution version {version_arn.rsplit('/', 1)[-1]} trained ({recipe})", t0)

    metrics = personalize.get_solution_metrics(solutionVersionArn=version_arn)["metrics"]
    print("  metrics (Personalize's split: 10% of users, their latest 10% held out):")
    for name in sorted(metrics):
        print(f"    {name:45s} {metrics[name]:.4f}")

    campaign = personalize.create_campaign(name="movies", solutionVersionArn=version_arn)
    campaign_arn = campaign["campaignArn"]
    status = personalize.describe_campaign(campaignArn=campaign_arn)["campaign"]["status"]
    step(f"campaign: {status}", t0)

    liked = ratings[ratings["EVENT_VALUE"] >= 4].sort_values("TIMESTAMP")
    user = user or str(liked["USER_ID"].iloc[len(liked) // 2])
    history = liked[liked["USER_ID"].astype(str) == user]
    if history.empty:
        raise SystemExit(f"user {user} has no ratings of 4 or 5")
    print(f"  user {user} liked, most recently:")
    for item in history["ITEM_ID"].tail(3):
        print(f"    {titles.get(int(item), item)}")
    recipe_type = personalize.describe_recipe(recipeArn=f"arn:aws:personalize:::recipe/{recipe}")
    if recipe_type["recipe"]["recipeType"] == "RELATED_ITEMS":
        anchor = str(history["ITEM_ID"].iloc[-1])
        answer = runtime.get_recommendations(campaignArn=campaign_arn, itemId=anchor, numResults=10)
        print(f"  because user {user} liked {titles.get(int(anchor), anchor)}:")
    else:
        answer = runtime.get_recommendations(campaignArn=campaign_arn, userId=user, numResults=10)
        print(f"  recommended for user {user}:")
    for rank, entry in enumerate(answer["itemList"], 1):
        score = f"  (score {entry['score']:.4f})" if "score" in entry else ""
        print(f"    {rank:2d}. {titles.get(int(entry['itemId']), entry['itemId'])}{score}")
    step("done", t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="MovieLens 100k directory, or 'synthetic'")
    parser.add_argument("--recipe", default="aws-sims", help="recipe name (default aws-sims)")
    parser.add_argument("--user", help="user id to recommend for (default: an active user)")
    options = parser.parse_args()
    with mock_personalize():
        run(options.data, options.recipe, options.user)


if __name__ == "__main__":
    main()
