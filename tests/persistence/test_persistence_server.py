"""The standalone server with a data directory keeps its state across a restart.

In-process restarts use :class:`ThreadedServer` under ``config.override(data_dir=...)``; a
"new process" is simulated by dropping the moto-held stores without resetting them (a reset
would wipe the data directory), so the second server starts from ``state.json`` and the files
alone. The ``serve`` command itself is exercised in a subprocess (slow tests), with SIGTERM.
"""

from __future__ import annotations

import io
import json
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import numpy as np
import pytest
from botocore.config import Config

from personalize_emulator import cli, config
from personalize_emulator.mock import personalize_backends, store_for
from personalize_emulator.resources import clock as raw_clock
from personalize_emulator.resources import jobs, snapshot
from personalize_emulator.resources.snapshot import CREATE_AGAIN, SnapshotError
from personalize_emulator.server import ThreadedServer, create_app
from personalize_emulator.server.app import Front
from personalize_emulator.server.persistence import PersistentApp
from support import clock_call

ACCOUNT, REGION = "123456789012", "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/PersonalizeRole"
BUCKET = "persistence-data"
TERMINAL = {"ACTIVE", "CREATE FAILED", "CREATE STOPPED"}
INTERACTIONS = json.dumps(
    {
        "type": "record",
        "name": "Interactions",
        "namespace": "com.amazonaws.personalize.schema",
        "fields": [
            {"name": "USER_ID", "type": "string"},
            {"name": "ITEM_ID", "type": "string"},
            {"name": "TIMESTAMP", "type": "long"},
            {"name": "EVENT_TYPE", "type": "string"},
        ],
        "version": "1.0",
    }
)


def interactions_csv(n_users: int = 30, n_items: int = 60, per_user: int = 40) -> bytes:
    """``n_users * per_user`` interactions; item popularity falls off geometrically."""
    rng = np.random.default_rng(7)
    weights = 0.9 ** np.arange(n_items)
    lines = ["USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE"]
    for user in range(n_users):
        items = rng.choice(n_items, size=per_user, p=weights / weights.sum())
        for k, item in enumerate(items):
            lines.append(f"u{user},i{item},{1_700_000_000 + user * 1000 + k},click")
    return ("\n".join(lines) + "\n").encode()


def wait_until(read: Callable[[], dict], done: Callable[[dict], bool], timeout: float = 120):
    """Poll ``read()`` until ``done(result)``; the timeout only guards against a hang."""
    deadline = time.monotonic() + timeout
    while True:
        result = read()
        if done(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout}s: {result}")
        time.sleep(0.02)


def clients(endpoint: str) -> dict[str, Any]:
    cfg = Config(retries={"max_attempts": 1, "mode": "standard"}, s3={"addressing_style": "path"})
    return {
        name: boto3.client(
            name,
            endpoint_url=endpoint,
            region_name=REGION,
            config=cfg,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )  # fmt: skip
        for name in ("personalize", "personalize-runtime", "personalize-events", "s3")
    }


def forget_stores() -> None:
    """What a new process starts with: no stores (no reset: that would wipe the files)."""
    for account in list(personalize_backends):
        del personalize_backends[account]


