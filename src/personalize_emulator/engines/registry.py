"""The recipe catalogue: every built-in recipe ARN, GA and preview, mapped to its engine.

One :class:`RecipeSpec` per recipe name carries what the control plane reports
(``DescribeRecipe``, ``ListRecipes``), the hyperparameters with defaults and ranges (which back
``DescribeAlgorithm``, ``DescribeFeatureTransformation``, validation and HPO), and how to build
the engine: ``engine`` is a ``"module:Class"`` path imported only when the recipe is built, so
listing recipes never imports torch.

``options`` holds fixed configuration. Two kinds of keys live there:

* engine keywords, passed to the engine's constructor by :func:`build` (``use_metadata``,
  ``cold_start``, ``ranking``, ``semantic``, ...);
* use-case rules (the keys in :data:`RULE_KEYS`) which :func:`build` applies itself or which
  the serving layer reads: ``event_types`` (train only on these event types, matched
  case-insensitively), ``exclude_event_types`` (items the user has events of these types on
  are excluded at serving), ``required_event_types`` (event type -> minimum count for
  training), ``exploration`` (the use case accepts ``itemExplorationConfig``),
  ``requires_user_id`` / ``requires_item_id`` (what a GetRecommendations call must carry).

``recipe_type`` is what ``DescribeRecipe.recipeType`` reports; ``category`` is the guide's
use-case category (``POPULAR_ITEMS`` for popularity and trending, which report
``USER_PERSONALIZATION`` as their type) and decides how a runtime request is served.

Choices where the public sources are silent (api-surface §10.5): recipe descriptions are our
own; algorithm images are named after the algorithm with a local ``dockerURI``; the default
resource configuration is a small CPU instance; trainingInputMode is ``File``.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .base import EngineError, Recipe

RECIPE_PREFIX = "arn:aws:personalize:::recipe/"
ALGORITHM_PREFIX = "arn:aws:personalize:::algorithm/"
FEATURE_TRANSFORMATION_PREFIX = "arn:aws:personalize:::feature-transformation/"

#: ``creationDateTime`` of every built-in recipe (the preview ``list_recipes`` output's date).
CATALOGUE_DATE = datetime(2018, 11, 25, tzinfo=timezone.utc)

RULE_KEYS = frozenset(
    {
        "event_types",
        "exclude_event_types",
        "required_event_types",
        "exploration",
        "requires_user_id",
        "requires_item_id",
    }
)

_ENGINES = "personalize_emulator.engines.recipes"


@dataclass(frozen=True)
class HyperParameter:
    name: str
    kind: str  # 'integer' | 'continuous' | 'categorical'
    default: str
    min: float | int | None = None
    max: float | int | None = None
    values: tuple[str, ...] = ()
    tunable: bool = False
    scope: str = "algorithm"  # 'algorithm' | 'featurization' | 'campaign'

    def check(self, value: str) -> str:
        """Validate a wire value (a string); return it normalised or raise EngineError."""
        text = str(value).strip()
        if self.kind == "categorical":
            allowed = {v.lower(): v for v in self.values}
            if self.values and text.lower() not in allowed:
                raise EngineError(
                    f"Invalid value {text!r} for hyperparameter {self.name}: "
                    f"expected one of {', '.join(self.values)}"
                )
            return allowed.get(text.lower(), text)
        try:
            number = float(text)
        except ValueError:
            raise EngineError(
                f"Invalid value {text!r} for hyperparameter {self.name}: expected a number"
            ) from None
        if number != number:
            raise EngineError(f"Invalid value {text!r} for hyperparameter {self.name}")
        if self.kind == "integer":
            if number != int(number):
                raise EngineError(
                    f"Invalid value {text!r} for hyperparameter {self.name}: expected an integer"
                )
            number = int(number)
        if self.min is not None and number < self.min:
            raise EngineError(
                f"Value {text} for hyperparameter {self.name} is below the minimum {self.min}"
            )
        if self.max is not None and number > self.max:
            raise EngineError(
                f"Value {text} for hyperparameter {self.name} is above the maximum {self.max}"
            )
        return str(number) if self.kind == "integer" else text


@dataclass(frozen=True)
class RecipeSpec:
    name: str
    arn: str
    recipe_type: str
    description: str
    algorithm_arn: str
    feature_transformation_arn: str | None
    domain: str | None
    dialects: frozenset[str]
    hyperparameters: tuple[HyperParameter, ...]
    engine: str
    options: Mapping[str, Any] = field(default_factory=dict)
    legacy: bool = False
    category: str = ""

    @property
    def use_case(self) -> str:
        return self.category or self.recipe_type

    def hyperparameter(self, name: str) -> HyperParameter | None:
        for hp in self.hyperparameters:
            if hp.name == name:
                return hp
        return None

    def defaults(self, scope: str) -> dict[str, str]:
        return {hp.name: hp.default for hp in self.hyperparameters if hp.scope == scope}

    def rule(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)


@dataclass(frozen=True)
class AlgorithmSpec:
    name: str
    arn: str
    image_name: str
    docker_uri: str
    hyperparameters: tuple[HyperParameter, ...]
    default_resource_config: Mapping[str, str]
    training_input_mode: str = "File"

    @property
    def default_hyperparameters(self) -> dict[str, str]:
        return {hp.name: hp.default for hp in self.hyperparameters}

    def default_hyperparameter_ranges(self) -> dict[str, list[dict[str, Any]]]:
        """The ``defaultHyperParameterRanges`` structure of DescribeAlgorithm."""
        ranges: dict[str, list[dict[str, Any]]] = {
            "integerHyperParameterRanges": [],
            "continuousHyperParameterRanges": [],
            "categoricalHyperParameterRanges": [],
        }
        for hp in self.hyperparameters:
            if hp.kind == "categorical":
                ranges["categoricalHyperParameterRanges"].append(
                    {"name": hp.name, "values": list(hp.values), "isTunable": hp.tunable}
                )
                continue
            entry: dict[str, Any] = {"name": hp.name, "isTunable": hp.tunable}
            cast = int if hp.kind == "integer" else float
            if hp.min is not None:
                entry["minValue"] = cast(hp.min)
            if hp.max is not None:
                entry["maxValue"] = cast(hp.max)
            ranges[f"{hp.kind}HyperParameterRanges"].append(entry)
        return ranges


@dataclass(frozen=True)
class FeatureTransformationSpec:
    name: str
    arn: str
    default_parameters: Mapping[str, str]


# --------------------------------------------------------------------------- hyperparameters


def _int(name, default, lo, hi, tunable=False, scope="algorithm") -> HyperParameter:
    return HyperParameter(name, "integer", str(default), lo, hi, (), tunable, scope)


def _float(name, default, lo, hi, tunable=False, scope="algorithm") -> HyperParameter:
    return HyperParameter(name, "continuous", str(default), lo, hi, (), tunable, scope)


def _cat(name, default, values, tunable=False, scope="algorithm") -> HyperParameter:
    return HyperParameter(name, "categorical", default, None, None, tuple(values), tunable, scope)


def _history_percentiles(lo: float, hi: float) -> tuple[HyperParameter, ...]:
    return (
        _float("min_user_history_length_percentile", lo, 0.0, 1.0, scope="featurization"),
        _float("max_user_history_length_percentile", hi, 0.0, 1.0, scope="featurization"),
    )


def _rnn(hidden: int) -> tuple[HyperParameter, ...]:
    return (
        _int("hidden_dimension", hidden, 32, 256, tunable=True),
        _int("bptt", 32, 2, 32, tunable=True),
        _cat("recency_mask", "true", ("true", "false"), tunable=True),
        *_history_percentiles(0.0, 0.99),
    )


_EXPLORATION = (
    _float("exploration_weight", 0.3, 0.0, 1.0, scope="campaign"),
    _float("exploration_item_age_cut_off", 30.0, 1.0, None, scope="campaign"),
)

_COLD_START = (
    _int("cold_start_max_interactions", 15, 1, None, scope="featurization"),
    _float("cold_start_max_duration", 5.0, 0.0, None, scope="featurization"),
    _cat(
        "cold_start_relative_from", "latestItem", ("currentTime", "latestItem"),
        scope="featurization",
    ),
)

_V2 = (_cat("apply_recency_bias", "true", ("true", "false")),)

_SIMS = (
    _float("popularity_discount_factor", 0.5, 0.0, 1.0, tunable=True),
    _int("min_cointeraction_count", 3, 0, 10, tunable=True),
    *_history_percentiles(0.005, 0.995),
    _float("min_item_interaction_count_percentile", 0.01, 0.0, 1.0, scope="featurization"),
    _float("max_item_interaction_count_percentile", 0.9, 0.0, 1.0, scope="featurization"),
)

_SIMILAR_ITEMS = (
    _int("item_id_hidden_dim", 100, 30, 200, tunable=True),
    _int("item_metadata_hidden_dim", 100, 30, 200, tunable=True),
)

TREND_FREQUENCIES = ("30 minutes", "1 hour", "2 hours", "3 hours", "1 day")
_TRENDING = (
    _cat("trend_discovery_frequency", "2 hours", TREND_FREQUENCIES, scope="featurization"),
)

_SEMANTIC = (
    _float("ranking_influence_freshness", 0.0, 0.0, 1.0, scope="campaign"),
    _float("ranking_influence_popularity", 0.0, 0.0, 1.0, scope="campaign"),
)

_NBA = (_int("action_optimization_period", 14, 7, 28, scope="featurization"),)

_AFFINITY = (_int("hidden_dimension", 149, 32, 256),)

# DeepFM and FFNN were dropped before GA; their preview hyperparameters were never published,
# so these are the engines' own knobs with ranges that keep training to seconds.
_DEEPFM = (
    _int("embedding_dimension", 16, 4, 64, tunable=True),
    _int("hidden_dimension", 64, 16, 256, tunable=True),
    _int("epochs", 8, 1, 50, tunable=True),
    _float("learning_rate", 0.01, 0.0001, 0.1, tunable=True),
    _int("negative_samples", 4, 1, 20),
    *_history_percentiles(0.0, 0.99),
)

_FFNN = (
    _int("hidden_dimension", 128, 16, 512, tunable=True),
    _int("epochs", 8, 1, 50, tunable=True),
    _float("learning_rate", 0.005, 0.0001, 0.1, tunable=True),
    _float("dropout", 0.2, 0.0, 0.8, tunable=True),
    *_history_percentiles(0.0, 0.99),
)


# --------------------------------------------------------------------------- catalogue


def _spec(
    name: str,
    recipe_type: str,
    description: str,
    engine: str,
    hyperparameters: tuple[HyperParameter, ...] = (),
    *,
    algorithm: str | None = None,
    feature_transformation: str | None = None,
    domain: str | None = None,
    dialect: str = "ga",
    options: Mapping[str, Any] | None = None,
    legacy: bool = False,
    category: str = "",
) -> RecipeSpec:
    return RecipeSpec(
        name=name,
        arn=RECIPE_PREFIX + name,
        recipe_type=recipe_type,
        description=description,
        algorithm_arn=ALGORITHM_PREFIX + (algorithm or name),
        feature_transformation_arn=(
            FEATURE_TRANSFORMATION_PREFIX + feature_transformation
            if feature_transformation
            else None
        ),
        domain=domain,
        dialects=frozenset({dialect}),
        hyperparameters=hyperparameters,
        engine=f"{_ENGINES}.{engine}",
        options=dict(options or {}),
        legacy=legacy,
        category=category or recipe_type,
    )


_HRNN = "hrnn:HRNNRecipe"
_SASREC = "sasrec:SASRecRecipe"
_POPULARITY = "popularity:PopularityCountRecipe"
_TREND = "trending:TrendingNowRecipe"
_SIMS_ENGINE = "sims:SimsRecipe"
_SIMILAR = "similar_items:SimilarItemsRecipe"

UP, PR, RI = "USER_PERSONALIZATION", "PERSONALIZED_RANKING", "RELATED_ITEMS"
US, PA, POP = "USER_SEGMENTATION", "PERSONALIZED_ACTIONS", "POPULAR_ITEMS"


def _custom_recipes() -> list[RecipeSpec]:
    return [
        _spec("aws-user-personalization-v2", UP,
              "Transformer-based recommendations for each user; scales to large catalogues and "
              "favours recent interactions.", _SASREC, _V2),
        _spec("aws-user-personalization", UP,
              "Recurrent model of each user's interaction sequence, with item exploration, "
              "impressions, contextual metadata and real-time session updates.",
              _HRNN, _rnn(149) + _EXPLORATION,
              options={"use_metadata": True, "cold_start": True, "exploration": True}),
        _spec("aws-hrnn", UP,
              "Hierarchical recurrent neural network over user interaction histories.",
              _HRNN, _rnn(43), feature_transformation="JSON-percentile-filtering", legacy=True),
        _spec("aws-hrnn-metadata", UP,
              "HRNN that also learns from item, user and contextual metadata.",
              _HRNN, _rnn(43), feature_transformation="featurize_metadata", legacy=True,
              options={"use_metadata": True}),
        _spec("aws-hrnn-coldstart", UP,
              "HRNN with metadata that also recommends new items with few interactions.",
              _HRNN, _rnn(149)[:3] + _COLD_START + _rnn(149)[3:],
              feature_transformation="featurize_coldstart", legacy=True,
              options={"use_metadata": True, "cold_start": True}),
        _spec("aws-popularity-count", UP,
              "The most popular items, counted over all users' interactions.",
              _POPULARITY, feature_transformation="sims", category=POP),
        _spec("aws-trending-now", UP,
              "Items whose interaction rate is growing fastest in the latest time window.",
              _TREND, _TRENDING, algorithm="aws-trending-now-custom", category=POP),
        _spec("aws-personalized-ranking-v2", PR,
              "Transformer-based re-ranking of a list of items for a user.",
              _SASREC, _V2, options={"ranking": True}),
        _spec("aws-personalized-ranking", PR,
              "Recurrent model that re-ranks a given list of items for a user.",
              _HRNN, _rnn(149), feature_transformation="JSON-percentile-filtering",
              options={"ranking": True, "use_metadata": True}),
        _spec("aws-similar-items", RI,
              "Items similar to a given item, from co-occurrence in interactions blended with "
              "item metadata, so new items with metadata only still get neighbours.",
              _SIMILAR, _SIMILAR_ITEMS),
        _spec("aws-sims", RI,
              "Item-to-item similarities from items that users interact with together.",
              _SIMS_ENGINE, _SIMS, feature_transformation="sims"),
        _spec("aws-semantic-similarity", RI,
              "Items whose names and descriptions are semantically closest to a given item.",
              "similar_items:SemanticSimilarityRecipe", _SEMANTIC,
              feature_transformation="aws-semantic-similarity"),
        _spec("aws-next-best-action", PA,
              "The actions each user is most likely to take next, ordered by propensity.",
              "next_best_action:NextBestActionRecipe", _NBA, category=PA),
        _spec("aws-item-affinity", US,
              "Users most likely to interact with given items.",
              "segmentation:ItemAffinityRecipe", _AFFINITY, feature_transformation="item-affinity"),
        _spec("aws-item-attribute-affinity", US,
              "Users most likely to interact with items having given attribute values.",
              "segmentation:ItemAttributeAffinityRecipe", _AFFINITY,
              feature_transformation="item-attribute-affinity"),
    ]


def _domain_recipes() -> list[RecipeSpec]:
    ecomm, vod = "ECOMMERCE", "VIDEO_ON_DEMAND"
    user_only = {"requires_user_id": True, "requires_item_id": False}
    user_item = {"requires_user_id": True, "requires_item_id": True}
    return [
        _spec("aws-ecomm-popular-items-by-views", UP,
              "Most viewed items.", _POPULARITY, domain=ecomm, category=POP,
              options={**user_only, "event_types": ("View",),
                       "required_event_types": {"View": 1000}}),
        _spec("aws-ecomm-popular-items-by-purchases", UP,
              "Best sellers.", _POPULARITY, domain=ecomm, category=POP,
              options={**user_only, "event_types": ("Purchase",),
                       "required_event_types": {"Purchase": 1000}}),
        _spec("aws-ecomm-frequently-bought-together", RI,
              "Items frequently bought together with a given item.", _SIMS_ENGINE, _SIMS[:2],
              domain=ecomm,
              options={"requires_user_id": False, "requires_item_id": True,
                       "event_types": ("Purchase",), "required_event_types": {"Purchase": 1000}}),
        _spec("aws-ecomm-customers-who-viewed-x-also-viewed", RI,
              "Items that customers who viewed a given item also viewed.", _SIMS_ENGINE,
              _SIMS[:2], domain=ecomm,
              options={**user_item, "event_types": ("View",),
                       "required_event_types": {"View": 1000},
                       "exclude_event_types": ("Purchase",)}),
        _spec("aws-ecomm-recommended-for-you", UP,
              "Personalised recommendations for each customer.", _HRNN, _EXPLORATION,
              domain=ecomm,
              options={**user_only, "use_metadata": True, "cold_start": True,
                       "exploration": True, "exclude_event_types": ("Purchase",)}),
        _spec("aws-vod-because-you-watched-x", RI,
              "Videos watched by viewers who watched a given video.", _SIMS_ENGINE, _SIMS[:2],
              domain=vod,
              options={**user_item, "event_types": ("Watch",),
                       "required_event_types": {"Watch": 1000},
                       "exclude_event_types": ("Watch",)}),
        _spec("aws-vod-more-like-x", RI,
              "Videos similar to a given video, from co-watching and video metadata.", _SIMILAR,
              domain=vod, options={**user_item, "exclude_event_types": ("Watch",)}),
        _spec("aws-vod-most-popular", UP,
              "Most watched videos.", _POPULARITY, domain=vod, category=POP,
              options={**user_only, "event_types": ("Watch",),
                       "required_event_types": {"Watch": 1000}}),
        _spec("aws-vod-trending-now", UP,
              "Videos whose popularity is rising fastest.", _TREND, domain=vod, category=POP,
              options={"requires_user_id": False, "requires_item_id": False}),
        _spec("aws-vod-top-picks", UP,
              "Personalised video recommendations for each viewer.", _HRNN, _EXPLORATION,
              domain=vod,
              options={**user_only, "use_metadata": True, "cold_start": True,
                       "exploration": True, "exclude_event_types": ("Watch",)}),
    ]


def _preview_recipes() -> list[RecipeSpec]:
    def p(name, recipe_type, description, engine, hps, **kw) -> RecipeSpec:
        return _spec(name, recipe_type, description, engine, hps, dialect="preview", **kw)

    return [
        p("awspersonalizehrnnmodel", UP,
          "Hierarchical recurrent neural network over user interaction histories.", _HRNN, _rnn(43)),
        p("awspersonalizehrnnmodel-for-metadata", UP,
          "HRNN that also learns from item and user metadata.", _HRNN, _rnn(43),
          options={"use_metadata": True}),
        p("awspersonalizehrnnmodel-for-coldstart", UP,
          "HRNN with metadata that also recommends new items.", _HRNN,
          _rnn(149)[:3] + _COLD_START + _rnn(149)[3:],
          options={"use_metadata": True, "cold_start": True}),
        p("awspersonalizesimsmodel", RI,
          "Item-to-item similarities from co-occurrence in user histories.", _SIMS_ENGINE, _SIMS),
        p("popularity-baseline", UP,
          "The most popular items.", _POPULARITY, (), category=POP),
        p("awspersonalizedeepfmmodel", UP,
          "Factorization machine with a deep component over users, items and metadata.",
          "deepfm:DeepFMRecipe", _DEEPFM),
        p("awspersonalizeffnnmodel", UP,
          "Feed-forward network over a user's history and metadata.", "ffnn:FFNNRecipe", _FFNN),
        p("search-personalization", PR,
          "Re-ranks a list of items (e.g. search results) for a user.", _HRNN, _rnn(149),
          options={"ranking": True, "use_metadata": True}),
    ]


_CATALOGUE: tuple[RecipeSpec, ...] = tuple(
    _custom_recipes() + _domain_recipes() + _preview_recipes()
)
_BY_KEY: dict[str, RecipeSpec] = {}
for _r in _CATALOGUE:
    _BY_KEY[_r.arn] = _r
    _BY_KEY[_r.name] = _r


def all_recipes(dialect: str | None = None, domain: str | None = None) -> list[RecipeSpec]:
    """Every recipe, optionally only one dialect's (``'ga'``/``'preview'``) or one domain's."""
    return [
        r
        for r in _CATALOGUE
        if (dialect is None or dialect in r.dialects) and (domain is None or r.domain == domain)
    ]


def get_recipe(arn_or_name: str) -> RecipeSpec | None:
    return _BY_KEY.get(arn_or_name)


def _algorithm_name(arn: str) -> str:
    return arn[len(ALGORITHM_PREFIX):] if arn.startswith(ALGORITHM_PREFIX) else arn


def get_algorithm(arn: str) -> AlgorithmSpec | None:
    """The algorithm behind one or more recipes, by ARN (or bare name)."""
    name = _algorithm_name(arn)
    for r in _CATALOGUE:
        if r.algorithm_arn == ALGORITHM_PREFIX + name:
            return AlgorithmSpec(
                name=name,
                arn=r.algorithm_arn,
                image_name=name,
                docker_uri=f"personalize-emulator.local/algorithms/{name}:latest",
                hyperparameters=tuple(hp for hp in r.hyperparameters if hp.scope == "algorithm"),
                default_resource_config={
                    "instance_count": "1",
                    "instance_type": "local.cpu",
                },
            )
    return None


def get_feature_transformation(arn: str) -> FeatureTransformationSpec | None:
    name = arn[len(FEATURE_TRANSFORMATION_PREFIX):] if arn.startswith(
        FEATURE_TRANSFORMATION_PREFIX
    ) else arn
    full = FEATURE_TRANSFORMATION_PREFIX + name
    for r in _CATALOGUE:
        if r.feature_transformation_arn == full:
            return FeatureTransformationSpec(name, full, r.defaults("featurization"))
    return None


def resolve_hyperparameters(
    spec: RecipeSpec,
    algorithm: Mapping[str, str] | None = None,
    featurization: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Defaults overlaid with the caller's values, validated against the declared ranges.

    Raises EngineError naming the parameter for a value out of range. Unknown names are kept
    (the service ignores hyperparameters a recipe does not use).
    """
    merged = {hp.name: hp.default for hp in spec.hyperparameters if hp.scope != "campaign"}
    for given in (algorithm or {}, featurization or {}):
        for name, value in given.items():
            hp = spec.hyperparameter(name)
            merged[name] = hp.check(value) if hp is not None else str(value)
    return merged


