"""Campaigns: CreateCampaign, DescribeCampaign, ListCampaigns, UpdateCampaign, DeleteCampaign.

Deploying is loading the solution version's model (lazily, from disk if need be) in a job; a
campaign is ACTIVE once its model is in memory, and ``serving_version_arn`` names the version
that answers GetRecommendations. CreateCampaign takes a solution version ARN -- which must be
ACTIVE (ResourceInUseException otherwise) and of a recipe a campaign can serve -- or the alias
``<solutionArn>/$LATEST``, which means the solution's newest ACTIVE version. With
``campaignConfig.syncWithLatestSolutionVersion`` (which requires the alias) the campaign follows
the solution: each new version that becomes ACTIVE is deployed by an automatic update.

UpdateCampaign (campaign ACTIVE or CREATE FAILED, no update running) records
``latestCampaignUpdate`` and walks it CREATE PENDING -> CREATE IN_PROGRESS -> ACTIVE while the
campaign stays ACTIVE and keeps serving its old version and configuration; the switch happens
under the store lock when the update's model is loaded. A CREATE FAILED campaign has nothing to
keep serving, so its update re-deploys the campaign itself (the campaign walks the update path
and ``latestCampaignUpdate`` mirrors it).

``campaignConfig`` is checked against the recipe: ``itemExplorationConfig`` only where the
recipe explores (User-Personalization), with ``explorationWeight`` in [0, 1] and
``explorationItemAgeCutOff`` at least 1 day; ``rankingInfluence`` only for
aws-semantic-similarity, values in [0, 1].
"""

from __future__ import annotations

from typing import Any

from ...engines import registry
from ...protocol.errors import InvalidInputException, ResourceInUseException
from .. import arns, lifecycle, models
from ..common import (
    ensure_deletable,
    ensure_new,
    get_record,
    list_operation,
    no_work,
    status_summary,
    store_create_tags,
    tags_from_wire,
)
from ..handlers import handler
from ..jobs import runner_for
from ..pagination import newest_first
from ..pipeline_records import CampaignRecord, CampaignUpdate, SolutionVersionRecord
from ..store import Store

KIND = "campaign"
LATEST = "$LATEST"
EXPLORATION_KEYS = {"explorationWeight": (0.0, 1.0), "explorationItemAgeCutOff": (1.0, None)}
#: Recipe use cases a campaign can serve (segmentation runs in batch segment jobs only).
SERVABLE = frozenset(
    {"USER_PERSONALIZATION", "POPULAR_ITEMS", "RELATED_ITEMS", "PERSONALIZED_RANKING",
     "PERSONALIZED_ACTIONS"}
)  # fmt: skip


# --- resolving versions and checking configuration ---------------------------------------------


def recipe_of(version: SolutionVersionRecord) -> registry.RecipeSpec:
    spec = registry.get_recipe(version.recipe_arn or "")
    if spec is None:  # a version always has a known recipe once ACTIVE
        raise InvalidInputException(f"Solution version {version.arn} has no recipe.")
    return spec


def resolve_version(
    store: Store, arn: str, member: str = "solutionVersionArn"
) -> SolutionVersionRecord:
    """The ACTIVE version ``arn`` names (the alias ``.../$LATEST``: the newest ACTIVE one)."""
    parsed = arns.expect(arn, "solution-version", member)
    solution_name, version_id = parsed.parts
    if version_id == LATEST:
        solution_arn = arns.build("solution", solution_name, region=store.region,
                                  account=store.account_id)  # fmt: skip
        get_record(store, "solution", solution_arn, member)
        active = newest_first(
            v for v in store.records["solution-version"].values()
            if v.solution_arn == solution_arn and v.status == lifecycle.ACTIVE
        )  # fmt: skip
        if not active:
            raise ResourceInUseException(
                f"Solution {solution_arn} has no ACTIVE solution version to deploy yet."
            )
        version = active[0]
    else:
        version = get_record(store, "solution-version", arn, member)
        lifecycle.require_status(version.arn, version.status, lifecycle.ACTIVE)
    spec = recipe_of(version)
    if spec.use_case not in SERVABLE:
        raise InvalidInputException(
            f"Invalid parameter {member}: {spec.name} is a {spec.use_case} recipe; its versions"
            " are used by batch segment jobs, not campaigns."
        )
    return version


