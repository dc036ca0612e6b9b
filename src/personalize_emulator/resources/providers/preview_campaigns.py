"""Preview-dialect campaigns, over the GA campaign handlers.

A preview campaign names a *solution* (and optionally one of its versions) plus an
``updateMode``; GA names a solution version. The translation:

* ``MANUAL``: GA deploys the given version, else the solution's newest ACTIVE one, and keeps
  it until UpdateCampaign;
* ``AUTO``: GA deploys ``<solutionArn>/$LATEST`` with ``syncWithLatestSolutionVersion``, so
  every version RetrainSolution trains is deployed once it is ACTIVE.

The preview refuses a campaign for a solution that is not ACTIVE in its own sense (training
not finished) with InvalidInputException. DescribeCampaign reports the version actually
serving; a GA campaign seen through the preview has ``updateMode`` AUTO exactly when it syncs
with the latest version. UpdateCampaign answers with a ``campaignVersionArn``,
``<campaignArn>/<8hex>``, one per update.
"""

from __future__ import annotations

from typing import Any

from ...protocol.errors import InvalidInputException
from .. import lifecycle
from ..common import get_record
from ..store import Store
from .campaigns import resolve_version
from .preview_common import ga, preview, preview_list, short_hash
from .preview_solutions import status_of

KIND = "campaign"
LATEST = "$LATEST"
SUMMARY = (
    "name", "campaignArn", "status", "creationDateTime", "lastUpdatedDateTime", "failureReason",
)  # fmt: skip


def _target(store: Store, solution_arn: str, version_arn: str | None, mode: str) -> tuple[str, dict]:
    """(GA solutionVersionArn, GA campaignConfig) for a preview deployment request."""
    with store.lock:
        solution = get_record(store, "solution", solution_arn, "solutionArn")
        status, _ = status_of(store, solution)
        if status != lifecycle.ACTIVE:
            raise InvalidInputException(
                f"Solution {solution_arn} is in {status} state; a campaign needs an ACTIVE"
                " solution (wait until its training has finished)."
            )
        if version_arn is not None:
            version = get_record(store, "solution-version", version_arn, "solutionVersionArn")
            if version.solution_arn != solution_arn:
                raise InvalidInputException(
                    f"Invalid parameter solutionVersionArn: {version_arn} is not a version of"
                    f" solution {solution_arn}."
                )
    if mode == "AUTO":
        if version_arn is not None:
            raise InvalidInputException(
                "Invalid parameter solutionVersionArn: a campaign with updateMode AUTO always"
                " serves the solution's latest version; give solutionVersionArn only with"
                " updateMode MANUAL."
            )
        return f"{solution_arn}/{LATEST}", {"syncWithLatestSolutionVersion": True}
    return version_arn or f"{solution_arn}/{LATEST}", {"syncWithLatestSolutionVersion": False}


def _pin(store: Store, requested: str) -> str:
    """MANUAL: the concrete version ``$LATEST`` means now (GA resolves and checks it)."""
    if not requested.endswith("/" + LATEST):
        return requested
    with store.lock:
        return resolve_version(store, requested).arn


@preview("CreateCampaign")
def create_campaign(
    store: Store,
    *,
    name: str,
    solutionArn: str,
    solutionVersionArn: str | None = None,
    updateMode: str | None = None,
) -> dict:
    mode = updateMode or "MANUAL"
    requested, config = _target(store, solutionArn, solutionVersionArn, mode)
    if mode == "MANUAL":
        requested = _pin(store, requested)
    out = ga("CreateCampaign", store, name=name, solutionVersionArn=requested,
             campaignConfig=config if mode == "AUTO" else None)  # fmt: skip
    return {"campaignArn": out["campaignArn"]}


def _mode(campaign: Any) -> str:
    sync = (campaign.campaign_config or {}).get("syncWithLatestSolutionVersion")
    return "AUTO" if sync else "MANUAL"


def _view(campaign: Any) -> dict[str, Any]:
    version = campaign.serving_version_arn
    if version is None and not campaign.solution_version_arn.endswith("/" + LATEST):
        version = campaign.solution_version_arn
    return {
        "name": campaign.name,
        "updateMode": _mode(campaign),
        "campaignArn": campaign.arn,
        "solutionArn": campaign.solution_arn,
        "solutionVersionArn": version,
        "status": campaign.status,
        "failureReason": campaign.failure_reason,
        "creationDateTime": campaign.created,
        "lastUpdatedDateTime": campaign.updated,
    }


@preview("DescribeCampaign")
def describe_campaign(store: Store, *, campaignArn: str) -> dict:
    with store.lock:
        return {"campaign": _view(get_record(store, KIND, campaignArn, "campaignArn"))}


list_campaigns = preview_list("ListCampaigns", "campaigns", SUMMARY)

@preview("UpdateCampaign")
def update_campaign(
    store: Store,
    *,
    campaignArn: str,
    solutionArn: str,
    solutionVersionArn: str | None = None,
    updateMode: str | None = None,
) -> dict:
    with store.lock:
        campaign = get_record(store, KIND, campaignArn, "campaignArn")
        mode = updateMode or _mode(campaign)
        kept = dict(campaign.campaign_config or {})  # e.g. exploration set through GA
    requested, config = _target(store, solutionArn, solutionVersionArn, mode)
    if mode == "MANUAL":
        requested = _pin(store, requested)
    ga("UpdateCampaign", store, campaignArn=campaignArn, solutionVersionArn=requested,
       campaignConfig={**kept, **config})  # fmt: skip
    with store.lock:
        update = campaign.latest_update
        stamp = update.created if update is not None else campaign.updated
    return {"campaignVersionArn": f"{campaignArn}/{short_hash(campaignArn, stamp)}"}


@preview("DeleteCampaign")
def delete_campaign(store: Store, *, campaignArn: str) -> None:
    ga("DeleteCampaign", store, campaignArn=campaignArn)
