import pytest

from personalize_emulator.engines import hpo, registry
from personalize_emulator.engines.base import EngineError, FitOptions
from personalize_emulator.engines.synthetic import planted

SIMS = registry.get_recipe("aws-sims")


def _config(jobs="4", **ranges):
    return {"hpoResourceConfig": {"maxNumberOfTrainingJobs": jobs},
            "algorithmHyperParameterRanges": ranges}


def test_random_search_respects_budget_ranges_and_seed():
    world = planted(0, n_users=150, n_trending=0)
    config = _config(integerHyperParameterRanges=[
        {"name": "min_cointeraction_count", "minValue": 1, "maxValue": 6}])
    result = hpo.search(SIMS, world.data, FitOptions(seed=2), config)
    assert 1 < len(result.trials) <= 4
    assert result.trials[0][0]["min_cointeraction_count"] == "3"  # defaults first
    assert all(1 <= int(p["min_cointeraction_count"]) <= 6 for p, _ in result.trials[1:])
    assert result.best_score == max(score for _, score in result.trials)
    assert result.metric == "normalized_discounted_cumulative_gain_at_25"
    again = hpo.search(SIMS, world.data, FitOptions(seed=2), config)
    assert again.trials == result.trials


def test_grid_search():
    world = planted(0, n_users=150, n_trending=0)
    config = _config("3", continuousHyperParameterRanges=[
        {"name": "popularity_discount_factor", "minValue": 0.0, "maxValue": 1.0}])
    result = hpo.search(SIMS, world.data, FitOptions(), config, strategy="grid")
    values = {p["popularity_discount_factor"] for p, _ in result.trials[1:]}
    assert values <= {"0", "0.5", "1"}


def test_bad_configurations_are_refused():
    world = planted(0, n_users=60)
    with pytest.raises(EngineError, match="outside"):
        hpo.search(SIMS, world.data, FitOptions(), _config(integerHyperParameterRanges=[
            {"name": "min_cointeraction_count", "minValue": 0, "maxValue": 50}]))
    with pytest.raises(EngineError, match="not tunable"):
        hpo.search(registry.get_recipe("aws-item-affinity"), world.data, FitOptions(),
                   _config(integerHyperParameterRanges=[
                       {"name": "hidden_dimension", "minValue": 32, "maxValue": 64}]))
    with pytest.raises(EngineError, match="maxNumberOfTrainingJobs"):
        hpo.search(SIMS, world.data, FitOptions(), _config(jobs="41"))


def test_validation_users_are_not_the_solution_test_users(monkeypatch):
    from personalize_emulator.engines import evaluation

    world = planted(0, n_users=150, n_trending=0)
    test_split = evaluation.personalize_split(world.data.interactions, 2)
    train = test_split.training_data(world.data)
    drawn = []
    real = evaluation.personalize_split

    def recording(frame, seed, **kwargs):
        split = real(frame, seed, **kwargs)
        drawn.append(tuple(split.test_users))
        return split

    monkeypatch.setattr(evaluation, "personalize_split", recording)
    config = _config(jobs="3", integerHyperParameterRanges=[
        {"name": "min_cointeraction_count", "minValue": 1, "maxValue": 6}])
    hpo.search(SIMS, train, FitOptions(seed=2), config, exclude_users=test_split.test_users)
    assert len(drawn) == 3 and len(set(drawn)) == 1  # one validation split for every trial
    assert not set(drawn[0]) & set(test_split.test_users)
    assert len(drawn[0]) == round(0.1 * (150 - len(test_split.test_users)))
    # even when the caller cannot name them, the test split's own draw is not repeated
    drawn.clear()
    hpo.search(SIMS, train, FitOptions(seed=2), config)
    assert set(drawn[0]) != set(test_split.test_users)
