"""Preview recipes without a GA name (DeepFM, FFNN) train their own engines, not a stand-in;
GA CreateSolution still refuses their ARNs."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from runtime_support import RECIPE, Shop, error_of, small_world

from personalize_emulator import preview_models
from personalize_emulator.engines.recipes.deepfm import DeepFMModel
from personalize_emulator.resources import models


@pytest.fixture(scope="module")
def preview_session() -> boto3.Session:
    import personalize_emulator.mock  # noqa: F401  (sessions copy moto's handlers when made)

    with preview_models.activated():
        session = boto3.Session()
        session.client("personalize", region_name="us-east-1")  # fixes its loader's models
    return session


def test_preview_deepfm_trains_the_deepfm_engine(aws, preview_session):
    shop = Shop.build(aws, small_world())
    preview = aws.client("personalize", session=preview_session)
    deepfm = RECIPE + "awspersonalizedeepfmmodel"
    arn = preview.create_solution(
        name="deepfm", datasetGroupArn=shop.group, recipeArn=deepfm, minTPS=1,
        solutionConfig={"algorithmHyperParameters": {"epochs": "1"}},
    )["solutionArn"]  # fmt: skip
    solution = preview.describe_solution(solutionArn=arn)["solution"]
    assert solution["status"] == "ACTIVE", solution
    assert solution["recipeArn"] == deepfm
    ga_view = shop.personalize.describe_solution(solutionArn=arn)["solution"]
    assert ga_view["recipeArn"] == deepfm  # no stand-in recipe behind it
    version_arn = ga_view["latestSolutionVersion"]["solutionVersionArn"]
    store = aws.store()
    with store.lock:
        version = store.records["solution-version"][version_arn]
    assert isinstance(models.get(store, version), DeepFMModel)
    [model_arn] = preview.get_metrics(solutionArn=arn)["metrics"]
    assert ":model/awspersonalizedeepfmmodel-" in model_arn
    # GA CreateSolution keeps refusing preview-only recipes
    with pytest.raises(ClientError) as exc:
        shop.personalize.create_solution(name="ga-deepfm", datasetGroupArn=shop.group,
                                         recipeArn=deepfm)  # fmt: skip
    assert error_of(exc)[0] == "ResourceNotFoundException"
