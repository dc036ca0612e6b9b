"""personalize-runtime: GetRecommendations, GetPersonalizedRanking, GetActionRecommendations.

A request is answered by a :class:`Deployment` -- a recipe spec plus a loaded model plus the
serving settings of whatever deployed it. Campaigns are one kind of deployment; others (domain
recommenders) plug in with :func:`register_deployment`, keyed by the ARN kind, so this module's
request handling stays the same for all of them.

Per request:

* exactly one of ``campaignArn`` / ``recommenderArn``; the deployment must be ACTIVE
  (ResourceNotFoundException otherwise -- the sources are silent, api-surface §10.4). While a
  campaign update runs, the previous model keeps answering;
* the ids the recipe needs: ``userId`` for USER_PERSONALIZATION, ``itemId`` for RELATED_ITEMS,
  neither for POPULAR_ITEMS (a use case's own ``requires_*`` rules win; a filter that reads the
  user needs ``userId`` anyway); each operation takes only its own use case
  (InvalidInputException);
* ``numResults`` defaults to 25 and may not exceed 500 (50 with ``metadataColumns``);
  ``inputList`` at most 500 items (50 with metadata); actions: default 5, at most 100;
* ``context`` goes to the model (recipes that learned contextual fields read it);
* real time -- :func:`session_events`: the events PutEvents delivered for the user (or for the
  anonymous session whose ``sessionId`` is given as ``userId``) since the model's training
  cut-off (``Deployment.trained_at``: a campaign's version creation time, a recommender's
  ``trained_at``) go to the model with the query, so sequence models (User-Personalization,
  v2, Personalized-Ranking, the personalised use cases) move at once; SIMS and popularity
  ignore them until retrained, as the service's do;
* filters, a promotion and ``metadataColumns`` -- :func:`shape_request`, with the rules in
  ``runtime_shaping``: a filter is a mask over the catalogue applied after scoring, so the
  list is filled up to N with the next-best allowed items; a filtered ranking drops the items
  the filter removes; promoted items carry ``promotionName``.

Scoring, cutting and exploration are ``engines.serving``'s: scores only for recipes that return
them, unknown users get the model's cold answer (popular items), unknown items in a ranking
come last without a score, expired actions are never returned. Custom recipes do not drop items
the user already interacted with (the service leaves that to filters). User-Personalization-v2
answers carry ``reason``: "Promoted item" for promoted items, "Popular item" when the user is
unknown to the model. ``recommendationId`` is ``RID-`` plus a UUID.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from ...engines import registry, serving
from ...engines.base import Model, Query, SessionEvent
from ...protocol.errors import InvalidInputException, ResourceNotFoundException
from .. import arns, lifecycle, models, realtime
from ..handlers import handler
from ..store import Store
from . import runtime_shaping as shaping_
from .campaigns import recipe_of

SERVICE = "personalize-runtime"
DEFAULT_RESULTS = 25
MAX_RESULTS = 500
MAX_RANKING_ITEMS = 500
MAX_RESULTS_WITH_METADATA = 50
MAX_RANKING_ITEMS_WITH_METADATA = 50
DEFAULT_ACTIONS = 5
MAX_ACTIONS = 100
#: Recipes whose answers carry ``reason`` (User-Personalization-v2 only, api-surface §8.1).
REASON_RECIPES = frozenset({"aws-user-personalization-v2"})
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
    #: When the model read its training data (epoch seconds or datetime); None: ask the record.
    trained_at: float | datetime | None = None
    #: Items never returned to a user, e.g. a use case's purchased items (recommenders).
    exclude: Callable[[str | None], Sequence[str]] = field(default=lambda user_id: ())


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
        trained_at=version.created,
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


# --- the two seams: request shaping and real-time events -------------------------------------


@dataclass
class Shaping:
    """What filters, a promotion and metadata columns turn into for one request."""

    mask: np.ndarray | None = None  # over the model's catalogue, True = allowed
    exclude: Sequence[str] = ()
    promotion: shaping_.Promotion | None = None
    metadata: Callable[[str], dict[str, str]] | None = None


def shape_request(
    store: Store,
    deployment: Deployment,
    query: Query,
    *,
    filter_arn: str | None = None,
    filter_values: Mapping[str, str] | None = None,
    promotions: Sequence[Mapping[str, Any]] | None = None,
    metadata_columns: Mapping[str, Sequence[str]] | None = None,
    candidates: Sequence[str] | None = None,
    target: str = "ItemID",
) -> Shaping:
    """Check the request's filter, promotion and metadata columns and turn them into serving
    inputs. The mask covers ``candidates`` (default: the model's items, or its actions when
    ``target`` is ``ActionID``)."""
    group = deployment.dataset_group_arn
    model = deployment.model
    if candidates is None:
        candidates = model.action_ids if target == "ActionID" else model.item_ids
    columns = shaping_.metadata_columns(store, metadata_columns, group,
                                        enabled=deployment.metadata_enabled,
                                        recipe_name=deployment.spec.name)  # fmt: skip
    out = Shaping()
    if filter_arn:
        compiled = shaping_.compiled(store, filter_arn, group, target=target, member="filterArn")
        out.mask = shaping_.filter_mask(compiled, candidates, user_id=query.user_id,
                                        item_id=query.item_id, filter_values=filter_values,
                                        member="filterArn")  # fmt: skip
    out.promotion = shaping_.promotion_of(store, promotions, group, model.item_ids,
                                          user_id=query.user_id, item_id=query.item_id)  # fmt: skip
    if columns:
        out.metadata = shaping_.metadata_reader(store, group, columns)
    return out


def training_cutoff(store: Store, deployment: Deployment) -> float | datetime | None:
    """When the deployment's model read its training data: events received later are new to it.

    Deployments that do not say (``trained_at`` None) are looked up by ARN: a record with a
    ``trained_at`` (recommenders) gives it; otherwise every received event counts."""
    if deployment.trained_at is not None:
        return deployment.trained_at
    with store.lock:
        record = store.records[arns.kind_of(deployment.arn) or ""].get(deployment.arn)
    return getattr(record, "trained_at", None)


def session_events(
    store: Store, deployment: Deployment, user_id: str | None, *, kind: str = realtime.ITEM
) -> list[SessionEvent]:
    """Events sent for ``user_id`` (a userId, or an anonymous session's sessionId) since the
    model was trained, oldest first. Models that learn from sequences replay them; the others
    (SIMS, popularity) ignore them until retrained."""
    if not user_id:
        return []
    return realtime.session_events(store, deployment.dataset_group_arn, user_id,
                                   since=training_cutoff(store, deployment), kind=kind)  # fmt: skip


# --- handlers ----------------------------------------------------------------------------------


def _results(num_results: int | None, default: int = DEFAULT_RESULTS,
             maximum: int = MAX_RESULTS, why: str = "") -> int:  # fmt: skip
    n = default if num_results is None else int(num_results)
    if n > maximum:
        raise InvalidInputException(
            f"Invalid parameter numResults: {n} exceeds the maximum of {maximum}{why}."
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


def _item(item_id: str, score: float | None, shaping: Shaping,
          promotion: str | None = None, reason: str | None = None) -> dict[str, Any]:  # fmt: skip
    out: dict[str, Any] = {"itemId": item_id, "score": score}
    if promotion is not None:
        out["promotionName"] = promotion
    if shaping.metadata is not None:
        out["metadata"] = shaping.metadata(item_id)
    if reason is not None:
        out["reason"] = [reason]
    return out


def _recommendation_id() -> str:
    return f"RID-{uuid.uuid4()}"


def _cold_user(target: Deployment, query: Query) -> bool:
    """The model knows nothing of this user: it answers with popular items."""
    if query.session_events or not query.user_id:
        return False
    user_ids = target.model.user_ids
    if len(user_ids):
        return query.user_id not in set(user_ids)
    return not target.model.history(query.user_id)


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
    if metadataColumns:
        n = _results(numResults, maximum=MAX_RESULTS_WITH_METADATA,
                     why=" when metadataColumns are requested")  # fmt: skip
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
    excluded = list(target.exclude(userId))
    promotion = shaping.promotion
    promoted: list[tuple[str, float | None]] = []
    if promotion is not None:
        promoted = serving.recommend(target.model, query, promotion.slots(n), exclude_seen=False,
                                     exclude=excluded, mask=promotion.mask)  # fmt: skip
    ranked = serving.recommend(
        target.model,
        query,
        n - len(promoted),
        exclude_seen=False,
        exclude=[*excluded, *shaping.exclude, *(i for i, _ in promoted)],
        mask=shaping.mask,
        exploration=target.exploration,
    )
    placed = shaping_.place(promoted, ranked, (target.arn, userId, itemId,
                                               promotion.name if promotion else None))  # fmt: skip
    v2 = target.spec.name in REASON_RECIPES
    popular = v2 and _cold_user(target, query)
    items = []
    for (item_id, score), is_promoted in placed:
        reason = None
        if v2:
            reason = "Promoted item" if is_promoted else ("Popular item" if popular else None)
        items.append(_item(item_id, score, shaping,
                           promotion.name if is_promoted and promotion else None, reason))  # fmt: skip
    return {"itemList": items, "recommendationId": _recommendation_id()}


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
    limit = MAX_RANKING_ITEMS_WITH_METADATA if metadataColumns else MAX_RANKING_ITEMS
    if len(inputList) > limit:
        raise InvalidInputException(
            f"Invalid parameter inputList: {len(inputList)} items exceed the maximum of"
            f" {limit}{' when metadataColumns are requested' if metadataColumns else ''}."
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
                            filter_values=filterValues, metadata_columns=metadataColumns,
                            candidates=inputList)  # fmt: skip
    blocked = {*target.exclude(userId), *shaping.exclude}
    kept = [
        item for k, item in enumerate(inputList)
        if item not in blocked and (shaping.mask is None or shaping.mask[k])
    ]  # fmt: skip
    ranked = serving.rank(target.model, query, kept)
    return {
        "personalizedRanking": [_item(i, s, shaping) for i, s in ranked],
        "recommendationId": _recommendation_id(),
    }


@handler(SERVICE, "GetActionRecommendations")
def get_action_recommendations(
    store: Store,
    *,
    campaignArn: str | None = None,
    userId: str | None = None,
    numResults: int | None = None,
    filterArn: str | None = None,
    filterValues: dict[str, str] | None = None,
) -> dict:
    n = _results(numResults, DEFAULT_ACTIONS, MAX_ACTIONS)
    if not campaignArn:
        raise InvalidInputException(
            "Invalid parameter campaignArn: GetActionRecommendations needs the campaignArn of a"
            " PERSONALIZED_ACTIONS campaign."
        )
    target = deployment(store, campaignArn, None)
    if target.spec.use_case != "PERSONALIZED_ACTIONS":
        raise InvalidInputException(
            f"GetActionRecommendations needs a campaign of a PERSONALIZED_ACTIONS recipe; this"
            f" campaign uses {target.spec.name} ({target.spec.use_case})."
        )
    if not userId:
        raise InvalidInputException(
            f"Invalid parameter userId: a userId is required for PERSONALIZED_ACTIONS recipe"
            f" {target.spec.name}."
        )
    query = Query(user_id=userId,
                  session_events=session_events(store, target, userId, kind=realtime.ACTION))  # fmt: skip
    shaping = shape_request(store, target, query, filter_arn=filterArn,
                            filter_values=filterValues, target="ActionID")  # fmt: skip
    ranked = serving.recommend_actions(target.model, query, n, mask=shaping.mask,
                                       exclude=shaping.exclude)  # fmt: skip
    return {
        "actionList": [{"actionId": a, "score": s} for a, s in ranked],
        "recommendationId": _recommendation_id(),
    }