def reset(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    with config.override(data_dir=tmp_path, job_mode="async", min_state_seconds=0.0):
        yield tmp_path
    forget_stores()


def build_world(c: dict[str, Any]) -> dict[str, str]:
    """Everything a demo builds, up to a campaign with a filter, tags and put events."""
    p = c["personalize"]
    c["s3"].create_bucket(Bucket=BUCKET)
    c["s3"].put_object(Bucket=BUCKET, Key="interactions.csv", Body=interactions_csv())
    tags = [{"tagKey": "team", "tagValue": "recs"}, {"tagKey": "stage", "tagValue": "demo"}]
    arns = {"schema": p.create_schema(name="clicks", schema=INTERACTIONS)["schemaArn"]}
    arns["group"] = p.create_dataset_group(name="shop", tags=tags)["datasetGroupArn"]
    wait_until(lambda: p.describe_dataset_group(datasetGroupArn=arns["group"])["datasetGroup"],
               lambda g: g["status"] in TERMINAL)  # fmt: skip
    arns["dataset"] = p.create_dataset(
        name="shop-clicks", schemaArn=arns["schema"], datasetGroupArn=arns["group"],
        datasetType="Interactions",
    )["datasetArn"]  # fmt: skip
    wait_until(lambda: p.describe_dataset(datasetArn=arns["dataset"])["dataset"],
               lambda d: d["status"] in TERMINAL)  # fmt: skip
    arns["import"] = p.create_dataset_import_job(
        jobName="first-import", datasetArn=arns["dataset"], roleArn=ROLE,
        dataSource={"dataLocation": f"s3://{BUCKET}/interactions.csv"},
    )["datasetImportJobArn"]  # fmt: skip
    job = wait_until(
        lambda: p.describe_dataset_import_job(datasetImportJobArn=arns["import"])[
            "datasetImportJob"
        ],
        lambda j: j["status"] in TERMINAL,
    )
    assert job["status"] == "ACTIVE", job
    arns["solution"] = p.create_solution(
        name="popular", datasetGroupArn=arns["group"], tags=tags[:1],
        recipeArn="arn:aws:personalize:::recipe/aws-popularity-count",
    )["solutionArn"]  # fmt: skip
    arns["version"] = p.create_solution_version(solutionArn=arns["solution"])["solutionVersionArn"]
    version = wait_until(
        lambda: p.describe_solution_version(solutionVersionArn=arns["version"])["solutionVersion"],
        lambda v: v["status"] in TERMINAL,
    )
    assert version["status"] == "ACTIVE", version
    arns["campaign"] = p.create_campaign(
        name="popular-now", solutionVersionArn=arns["version"], minProvisionedTPS=1
    )["campaignArn"]
    arns["filter"] = p.create_filter(
        name="unseen", datasetGroupArn=arns["group"],
        filterExpression='EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")',
    )["filterArn"]  # fmt: skip
    arns["tracker"] = p.create_event_tracker(name="clicks", datasetGroupArn=arns["group"])[
        "eventTrackerArn"
    ]
    for describe, key, arn_member, arn in (
        (p.describe_campaign, "campaign", "campaignArn", arns["campaign"]),
        (p.describe_filter, "filter", "filterArn", arns["filter"]),
        (p.describe_event_tracker, "eventTracker", "eventTrackerArn", arns["tracker"]),
    ):
        found = wait_until(
            lambda d=describe, k=key, m=arn_member, a=arn: d(**{m: a})[k],
            lambda r: r["status"] in TERMINAL,
        )
        assert found["status"] == "ACTIVE", found
    tracking_id = p.describe_event_tracker(eventTrackerArn=arns["tracker"])["eventTracker"][
        "trackingId"
    ]
    # A new user clicks the two most popular items: the filter must hide them, before and after.
    c["personalize-events"].put_events(
        trackingId=tracking_id, userId="newcomer", sessionId="session-1",
        eventList=[{"eventType": "click", "itemId": i, "sentAt": 1_800_000_000 + n}
                   for n, i in enumerate(("i0", "i1"))],
    )  # fmt: skip
    return arns


def observe(c: dict[str, Any], arns: dict[str, str]) -> dict[str, Any]:
    """What a client sees of the world: describes, lists, tags and recommendations."""
    p, rt = c["personalize"], c["personalize-runtime"]
    seen = {
        "schema": p.describe_schema(schemaArn=arns["schema"])["schema"],
        "group": p.describe_dataset_group(datasetGroupArn=arns["group"])["datasetGroup"],
        "dataset": p.describe_dataset(datasetArn=arns["dataset"])["dataset"],
        "import": p.describe_dataset_import_job(datasetImportJobArn=arns["import"])[
            "datasetImportJob"
        ],
        "solution": p.describe_solution(solutionArn=arns["solution"])["solution"],
        "version": p.describe_solution_version(solutionVersionArn=arns["version"])[
            "solutionVersion"
        ],
        "campaign": p.describe_campaign(campaignArn=arns["campaign"])["campaign"],
        "filter": p.describe_filter(filterArn=arns["filter"])["filter"],
        "tracker": p.describe_event_tracker(eventTrackerArn=arns["tracker"])["eventTracker"],
        "groups": p.list_dataset_groups()["datasetGroups"],
        "datasets": p.list_datasets(datasetGroupArn=arns["group"])["datasets"],
        "solutions": p.list_solutions()["solutions"],
        "versions": p.list_solution_versions(solutionArn=arns["solution"])["solutionVersions"],
        "campaigns": p.list_campaigns()["campaigns"],
        "filters": p.list_filters(datasetGroupArn=arns["group"])["Filters"],
        "tags": {k: p.list_tags_for_resource(resourceArn=arns[k])["tags"]
                 for k in ("group", "solution", "campaign")},
    }  # fmt: skip
    for who in ("u3", "newcomer"):
        seen[f"recs-{who}"] = [
            item["itemId"]
            for item in rt.get_recommendations(
                campaignArn=arns["campaign"], userId=who, numResults=10
            )["itemList"]
        ]
        seen[f"filtered-{who}"] = [
            item["itemId"]
            for item in rt.get_recommendations(
                campaignArn=arns["campaign"], userId=who, numResults=10, filterArn=arns["filter"]
            )["itemList"]
        ]
    return seen


def test_a_restarted_server_serves_the_same_world(data_dir):
    with ThreadedServer() as first:
        c = clients(first.endpoint_url)
        arns = build_world(c)
        before = observe(c, arns)
    assert before["recs-newcomer"][:2] == ["i0", "i1"]  # popularity: the planted ranking
    assert not {"i0", "i1"} & set(before["filtered-newcomer"])  # put events reach the filter
    assert before["tags"]["group"] == [
        {"tagKey": "team", "tagValue": "recs"}, {"tagKey": "stage", "tagValue": "demo"},
    ]  # fmt: skip
    assert (data_dir / "state.json").is_file()

    forget_stores()
    with ThreadedServer() as second:
        store = store_for(ACCOUNT, REGION)
        assert f"model:{arns['version']}" not in store.blobs  # not in memory: read from disk
        c = clients(second.endpoint_url)
        after = observe(c, arns)
        assert f"model:{arns['version']}" in store.blobs
        assert after == before

        # The restored world keeps working: a new version trains beside the restored one.
        p = c["personalize"]
        newer = p.create_solution_version(solutionArn=arns["solution"])["solutionVersionArn"]
        trained = wait_until(
            lambda: p.describe_solution_version(solutionVersionArn=newer)["solutionVersion"],
            lambda v: v["status"] in TERMINAL,
        )
        assert trained["status"] == "ACTIVE" and newer != arns["version"]

        reset(second.endpoint_url)  # forget everything, the saved state included
        assert not (data_dir / "state.json").exists()
        assert not (data_dir / ACCOUNT / REGION).exists()
        assert c["personalize"].list_dataset_groups()["datasetGroups"] == []


def test_a_job_running_at_shutdown_comes_back_failed(data_dir):
    with config.override(min_state_seconds=60.0):  # the create holds CREATE PENDING meanwhile
        with ThreadedServer() as first:
            p = clients(first.endpoint_url)["personalize"]
            group = p.create_dataset_group(name="interrupted")["datasetGroupArn"]
            kept = p.create_schema(name="kept", schema=INTERACTIONS)["schemaArn"]
            p.tag_resource(resourceArn=group, tags=[{"tagKey": "k", "tagValue": "v"}])
            shown = p.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]
            assert shown["status"] in ("CREATE PENDING", "CREATE IN_PROGRESS")
            old_store = store_for(ACCOUNT, REGION)
    jobs.runner_for(old_store).cancel_all()  # the old process's threads die with it
    forget_stores()

    with ThreadedServer() as second:
        p = clients(second.endpoint_url)["personalize"]
        restored = p.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]
        assert restored["status"] == "CREATE FAILED"
        assert restored["failureReason"] == CREATE_AGAIN
        assert restored["creationDateTime"] == shown["creationDateTime"]
        assert p.list_tags_for_resource(resourceArn=group)["tags"] == [
            {"tagKey": "k", "tagValue": "v"}
        ]
        assert p.describe_schema(schemaArn=kept)["schema"]["name"] == "kept"
        # The failed group can be deleted and created again, as after any failed create.
        p.delete_dataset_group(datasetGroupArn=group)
        wait_until(lambda: p.list_dataset_groups()["datasetGroups"], lambda gs: not gs)
    saved = json.loads((data_dir / "state.json").read_text())
    assert "dataset-group" not in saved["stores"][0]["records"]


