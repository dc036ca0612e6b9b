"""The examples run as a user runs them: in a subprocess, on synthetic MovieLens-shaped data.

* ``examples/test_with_mock_personalize.py`` passes under pytest (default suite).
* ``examples/blog_movielens.py`` -- the 2018 blog -- runs under ``personalize-emulator run`` and
  against a live ``personalize-emulator`` server with only its endpoints redirected (default
  suite too: about 10 s each on synthetic data, HRNN included). Both check that the printed recommendations are catalogue titles and
  that the blog's HRNN campaign recommends the sampled user something else than a
  popularity-baseline campaign does -- and more of the user's favourite genre.
* The README's main job as written -- the blog on the real MovieLens 100k beside the checkout
  (slow, skipped where ``shared/datasets`` is absent).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import boto3
import movielens
import pandas as pd
import pytest
from example_support import BLOG_SCRIPT, EXAMPLES, ROOT, clean_env, printed_recommendations, run

POPULARITY = "arn:aws:personalize:::recipe/popularity-baseline"
SEED = "3"


def test_the_pytest_example_passes(tmp_path: Path):
    result = run(
        [sys.executable, "-m", "pytest", str(EXAMPLES / "test_with_mock_personalize.py"),
         "-q", "-p", "no:cacheprovider", "-o", "addopts="],
        clean_env(), cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "4 passed" in result.stdout


def favourite_genre_share(data_dir: Path, user_id: str, item_ids: list[str]) -> float:
    """Share of ``item_ids`` in the genre of the user's highly rated movies."""
    ratings = pd.read_csv(data_dir / "u.data", sep="\t", names=["u", "i", "r", "t"])
    genres = movielens.read_genres(data_dir)
    liked = ratings[(ratings["u"] == int(user_id)) & (ratings["r"] > 3.6)]["i"]
    favourite = Counter(g for i in liked for g in genres[i]).most_common(1)[0][0]
    return sum(favourite in genres[int(i)] for i in item_ids) / len(item_ids)


def check_blog_result(stdout: str, summary: dict, data_dir: Path) -> None:
    titles = movielens.read_titles(data_dir)
    printed = printed_recommendations(stdout)
    assert printed == summary["titles"]
    assert len(printed) == 25  # the preview service's default
    assert [titles[int(i)] for i in summary["itemIds"]] == printed
    assert len(set(summary["itemIds"])) == len(printed)
    for status in ("DatasetGroup", "LatestDatasetImportJobRun", "Solution", "Campaign"):
        assert f"{status}: ACTIVE" in stdout


def compare_with_popularity(hrnn: dict, popular_ids: list[str], data_dir: Path) -> None:
    assert set(popular_ids) <= {str(i) for i in movielens.read_titles(data_dir)}
    assert hrnn["itemIds"] != popular_ids
    assert favourite_genre_share(data_dir, hrnn["userId"], hrnn["itemIds"]) > (
        favourite_genre_share(data_dir, hrnn["userId"], popular_ids)
    )


def test_the_blog_runs_under_personalize_emulator_run(tmp_path: Path, synthetic_ml100k: Path):
    env = clean_env(ML100K_DIR=str(synthetic_ml100k))
    summaries = {}
    # --preview puts the preview models in place before the script starts; without it the
    # script installs them itself. Both ways are exercised.
    for recipe, preview in (("awspersonalizehrnnmodel", ["--preview"]), ("popularity-baseline", [])):
        out = tmp_path / f"{recipe}.json"
        result = run(
            [sys.executable, "-m", "personalize_emulator", "run", *preview, str(BLOG_SCRIPT),
             "--seed", SEED, "--recipe", recipe, "--summary", str(out)],
            env, cwd=tmp_path,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        summaries[recipe] = json.loads(out.read_text())
        check_blog_result(result.stdout, summaries[recipe], synthetic_ml100k)

    hrnn, popular = summaries["awspersonalizehrnnmodel"], summaries["popularity-baseline"]
    assert hrnn["recipeArn"].endswith("/awspersonalizehrnnmodel")
    assert popular["recipeArn"] == POPULARITY
    assert (hrnn["userId"], hrnn["itemId"]) == (popular["userId"], popular["itemId"])  # same seed
    compare_with_popularity(hrnn, popular["itemIds"], synthetic_ml100k)


def test_the_blog_runs_against_a_live_server(
    tmp_path: Path, synthetic_ml100k: Path, monkeypatch: pytest.MonkeyPatch
):
    from personalize_emulator import config
    from personalize_emulator.server.threaded import ThreadedServer

    models = tmp_path / "models"
    installed = run(
        [sys.executable, "-m", "personalize_emulator", "install-preview-models",
         "--target", str(models)],
        clean_env(), cwd=tmp_path,
    )
    assert installed.returncode == 0, installed.stderr
    credentials = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                   "AWS_DEFAULT_REGION": "us-east-1"}

    # config.override: the server's job mode is process-wide; leave it as it was
    with config.override(job_mode="sync"), ThreadedServer(port=0, job_mode="sync") as server:
        out = tmp_path / "summary.json"
        result = run(
            [sys.executable, str(BLOG_SCRIPT), "--seed", SEED, "--summary", str(out)],
            clean_env(
                BLOG_ENDPOINT_URL=server.endpoint_url, AWS_DATA_PATH=str(models),
                ML100K_DIR=str(synthetic_ml100k), **credentials,
            ),
            cwd=ROOT,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        hrnn = json.loads(out.read_text())
        check_blog_result(result.stdout, hrnn, synthetic_ml100k)

        # the same dataset group, a popularity-baseline campaign, in the blog's own dialect
        for name, value in credentials.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("AWS_DATA_PATH", str(models))
        session = boto3.Session()
        personalize = session.client("personalize", endpoint_url=server.endpoint_url)
        runtime = session.client("personalize-runtime", endpoint_url=server.endpoint_url)
        assert hasattr(personalize, "get_metrics")  # the preview model is the one in use
        solution_arn = personalize.create_solution(
            name="DEMO-popularity", datasetGroupArn=hrnn["datasetGroupArn"],
            recipeArn=POPULARITY, minTPS=1,
        )["solutionArn"]
        status = personalize.describe_solution(solutionArn=solution_arn)["solution"]["status"]
        assert status == "ACTIVE"
        campaign_arn = personalize.create_campaign(
            name="DEMO-popularity-campaign", solutionArn=solution_arn, updateMode="MANUAL"
        )["campaignArn"]
        popular = runtime.get_recommendations(
            campaignArn=campaign_arn, userId=hrnn["userId"], itemId=hrnn["itemId"]
        )["itemList"]

    compare_with_popularity(hrnn, [entry["itemId"] for entry in popular], synthetic_ml100k)


@pytest.mark.slow
@pytest.mark.skipif(
    not movielens.has_files(movielens.SHARED_COPY), reason="no MovieLens 100k beside the checkout"
)
def test_the_blog_runs_on_movielens_100k(tmp_path: Path):
    """The README's main job as written: no options, the real data found beside the checkout."""
    result = run(
        [sys.executable, "-m", "personalize_emulator", "run", str(BLOG_SCRIPT)],
        clean_env(), cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"MovieLens 100k: {movielens.SHARED_COPY}\n" in result.stdout
    titles = set(movielens.read_titles(movielens.SHARED_COPY).values())
    recommended = printed_recommendations(result.stdout)
    assert len(recommended) == 25 and set(recommended) <= titles