def check_config(
    config: dict[str, Any] | None, requested_arn: str, spec: registry.RecipeSpec
) -> None:
    config = config or {}
    if config.get("syncWithLatestSolutionVersion") and not requested_arn.endswith("/" + LATEST):
        raise InvalidInputException(
            "Invalid parameter solutionVersionArn: with campaignConfig."
            "syncWithLatestSolutionVersion true, give the solution as <solutionArn>/$LATEST."
        )
    exploration = config.get("itemExplorationConfig")
    if exploration is not None:
        if not spec.rule("exploration"):
            raise InvalidInputException(
                "Invalid parameter campaignConfig.itemExplorationConfig: recipe"
                f" {spec.name} does not explore; itemExplorationConfig is for"
                " User-Personalization campaigns."
            )
        for key, value in exploration.items():
            _check_number(f"campaignConfig.itemExplorationConfig.{key}", key, value,
                          EXPLORATION_KEYS)  # fmt: skip
    influence = config.get("rankingInfluence")
    if influence is not None:
        if spec.name != "aws-semantic-similarity":
            raise InvalidInputException(
                "Invalid parameter campaignConfig.rankingInfluence: only"
                " aws-semantic-similarity campaigns take a ranking influence."
            )
        for key, value in influence.items():
            if not 0.0 <= float(value) <= 1.0:
                raise InvalidInputException(
                    f"Invalid parameter campaignConfig.rankingInfluence.{key}: {value} is not"
                    " between 0 and 1."
                )


def _check_number(member: str, key: str, value: Any, bounds: dict) -> None:
    if key not in bounds:
        raise InvalidInputException(
            f"Invalid parameter {member}: unknown key {key} (allowed: {', '.join(bounds)})."
        )
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInputException(
            f"Invalid parameter {member}: {value!r} is not a number."
        ) from None
    lo, hi = bounds[key]
    if number < lo or (hi is not None and number > hi):
        limit = f"between {lo:g} and {hi:g}" if hi is not None else f"at least {lo:g}"
        raise InvalidInputException(f"Invalid parameter {member}: {value} must be {limit}.")


# --- wire shapes -------------------------------------------------------------------------------


def _summary(c: CampaignRecord) -> dict[str, Any]:
    return status_summary(c, "campaignArn")


def _update(c: CampaignRecord) -> dict[str, Any] | None:
    u = c.latest_update
    if u is None:
        return None
    mirror = u.status is None  # the update re-deployed a failed campaign: its status is theirs
    return {
        "solutionVersionArn": u.solution_version_arn,
        "minProvisionedTPS": u.min_provisioned_tps,
        "campaignConfig": u.campaign_config,
        "status": c.status if mirror else u.status,
        "failureReason": c.failure_reason if mirror else u.failure_reason,
        "creationDateTime": u.created,
        "lastUpdatedDateTime": c.updated if mirror else u.updated,
    }


# --- handlers ----------------------------------------------------------------------------------


@handler("personalize", "CreateCampaign")
def create_campaign(
    store: Store,
    *,
    name: str,
    solutionVersionArn: str,
    minProvisionedTPS: int | None = None,
    campaignConfig: dict[str, Any] | None = None,
    tags: list[dict[str, str]] | None = None,
) -> dict:
    checked_tags = tags_from_wire(tags)
    arn = arns.build(KIND, name, region=store.region, account=store.account_id)
    with store.lock:
        ensure_new(store, KIND, arn)
        version = resolve_version(store, solutionVersionArn)
        check_config(campaignConfig, solutionVersionArn, recipe_of(version))
        campaign = CampaignRecord(
            arn=arn,
            name=name,
            solution_arn=version.solution_arn,
            solution_version_arn=solutionVersionArn,
            min_provisioned_tps=1 if minProvisionedTPS is None else minProvisionedTPS,
            campaign_config=campaignConfig,
        )
        store.records[KIND][arn] = campaign
        store_create_tags(store, arn, checked_tags)
        _deploy(store, campaign, version)
    return {"campaignArn": arn}