def test_writes_are_saved_and_reads_are_not(data_dir):
    state = data_dir / "state.json"
    with ThreadedServer() as server:
        app = server._app
        assert isinstance(app, PersistentApp)
        p = clients(server.endpoint_url)["personalize"]
        schema = p.create_schema(name="s", schema=INTERACTIONS)["schemaArn"]
        # Saved before the response: no waiting for the watcher.
        saved = snapshot.load(state)[(ACCOUNT, REGION)]
        assert schema in saved.records["schema"]

        written = state.stat().st_mtime_ns
        p.describe_schema(schemaArn=schema)
        p.list_schemas()
        with pytest.raises(p.exceptions.ResourceAlreadyExistsException):
            p.create_schema(name="s", schema=INTERACTIONS)  # refused: changes nothing
        app.persistence.save_if_changed()  # nothing changed: nothing written
        assert state.stat().st_mtime_ns == written

        # A change made behind the door (as a job's worker makes) is found by the signature.
        store = store_for(ACCOUNT, REGION)
        with store.lock:
            store.tags[schema] = {"set": "by a worker"}
        app.persistence.save_if_changed()
        assert snapshot.load(state)[(ACCOUNT, REGION)].tags[schema] == {"set": "by a worker"}


@pytest.mark.parametrize(
    "method, path, headers, effect",
    [
        ("POST", "/", {"X-Amz-Target": "AmazonPersonalize.CreateSchema"}, "save"),
        ("POST", "/", {"X-Amz-Target": "AmazonPersonalize.DescribeSchema"}, None),
        ("POST", "/", {"X-Amz-Target": "AmazonPersonalize.ListTagsForResource"}, None),
        ("POST", "/", {"X-Amz-Target": "AmazonPersonalize.TagResource"}, "save"),
        ("POST", "/events", {"Content-Type": "application/json"}, "dirty"),
        ("POST", "/items", {"Content-Type": "application/json"}, "dirty"),
        ("POST", "/recommendations", {"Content-Type": "application/json"}, None),
        ("PUT", "/bucket/key.csv", {}, None),  # S3 is moto's, not persisted
    ],
)
def test_which_requests_save(method, path, headers, effect, tmp_path):
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    app = PersistentApp(Front(), persistence=None)
    request = Request(EnvironBuilder(method=method, path=path, headers=headers).get_environ())
    assert app._effect(request) == effect


