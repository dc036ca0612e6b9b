"""The 2018 preview dialect, spoken by a client built from the project's preview models."""

from __future__ import annotations

import json
from importlib import resources

import boto3
import botocore.session
import pytest

from personalize_emulator.protocol.specs import preview_specs

pytestmark = pytest.mark.skipif(len(preview_specs()) < 2, reason="preview models not present")


@pytest.fixture
def preview_session(tmp_path):
    """A boto3 session whose personalize and personalize-runtime models are the preview ones."""
    models = resources.files("personalize_emulator").joinpath("service_models")
    for name in ("personalize", "personalize-runtime"):
        raw = json.loads(models.joinpath(f"{name}.json").read_text())
        folder = tmp_path / name / raw["metadata"]["apiVersion"]
        folder.mkdir(parents=True)
        (folder / "service-2.json").write_text(json.dumps(raw))
    core = botocore.session.Session()
    core.get_component("data_loader").search_paths.insert(0, str(tmp_path))
    return boto3.Session(botocore_session=core)


def test_preview_calls_reach_preview_handlers(aws, preview_session, temp_handlers):
    seen = []

    def list_recipes(store, **params):
        seen.append(("control", store.region))
        return {"recipes": [{"name": "preview-recipe"}]}

    def get_recommendations(store, **params):
        seen.append(("runtime", store.region))
        return {"itemList": [{"itemId": "42"}]}

    temp_handlers("personalize", "ListRecipes", list_recipes, dialect="preview")
    temp_handlers(
        "personalize-runtime", "GetRecommendations", get_recommendations, dialect="preview"
    )

    control = aws.client("personalize", session=preview_session)
    assert control.meta.service_model.metadata["targetPrefix"] == "AWSConciergeControlService"
    assert control.list_recipes()["recipes"] == [{"name": "preview-recipe"}]

    runtime = aws.client("personalize-runtime", region_name="eu-west-1", session=preview_session)
    out = runtime.get_recommendations(
        campaignArn="arn:aws:personalize:eu-west-1:123456789012:campaign/c", userId="u"
    )
    assert out["itemList"] == [{"itemId": "42"}]
    assert seen == [("control", "us-east-1"), ("runtime", "eu-west-1")]