class _EventTypeScoped(Recipe):
    """Trains the inner recipe only on the use case's event types (domain recommenders)."""

    def __init__(self, inner: Recipe, event_types: tuple[str, ...]):
        self.inner = inner
        self.event_types = tuple(event_types)

    def _scope(self, data):
        from .training import restrict_event_types

        return restrict_event_types(data, self.event_types)

    def fit(self, data, options):
        return self.inner.fit(self._scope(data), options)

    def update(self, model, data, options):
        return self.inner.update(model, self._scope(data), options)


def resolve_engine(path: str) -> type:
    module_name, _, class_name = path.partition(":")
    try:
        module = importlib.import_module(module_name)
        return getattr(module, class_name)
    except (ImportError, AttributeError) as exc:
        raise EngineError(f"The engine {path} is not available: {exc}") from exc


def build(spec: RecipeSpec) -> Recipe:
    """Instantiate the recipe's engine with its engine keywords (rules applied here or at serving)."""
    cls = resolve_engine(spec.engine)
    engine_options = {k: v for k, v in spec.options.items() if k not in RULE_KEYS}
    recipe = cls(**engine_options)
    event_types = spec.options.get("event_types")
    if event_types:
        recipe = _EventTypeScoped(recipe, tuple(event_types))
    return recipe