def test_without_a_data_directory_nothing_is_persisted():
    with config.override(data_dir=None):
        assert type(create_app()) is Front


def test_an_unreadable_state_file_stops_the_server_with_a_clear_error(data_dir):
    state = data_dir / "state.json"
    state.write_text('{"format": "personalize-emulator-state", "version": 1, "stores": [')
    with pytest.raises(SnapshotError, match="is not valid JSON"):
        ThreadedServer().start()

    err = io.StringIO()
    with config.override(), redirect_stderr(err):
        code = cli.main(["serve", "--port", "0", "--data-dir", str(data_dir)])
    assert code == 1
    assert re.search(
        r"cannot load the saved state: .*state\.json is not valid JSON", err.getvalue()
    )
    assert state.read_text().endswith('"stores": [')  # left as it was


# --------------------------------------------------------------------------- the command


def serve(data_dir: Path) -> tuple[subprocess.Popen, str, list[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "personalize_emulator", "serve", "--port", "0",
         "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lines = []
    while line := proc.stdout.readline():
        lines.append(line)
        if "state:" in line:  # printed after the address
            url = re.search(r"listening on (http://\S+)", "".join(lines))
            return proc, url.group(1), lines
    proc.wait()
    raise AssertionError(f"serve exited {proc.returncode}: {lines} {proc.stderr.read()}")


def terminate(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=60)
    finally:
        proc.stdout.close()
        proc.stderr.close()


@pytest.mark.slow
def test_the_serve_command_keeps_state_across_sigterm(tmp_path):
    proc, url, lines = serve(tmp_path)
    try:
        assert "nothing saved yet" in "".join(lines)
        p = clients(url)["personalize"]
        group = p.create_dataset_group(name="kept", tags=[{"tagKey": "owner", "tagValue": "me"}])[
            "datasetGroupArn"
        ]
        first = wait_until(lambda: p.describe_dataset_group(datasetGroupArn=group)["datasetGroup"],
                           lambda g: g["status"] in TERMINAL)  # fmt: skip
    finally:
        assert terminate(proc) == 0

    proc, url, lines = serve(tmp_path)
    try:
        assert "restored 1 resource(s)" in "".join(lines)
        p = clients(url)["personalize"]
        assert p.describe_dataset_group(datasetGroupArn=group)["datasetGroup"] == first
        assert p.list_tags_for_resource(resourceArn=group)["tags"] == [
            {"tagKey": "owner", "tagValue": "me"}
        ]
    finally:
        assert terminate(proc) == 0

    (tmp_path / "state.json").write_text("not json")
    proc = subprocess.run(
        [sys.executable, "-m", "personalize_emulator", "serve", "--port", "0",
         "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "cannot load the saved state" in proc.stderr and "not valid JSON" in proc.stderr


def test_a_restarted_server_keeps_its_clock(data_dir):
    with ThreadedServer() as first:
        clients(first.endpoint_url)["personalize"].create_dataset_group(name="clocked")
        clock_call(first.endpoint_url, {"days": 2})
    saved = json.loads((data_dir / "state.json").read_text())
    assert saved["clock_offset_seconds"] == pytest.approx(2 * 86400)

    forget_stores()
    raw_clock.reset()  # what a new process starts with
    try:
        with ThreadedServer() as second:
            shown = clock_call(second.endpoint_url)
        assert raw_clock.offset() == timedelta(days=2)
        assert shown["offsetSeconds"] == 2 * 86400
    finally:
        raw_clock.reset()
