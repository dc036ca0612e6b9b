"""Installing the preview models: layout, loader precedence over GA, uninstall, activation, CLI.

The in-process tests use ``clean_boto3_env`` (no AWS_DATA_PATH, an empty ``~/.aws/models``,
no cached default boto3 session). The default ``~/.aws/models`` target and the blog's own
``aws configure add-model`` lines run in subprocesses with a throwaway HOME.
"""

from __future__ import annotations

import gzip
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from preview_support import BUILTIN_DATA, FakeTransport, target_of

from personalize_emulator import preview_models, service_models

DATASET_GROUP_ARN = "arn:aws:personalize:us-east-1:123456789012:dataset-group/g"


def _fresh_client(service: str = "personalize"):
    return boto3.Session().client(service, region_name="us-east-1")


def _write_ga_copy(root: Path, version: str = "2018-05-22") -> Path:
    """Put botocore's own GA control-plane model under ``root`` (a non-preview model)."""
    target = root / "personalize" / version / "service-2.json"
    target.parent.mkdir(parents=True)
    with gzip.open(BUILTIN_DATA / "personalize" / "2018-05-22" / "service-2.json.gz") as ga:
        target.write_bytes(ga.read())
    return target


def test_install_writes_botocore_layout_byte_for_byte(tmp_path):
    written = preview_models.install(tmp_path)

    assert written == [
        tmp_path / "personalize" / "2018-05-22" / "service-2.json",
        tmp_path / "personalize-runtime" / "2018-05-22" / "service-2.json",
    ]
    for service, path in zip(service_models.SERVICES, written, strict=True):
        assert path.read_bytes() == service_models.path(service).read_bytes()
    assert preview_models.install(tmp_path) == written  # idempotent
    assert sorted(p.name for p in written[0].parent.iterdir()) == ["service-2.json"]


def test_default_target_is_the_first_aws_data_path_entry(clean_boto3_env, monkeypatch):
    first, second = clean_boto3_env / "first", clean_boto3_env / "second"
    monkeypatch.setenv("AWS_DATA_PATH", f"{first}{os.pathsep}{second}")
    preview_models.install()
    assert preview_models.model_location(first, "personalize").is_file()
    assert not second.exists()


def test_installed_model_wins_over_builtin_ga_and_uninstall_restores_ga(
    clean_boto3_env, monkeypatch
):
    data = clean_boto3_env / "models"
    monkeypatch.setenv("AWS_DATA_PATH", str(data))
    assert not hasattr(_fresh_client(), "get_metrics")

    installed = preview_models.install()

    assert preview_models.effective_model_path("personalize") == installed[0]
    assert preview_models.effective_model_path("personalize-runtime") == installed[1]
    assert preview_models.preview_is_effective()
    client = _fresh_client()
    assert hasattr(client, "get_metrics")
    transport = FakeTransport(client, {"solutionArn": f"{DATASET_GROUP_ARN}/s"})
    client.create_solution(name="s", datasetGroupArn=DATASET_GROUP_ARN, minTPS=1)
    assert target_of(transport.last) == "AWSConciergeControlService.CreateSolution"
    # endpoint rules and paginators still come from botocore's GA directory
    assert transport.last.url == "https://personalize.us-east-1.amazonaws.com/"
    pages = iter([{"solutions": [{"name": "a"}], "nextToken": "t"}, {"solutions": [{"name": "b"}]}])
    lister = _fresh_client()
    FakeTransport(lister, lambda request: next(pages))
    listed = lister.get_paginator("list_solutions").paginate().build_full_result()
    assert [s["name"] for s in listed["solutions"]] == ["a", "b"]
    runtime = _fresh_client("personalize-runtime")
    sent = FakeTransport(runtime, {"itemList": []})
    runtime.get_recommendations(campaignArn=f"{DATASET_GROUP_ARN}/c", userId="1")
    assert target_of(sent.last) == "AWSConciergeRoutingService.GetRecommendations"
    assert sent.last.url == "https://personalize-runtime.us-east-1.amazonaws.com/"

    assert preview_models.uninstall() == installed

    assert not (data / "personalize").exists() and not (data / "personalize-runtime").exists()
    assert not preview_models.preview_is_effective()
    ga = _fresh_client()
    assert not hasattr(ga, "get_metrics")
    transport = FakeTransport(ga, {"solutionArn": f"{DATASET_GROUP_ARN}/s"})
    ga.create_solution(name="s", datasetGroupArn=DATASET_GROUP_ARN)
    assert target_of(transport.last) == "AmazonPersonalize.CreateSolution"


