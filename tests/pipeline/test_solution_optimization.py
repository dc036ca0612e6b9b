"""solutionConfig.eventsConfig and optimizationObjective through boto3: a v2 solution trains
with both and reports their metrics; what the service refuses is refused before anything is
created; UpdateSolution's eventsConfig applies to later versions."""

from __future__ import annotations

import numpy as np
import pytest
from botocore.exceptions import ClientError
from pipeline_support import BUCKET, RECIPE, ROLE, error_of

from personalize_emulator.engines.synthetic import planted
from support import avro, load_dataset

ITEMS = avro(
    "Items",
    ("ITEM_ID", "string"),
    ("GENRE", "string", {"categorical": True}),
    ("PRICE", "float"),
    ("RATING", ["null", "float"]),
)
EVENTS = {
    "eventParametersList": [
        {"eventType": "buy", "weight": 1.0},
        {"eventType": "click", "eventValueThreshold": 2.0, "weight": 0.2},
    ]
}
WEIGHTED_NDCG = "normalized_discounted_cumulative_gain_with_event_weights_at_k"


def _world():
    return planted(0, n_users=150, n_trending=0, event_types=("click", "buy"))


def _items(pipe, world) -> str:
    frame = world.data.items.frame[["ITEM_ID", "GENRE"]].copy()
    frame["PRICE"] = np.round(np.random.default_rng(3).lognormal(3.0, 1.0, len(frame)), 2)
    frame["RATING"] = 4.0
    return load_dataset(pipe.personalize, pipe.s3, group=pipe.group, name="shop",
                        dataset_type="Items", schema=ITEMS, csv=frame.to_csv(index=False).encode(),
                        bucket=BUCKET, key="items.csv", role=ROLE)  # fmt: skip


def _refused(call, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as exc:
        call(*args, **kwargs)
    return error_of(exc)


def test_v2_solution_trains_with_event_weights_and_an_objective(pipe):
    world = _world()
    pipe.load(world.data.interactions)
    _items(pipe, world)
    config = {"eventsConfig": EVENTS,
              "optimizationObjective": {"itemAttribute": "PRICE", "objectiveSensitivity": "HIGH"}}
    solution = pipe.solution("weighted", "aws-user-personalization-v2", solutionConfig=config)
    version = pipe.version(solution)
    assert version["status"] == "ACTIVE", version
    assert version["solutionConfig"] == config
    metrics = pipe.personalize.get_solution_metrics(
        solutionVersionArn=version["solutionVersionArn"])["metrics"]
    assert 0.0 < metrics[WEIGHTED_NDCG] <= 1.0
    assert 0.0 < metrics["average_rewards_at_k"] <= 1.0
    assert "normalized_discounted_cumulative_gain_at_10" in metrics


@pytest.fixture
def shop(pipe):
    """A group with an Interactions dataset (EVENT_TYPE, EVENT_VALUE) and an Items schema."""
    group = pipe.dataset_group("shop")
    schema = pipe.personalize.create_schema(name="shop-items", schema=ITEMS)["schemaArn"]
    pipe.personalize.create_dataset(name="shop-items", schemaArn=schema, datasetGroupArn=group,
                                    datasetType="Items")  # fmt: skip
    return group


def _weights(*entries: tuple) -> dict:
    return {"eventsConfig": {"eventParametersList": [
        {"eventType": t, "weight": w} for t, w in entries]}}  # fmt: skip


def _objective(column: str) -> dict:
    return {"optimizationObjective": {"itemAttribute": column, "objectiveSensitivity": "LOW"}}


@pytest.mark.parametrize(
    ("recipe", "config", "words"),
    [
        ("aws-user-personalization-v2", _weights(("buy", 1.5)),
         "Member must have value less than or equal to 1"),
        ("aws-user-personalization", _weights(("buy", 1.0)),
         "only available for the aws-user-personalization-v2 and aws-personalized-ranking-v2"),
        ("aws-user-personalization-v2", _weights(("buy", 1.0), ("BUY", 0.5)),
         "event type BUY is listed more than once"),
        ("aws-user-personalization-v2", _weights(("buy", 0.0), ("click", 0.0)),
         "at least one event type needs a weight above 0"),
        ("aws-sims", _objective("PRICE"), "an optimization objective is only available"),
        ("aws-user-personalization", _objective("GENRE"), "GENRE is a string column"),
        ("aws-user-personalization", _objective("COST"),
         "COST is not a column of the Items dataset (numerical columns: PRICE)"),
        ("aws-personalized-ranking-v2", _objective("RATING"), "RATING allows null"),
    ],
)
def test_bad_configurations_are_refused(pipe, shop, recipe, config, words):
    code, message = _refused(pipe.solution, "bad", recipe, solutionConfig=config)
    assert code == "InvalidInputException" and words in message, message
    assert pipe.personalize.list_solutions()["solutions"] == []


def test_objective_needs_an_items_dataset_and_weights_an_event_type_column(pipe):
    pipe.dataset_group()
    code, message = _refused(pipe.solution, "bad", "aws-user-personalization",
                             solutionConfig=_objective("PRICE"))  # fmt: skip
    assert code == "InvalidInputException" and "has no Items dataset" in message
    schema = pipe.personalize.create_schema(name="plain", schema=avro(
        "Interactions", ("USER_ID", "string"), ("ITEM_ID", "string"), ("TIMESTAMP", "long"),
    ))["schemaArn"]  # fmt: skip
    group = pipe.personalize.create_dataset_group(name="plain")["datasetGroupArn"]
    pipe.personalize.create_dataset(name="plain", schemaArn=schema, datasetGroupArn=group,
                                    datasetType="Interactions")  # fmt: skip
    code, message = _refused(pipe.personalize.create_solution, name="bad", datasetGroupArn=group,
                             recipeArn=RECIPE + "aws-user-personalization-v2",
                             solutionConfig=_weights(("buy", 1.0)))  # fmt: skip
    assert code == "InvalidInputException" and "no EVENT_TYPE column" in message
    assert pipe.personalize.list_solutions()["solutions"] == []


def test_event_types_must_occur_in_the_data_and_updates_apply_to_later_versions(pipe):
    pipe.load(_world().data.interactions)
    p = pipe.personalize
    solution = pipe.solution("typo", "aws-user-personalization-v2",
                             solutionConfig=_weights(("buy", 1.0), ("purchase", 0.5)))
    code, message = _refused(p.create_solution_version, solutionArn=solution)
    assert code == "InvalidInputException", message
    assert "event type(s) purchase do not occur in the Interactions dataset" in message
    assert p.list_solution_versions(solutionArn=solution)["solutionVersions"] == []

    fixed = pipe.solution("fixed", "aws-user-personalization-v2",
                          solutionConfig={"eventsConfig": EVENTS})
    update = _weights(("Watch", 1.0))
    p.update_solution(solutionArn=fixed, solutionUpdateConfig=update)
    described = p.describe_solution(solutionArn=fixed)["solution"]
    assert described["solutionConfig"]["eventsConfig"] == update["eventsConfig"]
    # the next version reads the updated configuration
    code, message = _refused(p.create_solution_version, solutionArn=fixed)
    assert code == "InvalidInputException" and "event type(s) watch do not occur" in message

    sims = pipe.solution("sims", "aws-sims")
    code, message = _refused(p.update_solution, solutionArn=sims, solutionUpdateConfig=update)
    assert code == "InvalidInputException" and "solutionUpdateConfig.eventsConfig" in message
    assert "eventsConfig" not in p.describe_solution(solutionArn=sims)["solution"].get(
        "solutionConfig", {})
