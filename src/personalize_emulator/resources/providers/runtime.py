"""personalize-runtime: GetRecommendations and GetPersonalizedRanking.

A request is answered by a :class:`Deployment` -- a recipe spec plus a loaded model plus the
serving settings of whatever deployed it. Campaigns are one kind of deployment; others (domain
recommenders) plug in with :func:`register_deployment`, keyed by the ARN kind, so this module's
request handling stays the same for all of them.

Per request:

* exactly one of ``campaignArn`` / ``recommenderArn``; the deployment must be ACTIVE
  (ResourceNotFoundException otherwise -- the sources are silent, api-surface §10.4). While a
  campaign update runs, the previous model keeps answering;
* the ids the recipe needs: ``userId`` for USER_PERSONALIZATION, ``itemId`` for RELATED_ITEMS,
  neither for POPULAR_ITEMS (a use case's own ``requires_*`` rules win); a ranking or actions
  campaign is refused by GetRecommendations, and only ranking campaigns take
  GetPersonalizedRanking (InvalidInputException);
* ``numResults`` defaults to 25 and may not exceed 500; ``inputList`` at most 500 items;
* ``context`` goes to the model (contextual recipes read it);
* filters, promotions and ``metadataColumns`` pass through one seam, :func:`shape_request`,
  which refuses them for now (InvalidInputException) rather than ignoring them; events the
  user sent since training come through the other seam, :func:`session_events`.

Scoring, cutting and exploration are ``engines.serving``'s: scores only for recipes that return
them, unknown users get the model's cold answer (popular items), unknown items in a ranking
come last without a score. Custom recipes do not drop items the user already interacted with
(the service leaves that to filters). ``recommendationId`` is ``RID-`` plus a UUID.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...engines import registry, serving
from ...engines.base import Model, Query, SessionEvent
from ...protocol.errors import InvalidInputException, ResourceNotFoundException
from .. import arns, lifecycle, models
from ..handlers import handler
from ..store import Store
from .campaigns import recipe_of

SERVICE = "personalize-runtime"
DEFAULT_RESULTS = 25
MAX_RESULTS = 500
MAX_RANKING_ITEMS = 500
DEFAULT_EXPLORATION = (0.3, 30.0)  # explorationWeight, explorationItemAgeCutOff (days)


@dataclass
class Deployment:
    """What answers a runtime request: a model, its recipe, and how it was deployed."""

    arn: str
    spec: registry.RecipeSpec
    model: Model
    dataset_group_arn: str
    exploration: tuple[float, float] | None = None
    metadata_enabled: bool = False
    #: Items never returned to a user, e.g. a use case's purchased items (recommenders).
    exclude: Callable[[str | None], Sequence[str]] = field(default=lambda user_id: ())


@dataclass
class Shaping:
    """What filters / promotions turn into for serving: an allowed-items mask (over
    ``model.item_ids``, True = allowed) and explicit exclusions."""

    mask: Any = None
    exclude: Sequence[str] = ()


Resolver = Callable[[Store, str], Deployment]
_RESOLVERS: dict[str, Resolver] = {}


def register_deployment(kind: str, resolver: Resolver) -> None:
    """Let ARNs of ``kind`` (e.g. ``recommender``) answer runtime requests."""
    _RESOLVERS[kind] = resolver


def _campaign(store: Store, arn: str) -> Deployment:
    with store.lock:
        campaign = store.records["campaign"].get(arn)
        if campaign is None:
            raise arns.not_found(arn)
        if campaign.status != lifecycle.ACTIVE or campaign.serving_version_arn is None:
            raise ResourceNotFoundException(
                f"Campaign {arn} is not ACTIVE (status: {campaign.status}); it can serve"
                " recommendations once it is ACTIVE."
            )
        version = store.records["solution-version"].get(campaign.serving_version_arn)
        if version is None:
            raise ResourceNotFoundException(
                f"The solution version deployed by campaign {arn} no longer exists."
            )
        config = campaign.campaign_config or {}
    spec = recipe_of(version)
    exploration = None
    if spec.rule("exploration"):
        given = config.get("itemExplorationConfig") or {}
        exploration = (
            float(given.get("explorationWeight", DEFAULT_EXPLORATION[0])),
            float(given.get("explorationItemAgeCutOff", DEFAULT_EXPLORATION[1])),
        )
    return Deployment(
        arn=arn,
        spec=spec,
        model=models.get(store, version),
        dataset_group_arn=version.dataset_group_arn,
        exploration=exploration,
        metadata_enabled=bool(config.get("enableMetadataWithRecommendations")),
    )


register_deployment("campaign", _campaign)


def deployment(store: Store, campaign_arn: str | None, recommender_arn: str | None) -> Deployment:
    if bool(campaign_arn) == bool(recommender_arn):
        raise InvalidInputException("Give exactly one of campaignArn and recommenderArn.")
    if campaign_arn:
        arns.expect(campaign_arn, "campaign", "campaignArn")
        return _RESOLVERS["campaign"](store, campaign_arn)
    arns.expect(recommender_arn, "recommender", "recommenderArn")
    resolver = _RESOLVERS.get("recommender")
    if resolver is None:
        raise InvalidInputException(
            "Invalid parameter recommenderArn: the emulator does not serve recommenders yet;"
            " use a campaignArn."
        )
    return resolver(store, recommender_arn)


# --- the two seams later features fill ---------------------------------------------------------


def shape_request(
    store: Store,
    deployment: Deployment,
    query: Query,
    *,
    filter_arn: str | None = None,
    filter_values: Mapping[str, str] | None = None,
    promotions: Sequence[Mapping[str, Any]] | None = None,
    metadata_columns: Mapping[str, Sequence[str]] | None = None,
) -> Shaping:
    """Filters, promotions and metadata columns -> serving inputs. Not supported yet."""
    for member, given in (
        ("filterArn", filter_arn),
        ("filterValues", filter_values),
        ("promotions", promotions),
        ("metadataColumns", metadata_columns),
    ):
        if given:
            raise InvalidInputException(
                f"Invalid parameter {member}: filters, promotions and metadata columns are not"
                " supported by the emulator yet."
            )
    return Shaping()


def session_events(store: Store, deployment: Deployment, user_id: str | None) -> list[SessionEvent]:
    """Events the user sent (PutEvents) since the model was trained. None are recorded yet."""
    return []


# --- handlers ----------------------------------------------------------------------------------


def _results(num_results: int | None) -> int:
    n = DEFAULT_RESULTS if num_results is None else int(num_results)
    if n > MAX_RESULTS:
        raise InvalidInputException(
            f"Invalid parameter numResults: {n} exceeds the maximum of {MAX_RESULTS}."
        )
    return n


def _require_ids(spec: registry.RecipeSpec, user_id: str | None, item_id: str | None) -> None:
    use_case = spec.use_case
    if use_case == "PERSONALIZED_RANKING":
        raise InvalidInputException(
            f"This campaign uses the PERSONALIZED_RANKING recipe {spec.name}; call"
            " GetPersonalizedRanking instead of GetRecommendations."
        )
    if use_case == "PERSONALIZED_ACTIONS":
        raise InvalidInputException(
            f"This campaign uses the PERSONALIZED_ACTIONS recipe {spec.name}; call"
            " GetActionRecommendations instead of GetRecommendations."
        )
    needs_user = spec.rule("requires_user_id", use_case == "USER_PERSONALIZATION")
    needs_item = spec.rule("requires_item_id", use_case == "RELATED_ITEMS")
    if needs_user and not user_id:
        raise InvalidInputException(
            f"Invalid parameter userId: a userId is required for {use_case} recipe {spec.name}."
        )
    if needs_item and not item_id:
        raise InvalidInputException(
            f"Invalid parameter itemId: an itemId is required for {use_case} recipe {spec.name}."
        )


def _item(item_id: str, score: float | None) -> dict[str, Any]:
    return {"itemId": item_id, "score": score}


def _recommendation_id() -> str:
    return f"RID-{uuid.uuid4()}"


@handler(SERVICE, "GetRecommendations")
def get_recommendations(
    store: Store,
    *,
    campaignArn: str | None = None,
    recommenderArn: str | None = None,
    itemId: str | None = None,
    userId: str | None = None,
    numResults: int | None = None,
    context: dict[str, str] | None = None,
    filterArn: str | None = None,
    filterValues: dict[str, str] | None = None,
    promotions: list[dict[str, Any]] | None = None,
    metadataColumns: dict[str, list[str]] | None = None,
) -> dict:
    n = _results(numResults)
    target = deployment(store, campaignArn, recommenderArn)
    _require_ids(target.spec, userId, itemId)
    related = target.spec.use_case == "RELATED_ITEMS"
    query = Query(
        user_id=userId,
        item_id=itemId if related else None,  # USER_PERSONALIZATION recipes ignore itemId
        context=dict(context or {}),
        session_events=session_events(store, target, userId),
    )
    shaping = shape_request(store, target, query, filter_arn=filterArn,
                            filter_values=filterValues, promotions=promotions,
                            metadata_columns=metadataColumns)  # fmt: skip
    ranked = serving.recommend(
        target.model,
        query,
        n,
        exclude_seen=False,
        exclude=[*target.exclude(userId), *shaping.exclude],
        mask=shaping.mask,
        exploration=target.exploration,
    )
    return {
        "itemList": [_item(i, s) for i, s in ranked],
        "recommendationId": _recommendation_id(),
    }


@handler(SERVICE, "GetPersonalizedRanking")
def get_personalized_ranking(
    store: Store,
    *,
    campaignArn: str,
    inputList: list[str],
    userId: str,
    context: dict[str, str] | None = None,
    filterArn: str | None = None,
    filterValues: dict[str, str] | None = None,
    metadataColumns: dict[str, list[str]] | None = None,
) -> dict:
    if len(inputList) > MAX_RANKING_ITEMS:
        raise InvalidInputException(
            f"Invalid parameter inputList: {len(inputList)} items exceed the maximum of"
            f" {MAX_RANKING_ITEMS}."
        )
    target = deployment(store, campaignArn, None)
    if target.spec.use_case != "PERSONALIZED_RANKING":
        raise InvalidInputException(
            f"GetPersonalizedRanking needs a campaign of a PERSONALIZED_RANKING recipe; this"
            f" campaign uses {target.spec.name} ({target.spec.use_case})."
        )
    query = Query(user_id=userId, context=dict(context or {}),
                  session_events=session_events(store, target, userId))  # fmt: skip
    shaping = shape_request(store, target, query, filter_arn=filterArn,
                            filter_values=filterValues,
                            metadata_columns=metadataColumns)  # fmt: skip
    blocked = {*target.exclude(userId), *shaping.exclude}
    ranked = serving.rank(target.model, query, [i for i in inputList if i not in blocked])
    return {
        "personalizedRanking": [_item(i, s) for i, s in ranked],
        "recommendationId": _recommendation_id(),
    }