def test_earlier_search_path_wins_within_the_same_api_version(clean_boto3_env, monkeypatch):
    earlier, later = clean_boto3_env / "earlier", clean_boto3_env / "later"
    ga_copy = _write_ga_copy(earlier)
    preview_models.install(later)
    monkeypatch.setenv("AWS_DATA_PATH", f"{earlier}{os.pathsep}{later}")
    assert preview_models.effective_model_path("personalize") == ga_copy
    monkeypatch.setenv("AWS_DATA_PATH", f"{later}{os.pathsep}{earlier}")
    assert preview_models.effective_model_path("personalize") == preview_models.model_location(
        later, "personalize"
    )


def test_user_models_dir_beats_builtin(clean_boto3_env):
    preview_models.install(preview_models.user_models_dir())
    assert preview_models.preview_is_effective()
    assert hasattr(_fresh_client(), "get_metrics")


def test_uninstall_leaves_other_models_alone(clean_boto3_env):
    root = clean_boto3_env / "models"
    ga_copy = _write_ga_copy(root)
    preview_models.install(root)  # replaces the control plane file, adds the runtime one
    _write_ga_copy(root, version="2017-01-01")

    removed = preview_models.uninstall(root)

    assert removed == [
        preview_models.model_location(root, "personalize"),
        preview_models.model_location(root, "personalize-runtime"),
    ]
    assert not ga_copy.exists()
    assert (root / "personalize" / "2017-01-01" / "service-2.json").is_file()
    assert not (root / "personalize-runtime").exists()
    foreign = _write_ga_copy(clean_boto3_env / "other")
    assert preview_models.uninstall(clean_boto3_env / "other") == []
    assert foreign.is_file()


def test_activated_scopes_the_preview_to_the_block(clean_boto3_env, monkeypatch):
    outer = clean_boto3_env / "outer"
    monkeypatch.setenv("AWS_DATA_PATH", str(outer))
    before = boto3.DEFAULT_SESSION

    with preview_models.activated() as root:
        assert os.environ["AWS_DATA_PATH"] == f"{root}{os.pathsep}{outer}"
        assert hasattr(boto3.client("personalize", region_name="us-east-1"), "get_metrics")
        assert hasattr(boto3.client("personalize-runtime"), "personalize_ranking")

    assert os.environ["AWS_DATA_PATH"] == str(outer)
    assert boto3.DEFAULT_SESSION is before
    assert not hasattr(boto3.client("personalize", region_name="us-east-1"), "get_metrics")


def test_activated_without_prior_data_path_unsets_it_again(clean_boto3_env):
    with preview_models.activated():
        assert "AWS_DATA_PATH" in os.environ
    assert "AWS_DATA_PATH" not in os.environ


def test_private_data_path_is_rebuilt_if_removed():
    root = preview_models.installed_data_path()
    assert preview_models.installed_data_path() == root
    shutil.rmtree(root / "personalize-runtime")
    assert preview_models.installed_data_path() == root
    assert preview_models.model_location(root, "personalize-runtime").is_file()