def _deploy(store: Store, campaign: CampaignRecord, version: SolutionVersionRecord) -> None:
    def load(ctx: Any) -> None:
        models.get(store, version)

    def serve(_: object) -> None:
        campaign.serving_version_arn = version.arn

    runner_for(store).submit(campaign, load, on_success=serve)


@handler("personalize", "DescribeCampaign")
def describe_campaign(store: Store, *, campaignArn: str) -> dict:
    with store.lock:
        c: CampaignRecord = get_record(store, KIND, campaignArn, "campaignArn")
        return {
            "campaign": {
                **_summary(c),
                "solutionVersionArn": c.solution_version_arn,
                "minProvisionedTPS": c.min_provisioned_tps,
                "campaignConfig": c.campaign_config,
                "latestCampaignUpdate": _update(c),
            }
        }


list_campaigns = list_operation(
    "ListCampaigns", KIND, "campaigns", _summary, ("solutionArn", "solution")
)


@handler("personalize", "UpdateCampaign")
def update_campaign(
    store: Store,
    *,
    campaignArn: str,
    solutionVersionArn: str | None = None,
    minProvisionedTPS: int | None = None,
    campaignConfig: dict[str, Any] | None = None,
) -> dict:
    with store.lock:
        campaign: CampaignRecord = get_record(store, KIND, campaignArn, "campaignArn")
        lifecycle.require_status(campaign.arn, campaign.status,
                                 lifecycle.ACTIVE, lifecycle.CREATE_FAILED)  # fmt: skip
        if campaign.latest_update is not None and lifecycle.is_in_progress(
            campaign.latest_update.status
        ):
            raise ResourceInUseException(
                f"Campaign {campaignArn} is already being updated; wait for the update to finish."
            )
        requested = solutionVersionArn or campaign.solution_version_arn
        version = resolve_version(store, requested)
        config = campaign.campaign_config if campaignConfig is None else campaignConfig
        check_config(config, requested, recipe_of(version))
        tps = campaign.min_provisioned_tps if minProvisionedTPS is None else minProvisionedTPS
        _start_update(store, campaign, version, requested, tps, config)
    return {"campaignArn": campaignArn}


def _start_update(store: Store, campaign: CampaignRecord, version: SolutionVersionRecord,
                  requested: str, tps: int, config: dict[str, Any] | None) -> None:  # fmt: skip
    failed = campaign.status == lifecycle.CREATE_FAILED
    update = CampaignUpdate(
        solution_version_arn=requested,
        min_provisioned_tps=tps,
        campaign_config=config,
        status=None if failed else lifecycle.CREATE_PENDING,
    )
    campaign.latest_update = update

    def load(ctx: Any) -> None:
        models.get(store, version)

    def switch(_: object) -> None:
        campaign.solution_version_arn = requested
        campaign.solution_arn = version.solution_arn
        campaign.min_provisioned_tps = tps
        campaign.campaign_config = config
        campaign.serving_version_arn = version.arn
        campaign.touch()

    runner_for(store).submit(campaign, load, path="update",
                             target=campaign if failed else update, on_success=switch)  # fmt: skip


def follow_latest(store: Store, version: SolutionVersionRecord) -> None:
    """Under the lock, as ``version`` becomes ACTIVE: update campaigns that sync with it."""
    for campaign in list(store.records[KIND].values()):
        config = campaign.campaign_config or {}
        busy = campaign.latest_update is not None and lifecycle.is_in_progress(
            campaign.latest_update.status
        )
        if (
            campaign.solution_arn == version.solution_arn
            and config.get("syncWithLatestSolutionVersion")
            and campaign.status == lifecycle.ACTIVE
            and not busy
        ):
            _start_update(store, campaign, version, campaign.solution_version_arn,
                          campaign.min_provisioned_tps, campaign.campaign_config)  # fmt: skip


@handler("personalize", "DeleteCampaign")
def delete_campaign(store: Store, *, campaignArn: str) -> None:
    with store.lock:
        campaign: CampaignRecord = get_record(store, KIND, campaignArn, "campaignArn")
        ensure_deletable(campaign)
        if campaign.latest_update is not None and lifecycle.is_in_progress(
            campaign.latest_update.status
        ):
            raise ResourceInUseException(
                f"Campaign {campaignArn} is being updated; delete it once the update finished."
            )
        runner_for(store).submit(campaign, no_work, path="delete")
