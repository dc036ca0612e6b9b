"""state.json: written atomically, read strictly, and settled for jobs a restart interrupted."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from personalize_emulator import config
from personalize_emulator.resources import clock, datastore, lifecycle, realtime, snapshot
from personalize_emulator.resources.batch_records import RecommenderRecord
from personalize_emulator.resources.pipeline_records import (
    CampaignRecord,
    CampaignUpdate,
    SolutionRecord,
    SolutionVersionRecord,
)
from personalize_emulator.resources.realtime_records import (
    DataDeletionJobRecord,
    FilterRecord,
    MetricAttributionRecord,
    MetricDefinition,
    MetricsOutput,
)
from personalize_emulator.resources.records import (
    DatasetGroupRecord,
    DatasetRecord,
    SchemaRecord,
)
from personalize_emulator.resources.snapshot import CREATE_AGAIN, SnapshotError
from personalize_emulator.resources.store import Store

ACCOUNT, REGION = "111122223333", "eu-west-1"
T0 = datetime(2024, 3, 1, 12, 0, 0, 123456, tzinfo=timezone.utc)


def arn(kind: str, name: str) -> str:
    return f"arn:aws:personalize:{REGION}:{ACCOUNT}:{kind}/{name}"


GROUP, DATASET, SCHEMA = (
    arn("dataset-group", "g"),
    arn("dataset", "g/INTERACTIONS"),
    arn("schema", "s"),
)
SOLUTION, VERSION = arn("solution", "sol"), arn("solution", "sol/abcd1234")
CAMPAIGN = arn("campaign", "c")


def put(store: Store, kind: str, record: object) -> object:
    store.records[kind][record.arn] = record
    return record


def populated_store() -> Store:
    """A store with one resource of several kinds, all settled (ACTIVE)."""
    store = Store(ACCOUNT, REGION)
    put(
        store, "schema", SchemaRecord(arn=SCHEMA, name="s", schema='{"type": "record"}', created=T0)
    )
    put(
        store, "dataset-group", DatasetGroupRecord(arn=GROUP, name="g", status="ACTIVE", created=T0)
    )
    dataset = put(store, "dataset", DatasetRecord(
        arn=DATASET, name="d", status="ACTIVE", dataset_group_arn=GROUP,
        dataset_type="INTERACTIONS", schema_arn=SCHEMA, created=T0,
    ))  # fmt: skip
    put(store, "solution", SolutionRecord(
        arn=SOLUTION, name="sol", status="ACTIVE", dataset_group_arn=GROUP,
        recipe_arn="arn:aws:personalize:::recipe/aws-popularity-count", created=T0,
        solution_config={"eventValueThreshold": "0.5", "algorithmHyperParameters": {}},
    ))  # fmt: skip
    put(store, "solution-version", SolutionVersionRecord(
        arn=VERSION, name="", status="ACTIVE", solution_arn=SOLUTION, dataset_group_arn=GROUP,
        recipe_arn=None, metrics={"precision_at_25": 0.125}, model_dir="/somewhere", created=T0,
    ))  # fmt: skip
    put(store, "campaign", CampaignRecord(
        arn=CAMPAIGN, name="c", status="ACTIVE", solution_arn=SOLUTION,
        solution_version_arn=VERSION, serving_version_arn=VERSION, created=T0,
    ))  # fmt: skip
    put(store, "metric-attribution", MetricAttributionRecord(
        arn=arn("metric-attribution", "m"), name="m", status="ACTIVE", dataset_group_arn=GROUP,
        metrics=[MetricDefinition(event_type="click", metric_name="CLICKS",
                                  expression="SAMPLECOUNT()")],
        output=MetricsOutput(role_arn="arn:aws:iam::1:role/r"),
        values={("CLICKS", "campaign-a"): 3.0},
    ))  # fmt: skip
    store.tags[GROUP] = {"team": "recs", "stage": "dev"}
    buffer = realtime.buffer_for(store, dataset)
    events = [
        realtime.BufferedEvent(user_key=u, session_id=f"s-{u}", target_id=i, timestamp=1.5 + n,
                               event_type="click", event_value=None, received=100.0 + n)
        for n, (u, i) in enumerate([("u1", "i1"), ("u1", "i2"), ("u2", "i1")])
    ]  # fmt: skip
    buffer.add(events)
    buffer.remember("event-1", ("u1", (("eventType", '"click"'),)))
    return store


def test_a_store_survives_save_and_load(tmp_path):
    store = populated_store()
    path = tmp_path / "state.json"
    snapshot.save([store, Store("999988887777", "us-west-2")], path)  # the empty one is skipped

    states = snapshot.load(path)
    assert list(states) == [(ACCOUNT, REGION)]
    state = states[(ACCOUNT, REGION)]
    for kind, by_arn in store.records.items():
        assert state.records[kind] == by_arn, kind
    assert state.tags == store.tags
    assert state.interrupted == [] and state.removed == []

    fresh = Store(ACCOUNT, REGION)
    with config.override(data_dir=tmp_path):
        snapshot.restore(fresh, state)
    assert fresh.records["campaign"][CAMPAIGN] == store.records["campaign"][CAMPAIGN]
    dataset = fresh.records["dataset"][DATASET]
    old = realtime.buffer_for(store, store.records["dataset"][DATASET])
    new = realtime.buffer_for(fresh, dataset)
    assert new is not old
    assert new.select("u1", None, realtime.ITEM, None) == old.select(
        "u1", None, realtime.ITEM, None
    )
    assert new.select(None, "s-u2", realtime.ITEM, 101.5) == old.select(None, "s-u2", "item", 101.5)
    assert new.is_duplicate("event-1", ()) and new.next_seq == old.next_seq == 3
    assert new.by_user["u1"].maxlen == realtime.MAX_EVENTS_PER_KEY


def test_the_file_is_replaced_atomically(tmp_path, monkeypatch):
    path = tmp_path / "state.json"
    snapshot.save([populated_store()], path)
    before = path.read_text()

    def crash(src, dst):
        raise OSError("disk pulled out")

    monkeypatch.setattr(os, "replace", crash)
    emptier = Store(ACCOUNT, REGION)
    put(emptier, "schema", SchemaRecord(arn=SCHEMA, name="s", schema="{}"))
    with pytest.raises(OSError, match="disk pulled out"):
        snapshot.save([emptier], path)
    assert path.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]  # no temp file left


def test_a_missing_file_is_an_empty_state(tmp_path):
    assert snapshot.load(tmp_path / "state.json") == {}


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"format": "personalize-emulator-state", "version": 1, "stores": [', "not valid JSON"),
        ("[1, 2]", "not a personalize-emulator state file"),
        ('{"format": "something-else", "version": 1}', "not a personalize-emulator state file"),
        ('{"format": "personalize-emulator-state", "version": "1"}', "no valid format version"),
        ('{"format": "personalize-emulator-state", "version": 99, "stores": []}',
         "newer personalize-emulator \\(state format version 99; this one reads up to 1\\)"),
    ],
)  # fmt: skip
def test_an_unreadable_file_is_a_clear_error_and_is_left_alone(tmp_path, text, message):
    path = tmp_path / "state.json"
    path.write_text(text)
    with pytest.raises(SnapshotError, match=message) as excinfo:
        snapshot.load(path)
    assert str(path) in str(excinfo.value)
    assert path.read_text() == text


def test_an_unknown_record_class_names_the_resource(tmp_path):
    path = tmp_path / "state.json"
    snapshot.save([populated_store()], path)
    payload = json.loads(path.read_text())
    payload["stores"][0]["records"]["campaign"][CAMPAIGN]["$record"] = "subprocess.Popen"
    path.write_text(json.dumps(payload))
    with pytest.raises(SnapshotError, match=f"campaign {CAMPAIGN}: unknown record class"):
        snapshot.load(path)


def _reload(store: Store, tmp_path: Path) -> snapshot.StoreState:
    path = tmp_path / "state.json"
    snapshot.save([store], path)
    return snapshot.load(path)[(ACCOUNT, REGION)]


@pytest.mark.parametrize(
    "status, settled, reason",
    [
        (lifecycle.CREATE_PENDING, lifecycle.CREATE_FAILED, CREATE_AGAIN),
        (lifecycle.CREATE_IN_PROGRESS, lifecycle.CREATE_FAILED, CREATE_AGAIN),
        (lifecycle.CREATE_STOPPING, lifecycle.CREATE_STOPPED, None),
        (lifecycle.ACTIVE, lifecycle.ACTIVE, None),
        (lifecycle.CREATE_FAILED, lifecycle.CREATE_FAILED, "training failed"),
    ],
)
def test_interrupted_training_comes_back_failed(tmp_path, status, settled, reason):
    store = populated_store()
    version = store.records["solution-version"][VERSION]
    version.status = status
    version.failure_reason = "training failed" if status == lifecycle.CREATE_FAILED else None
    state = _reload(store, tmp_path)
    restored = state.records["solution-version"][VERSION]
    assert (restored.status, restored.failure_reason) == (settled, reason)
    assert (VERSION in state.interrupted) == (status != settled)
    if status in (lifecycle.ACTIVE, lifecycle.CREATE_FAILED):
        assert restored.updated == version.updated  # untouched


def test_an_interrupted_campaign_update_fails_and_the_old_version_keeps_serving(tmp_path):
    store = populated_store()
    campaign = store.records["campaign"][CAMPAIGN]
    campaign.latest_update = CampaignUpdate(
        solution_version_arn=VERSION + "x", min_provisioned_tps=2,
        status=lifecycle.CREATE_IN_PROGRESS,
    )  # fmt: skip
    restored = _reload(store, tmp_path).records["campaign"][CAMPAIGN]
    assert restored.status == lifecycle.ACTIVE
    assert restored.serving_version_arn == VERSION
    assert restored.latest_update.status == lifecycle.CREATE_FAILED
    assert restored.latest_update.failure_reason == (
        "Interrupted by an emulator restart; update it again."
    )


@pytest.mark.parametrize(
    "status, settled, advice",
    [
        (lifecycle.STOP_IN_PROGRESS, lifecycle.ACTIVE, "stop it again"),
        (lifecycle.START_PENDING, lifecycle.INACTIVE, "start it again"),
        (lifecycle.CREATE_IN_PROGRESS, lifecycle.CREATE_FAILED, "create it again"),
    ],
)
def test_recommender_stops_and_starts_go_back_where_they_came_from(tmp_path, status, settled,
                                                                   advice):  # fmt: skip
    store = populated_store()
    recommender = put(store, "recommender", RecommenderRecord(
        arn=arn("recommender", "r"), name="r", status=status, dataset_group_arn=GROUP,
        recipe_arn="arn:aws:personalize:::recipe/aws-ecomm-popular-items-by-views",
    ))  # fmt: skip
    restored = _reload(store, tmp_path).records["recommender"][recommender.arn]
    assert restored.status == settled
    assert restored.failure_reason == f"Interrupted by an emulator restart; {advice}."


def test_an_interrupted_data_deletion_job_fails(tmp_path):
    store = populated_store()
    job = put(store, "data-deletion-job", DataDeletionJobRecord(
        arn=arn("data-deletion-job", "del"), name="del", status=lifecycle.IN_PROGRESS,
        dataset_group_arn=GROUP, data_location="s3://b/users.csv", role_arn="arn:aws:iam::1:role/r",
    ))  # fmt: skip
    restored = _reload(store, tmp_path).records["data-deletion-job"][job.arn]
    assert (restored.status, restored.failure_reason) == (lifecycle.FAILED, CREATE_AGAIN)


def test_interrupted_deletes_are_finished_with_what_goes_with_them(tmp_path):
    store = populated_store()
    filter_arn = arn("filter", "f")
    put(store, "filter", FilterRecord(
        arn=filter_arn, name="f", status="ACTIVE", dataset_group_arn=GROUP,
        filter_expression='EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")',
    ))  # fmt: skip
    store.tags[filter_arn] = {"k": "v"}
    # A group being deleted (its blocking children are gone already) and a solution too.
    for kind in ("dataset", "campaign"):
        store.records[kind].clear()
    store.records["dataset-group"][GROUP].status = lifecycle.DELETE_IN_PROGRESS
    store.records["solution"][SOLUTION].status = lifecycle.DELETE_PENDING
    state = _reload(store, tmp_path)
    assert GROUP not in state.records["dataset-group"] and GROUP not in state.tags
    assert filter_arn not in state.records["filter"] and filter_arn not in state.tags
    assert not state.records["metric-attribution"]
    assert SOLUTION not in state.records["solution"]
    assert VERSION not in state.records["solution-version"]
    assert {k for k, _ in state.removed} == {
        "dataset-group", "filter", "metric-attribution", "solution", "solution-version"
    }  # fmt: skip
    assert set(state.interrupted) == {GROUP, SOLUTION}


def test_restore_tidies_what_interrupted_jobs_left_on_disk(tmp_path):
    with config.override(data_dir=tmp_path):
        store = populated_store()
        version = store.records["solution-version"][VERSION]
        version.status, version.model_dir = lifecycle.CREATE_IN_PROGRESS, None
        half_written = datastore.model_dir(store, version)
        half_written.mkdir(parents=True)
        (half_written / "weights.npz").write_bytes(b"partial")
        dataset = store.records["dataset"][DATASET]
        staging = datastore.dataset_dir(store, dataset) / "staging" / "abc"
        staging.mkdir(parents=True)
        state = _reload(store, tmp_path)

        fresh = Store(ACCOUNT, REGION)
        snapshot.restore(fresh, state)
        assert not half_written.exists()
        assert not staging.parent.exists()
        assert fresh.records["solution-version"][VERSION].status == lifecycle.CREATE_FAILED

        # The restored store is wired to wipe its files on reset, like one that made them.
        assert datastore.store_dir(fresh).exists()
        fresh.reset()
        assert not (tmp_path / ACCOUNT / REGION).exists()


def test_a_buffer_of_a_dataset_that_is_gone_is_not_restored(tmp_path):
    store = populated_store()
    store.records["dataset"][DATASET].status = lifecycle.DELETE_PENDING
    with config.override(data_dir=tmp_path):
        fresh = Store(ACCOUNT, REGION)
        snapshot.restore(fresh, _reload(store, tmp_path))
    assert not any(key.startswith("realtime:") for key in fresh.blobs)
    assert DATASET not in fresh.records["dataset"]


def test_models_are_found_after_the_data_directory_moved(tmp_path):
    old_root, new_root = tmp_path / "before", tmp_path / "after"
    with config.override(data_dir=old_root):
        store = populated_store()
        version = store.records["solution-version"][VERSION]
        version.model_dir = str(datastore.model_dir(store, version))
        elsewhere = RecommenderRecord(
            arn=arn("recommender", "r"), name="r", status="ACTIVE", dataset_group_arn=GROUP,
            recipe_arn="arn:aws:personalize:::recipe/aws-ecomm-popular-items-by-views",
            model_dir="/opt/models/r",
        )  # fmt: skip
        put(store, "recommender", elsewhere)
        snapshot.save([store], old_root / "state.json")
    old_root.rename(new_root)

    with config.override(data_dir=new_root):
        fresh = Store(ACCOUNT, REGION)
        snapshot.restore(fresh, snapshot.load(new_root / "state.json")[(ACCOUNT, REGION)])
        moved = fresh.records["solution-version"][VERSION]
        assert moved.model_dir == str(datastore.model_dir(fresh, moved))
        assert moved.model_dir.startswith(str(new_root.resolve()))
    assert fresh.records["recommender"][elsewhere.arn].model_dir == "/opt/models/r"


def test_the_clock_offset_is_saved_and_a_file_without_one_reads_as_zero(tmp_path):
    path = tmp_path / "state.json"
    clock.set_offset(timedelta(days=3, hours=2))
    try:
        snapshot.save([populated_store()], path)
    finally:
        clock.reset()
    assert snapshot.load(path)[(ACCOUNT, REGION)].clock_offset == timedelta(days=3, hours=2)

    payload = json.loads(path.read_text())
    del payload["clock_offset_seconds"]  # a file written before the clock existed
    path.write_text(json.dumps(payload))
    assert snapshot.load(path)[(ACCOUNT, REGION)].clock_offset == timedelta(0)