def test_main_install_and_uninstall(clean_boto3_env, monkeypatch, capsys):
    data = clean_boto3_env / "models"
    monkeypatch.setenv("AWS_DATA_PATH", str(data))

    assert preview_models.main_install([]) == 0
    out = capsys.readouterr().out
    assert f"installed {preview_models.model_location(data, 'personalize')}" in out
    assert preview_models.preview_is_effective()

    assert preview_models.main_uninstall([]) == 0
    assert "removed" in capsys.readouterr().out
    assert preview_models.main_uninstall([]) == 0
    assert "no preview models found" in capsys.readouterr().err


def test_main_install_outside_the_search_path_says_how_to_enable(clean_boto3_env, capsys):
    elsewhere = clean_boto3_env / "elsewhere"
    assert preview_models.main_install(["--target", str(elsewhere)]) == 0
    assert f"export AWS_DATA_PATH={elsewhere.resolve()}" in capsys.readouterr().err
    assert preview_models.model_location(elsewhere, "personalize-runtime").is_file()


def test_main_install_fails_when_shadowed(clean_boto3_env, monkeypatch, capsys):
    earlier, later = clean_boto3_env / "earlier", clean_boto3_env / "later"
    _write_ga_copy(earlier)
    monkeypatch.setenv("AWS_DATA_PATH", f"{earlier}{os.pathsep}{later}")
    assert preview_models.main_install(["--target", str(later)]) == 1
    assert "warning: botocore will still load" in capsys.readouterr().err


def _python_in_home(home: Path, code: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "AWS_DATA_PATH"}
    env.update(HOME=str(home), AWS_DEFAULT_REGION="us-east-1")
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


PROBE = (
    "import boto3\n"
    "for s in ('personalize', 'personalize-runtime'):\n"
    "    print(boto3.Session().client(s).meta.service_model.metadata.get('targetPrefix'))\n"
)


@pytest.mark.slow
def test_default_install_goes_to_home_aws_models(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    out = _python_in_home(
        home,
        "from personalize_emulator import preview_models as p\n"
        "print(*p.install(), sep='\\n')\n" + PROBE + "p.uninstall()\n" + PROBE,
    ).splitlines()
    models = home / ".aws" / "models"
    assert out == [
        str(preview_models.model_location(models, "personalize")),
        str(preview_models.model_location(models, "personalize-runtime")),
        "AWSConciergeControlService",
        "AWSConciergeRoutingService",
        "AmazonPersonalize",
        "None",  # GA runtime is rest-json: no target prefix
    ]
    assert not (models / "personalize").exists()


def _aws_cli() -> list[str] | None:
    if importlib.util.find_spec("awscli") is not None:
        return [sys.executable, "-m", "awscli"]
    found = shutil.which("aws")
    return [found] if found else None


@pytest.mark.slow
@pytest.mark.skipif(_aws_cli() is None, reason="the aws CLI is not installed")
def test_blog_add_model_lines_install_our_files(tmp_path):
    """The blog's ``aws configure add-model`` lines, run in a folder holding our two files."""
    home, workdir = tmp_path / "home", tmp_path / "notebook"
    home.mkdir()
    workdir.mkdir()
    for service in service_models.SERVICES:
        shutil.copy(service_models.path(service), workdir / f"{service}.json")
    env = {k: v for k, v in os.environ.items() if k != "AWS_DATA_PATH"}
    env["HOME"] = str(home)
    for service in service_models.SERVICES:
        subprocess.run(
            [*_aws_cli(), "configure", "add-model",
             "--service-model", f"file://{workdir}/{service}.json",
             "--service-name", service],
            cwd=workdir, env=env, check=True, capture_output=True,
        )

    models = home / ".aws" / "models"
    for service in service_models.SERVICES:
        copy = preview_models.model_location(models, service)
        assert copy.read_bytes() == service_models.path(service).read_bytes()
    assert _python_in_home(home, PROBE).split() == [
        "AWSConciergeControlService",
        "AWSConciergeRoutingService",
    ]
    assert len(preview_models.uninstall(models)) == 2  # our uninstall removes add-model's copies
