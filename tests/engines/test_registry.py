"""The recipe catalogue: coverage of every documented recipe, lookups, and hyperparameters."""

import pytest

from personalize_emulator.engines import registry
from personalize_emulator.engines.base import EngineError

GA_CUSTOM = [
    "aws-user-personalization-v2", "aws-user-personalization", "aws-hrnn", "aws-hrnn-metadata",
    "aws-hrnn-coldstart", "aws-popularity-count", "aws-trending-now",
    "aws-personalized-ranking-v2", "aws-personalized-ranking", "aws-similar-items", "aws-sims",
    "aws-semantic-similarity", "aws-next-best-action", "aws-item-affinity",
    "aws-item-attribute-affinity",
]
DOMAIN = [
    "aws-ecomm-popular-items-by-views", "aws-ecomm-popular-items-by-purchases",
    "aws-ecomm-frequently-bought-together", "aws-ecomm-customers-who-viewed-x-also-viewed",
    "aws-ecomm-recommended-for-you", "aws-vod-because-you-watched-x", "aws-vod-more-like-x",
    "aws-vod-most-popular", "aws-vod-trending-now", "aws-vod-top-picks",
]
PREVIEW = [
    "awspersonalizehrnnmodel", "awspersonalizehrnnmodel-for-metadata",
    "awspersonalizehrnnmodel-for-coldstart", "awspersonalizesimsmodel", "popularity-baseline",
    "awspersonalizedeepfmmodel", "awspersonalizeffnnmodel", "search-personalization",
]


@pytest.mark.parametrize("name", GA_CUSTOM + DOMAIN + PREVIEW)
def test_every_documented_recipe_is_catalogued(name):
    spec = registry.get_recipe(name)
    assert spec is not None
    assert registry.get_recipe(f"arn:aws:personalize:::recipe/{name}") is spec
    assert registry.get_algorithm(spec.algorithm_arn) is not None
    if spec.feature_transformation_arn:
        assert registry.get_feature_transformation(spec.feature_transformation_arn) is not None
    assert ":" in spec.engine and spec.engine.startswith("personalize_emulator.engines.recipes.")


def test_dialects_and_domains_partition_the_catalogue():
    assert {r.name for r in registry.all_recipes("preview")} == set(PREVIEW)
    assert {r.name for r in registry.all_recipes("ga")} == set(GA_CUSTOM + DOMAIN)
    assert {r.name for r in registry.all_recipes(domain="ECOMMERCE")} == {
        n for n in DOMAIN if "ecomm" in n
    }
    assert registry.get_recipe("aws-vod-top-picks").domain == "VIDEO_ON_DEMAND"
    assert registry.get_recipe("aws-hrnn").legacy
    assert registry.get_recipe("aws-nonexistent") is None


def test_documented_defaults_and_ranges():
    sims = registry.get_recipe("aws-sims")
    assert sims.hyperparameter("popularity_discount_factor").default == "0.5"
    assert sims.hyperparameter("min_cointeraction_count").max == 10
    assert sims.defaults("featurization")["max_item_interaction_count_percentile"] == "0.9"
    assert registry.get_recipe("aws-hrnn").hyperparameter("hidden_dimension").default == "43"
    up = registry.get_recipe("aws-user-personalization")
    assert up.hyperparameter("hidden_dimension").default == "149"
    assert up.hyperparameter("exploration_weight").scope == "campaign"
    trend = registry.get_recipe("aws-trending-now")
    assert trend.algorithm_arn.endswith("algorithm/aws-trending-now-custom")
    assert trend.hyperparameter("trend_discovery_frequency").default == "2 hours"
    assert trend.use_case == "POPULAR_ITEMS"


def test_describe_algorithm_shapes():
    algo = registry.get_algorithm("arn:aws:personalize:::algorithm/aws-hrnn")
    assert algo.default_hyperparameters["bptt"] == "32"
    ranges = algo.default_hyperparameter_ranges()
    hidden = next(r for r in ranges["integerHyperParameterRanges"] if r["name"] == "hidden_dimension")
    assert hidden == {"name": "hidden_dimension", "isTunable": True, "minValue": 32, "maxValue": 256}
    assert "min_user_history_length_percentile" not in algo.default_hyperparameters
    ft = registry.get_feature_transformation(
        "arn:aws:personalize:::feature-transformation/JSON-percentile-filtering"
    )
    assert ft.default_parameters["max_user_history_length_percentile"] == "0.99"
    assert registry.get_algorithm("arn:aws:personalize:::algorithm/nope") is None


def test_domain_rules():
    cwv = registry.get_recipe("aws-ecomm-customers-who-viewed-x-also-viewed")
    assert cwv.rule("event_types") == ("View",)
    assert cwv.rule("exclude_event_types") == ("Purchase",)
    assert registry.get_recipe("aws-vod-because-you-watched-x").rule("exclude_event_types") == (
        "Watch",
    )


def test_resolve_hyperparameters_validates_ranges():
    sims = registry.get_recipe("aws-sims")
    resolved = registry.resolve_hyperparameters(sims, {"min_cointeraction_count": "5"})
    assert resolved["min_cointeraction_count"] == "5"
    assert resolved["popularity_discount_factor"] == "0.5"
    with pytest.raises(EngineError, match="min_cointeraction_count"):
        registry.resolve_hyperparameters(sims, {"min_cointeraction_count": "11"})
    with pytest.raises(EngineError, match="popularity_discount_factor"):
        registry.resolve_hyperparameters(sims, {"popularity_discount_factor": "abc"})
    trend = registry.get_recipe("aws-trending-now")
    with pytest.raises(EngineError, match="trend_discovery_frequency"):
        registry.resolve_hyperparameters(trend, None, {"trend_discovery_frequency": "5 hours"})


def test_build_reports_missing_engines_clearly():
    spec = registry.get_recipe("aws-sims")
    broken = registry.RecipeSpec(**{**spec.__dict__, "engine": "personalize_emulator.nope:X"})
    with pytest.raises(EngineError, match="not available"):
        registry.build(broken)


@pytest.mark.parametrize("name", GA_CUSTOM + DOMAIN + PREVIEW)
def test_every_recipe_builds(name):
    spec = registry.get_recipe(name)
    module = spec.engine.partition(":")[0]
    if module.rsplit(".", 1)[-1] in {"hrnn", "sasrec"}:
        pytest.importorskip(module)  # the sequential engines live in another room
    recipe = registry.build(spec)
    assert callable(recipe.fit)
    if spec.rule("event_types"):
        assert recipe.event_types == tuple(spec.rule("event_types"))
