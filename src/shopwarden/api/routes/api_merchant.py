"""JSON API: the merchant pages' actions for the token's merchant (owner role; bearer tokens only).

The same functions as the console (`merchant_actions`, `merchant_settings`, `reconnect`), so a
value the page refuses is refused here with the same message, and every change is audited with
surface "api".
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from shopwarden.agents.limits import LIMITS, merchant_limits
from shopwarden.api import activity, reconnect
from shopwarden.api import merchant_actions as actions
from shopwarden.api import merchant_settings as ms
from shopwarden.api.auth import ReviewerIdentity
from shopwarden.api.deps import ApiCaller, ReviewerId, Svc
from shopwarden.api.merchant_schemas import (
    CompleteBody,
    ConnectionOut,
    ConnectionsOut,
    CycleOut,
    DataDeletedOut,
    DeletionOut,
    InviteBody,
    InviteOut,
    MessageOut,
    OverviewOut,
    PreviewOut,
    ReconnectBody,
    ReconnectOut,
    ReviewerOut,
    RoleBody,
    SettingsBody,
    SettingsOut,
    ThresholdChange,
)
from shopwarden.api.schemas import ERRORS, AuditRowOut, ErrorOut
from shopwarden.api.security import own_origin
from shopwarden.domain.notes import has_control_characters
from shopwarden.errors import InvalidRequest, NotFound, PlatformError, ShopwardenError

OWNER_ERRORS: dict[int | str, dict[str, Any]] = {
    **{k: ERRORS[k] for k in (401, 413, 422)},
    400: {"model": ErrorOut, "description": "refused: the message says why (nothing was changed)"},
    403: {"model": ErrorOut, "description": "only owners of the merchant may use these operations"},
    404: {"model": ErrorOut, "description": "no such platform or reviewer at your merchant"},
    502: {"model": ErrorOut, "description": "TikTok or Composio refused or could not be reached"},
}
router = APIRouter(prefix="/api/merchant", tags=["merchant"], responses=OWNER_ERRORS)
activity_router = APIRouter(prefix="/api/activity", tags=["activity"],
                            responses={k: ERRORS[k] for k in (401, 422)})
Text = Annotated[str, Query(max_length=100)]


def _owner(who: ApiCaller) -> ReviewerIdentity:
    if not who.is_owner:
        raise HTTPException(403, "only owners of the merchant may use the merchant operations")
    return who


Owner = Annotated[ReviewerIdentity, Depends(_owner)]


def _refused(exc: ShopwardenError) -> HTTPException:
    if isinstance(exc, NotFound):
        return HTTPException(404, str(exc))
    upstream = isinstance(exc, PlatformError) and not isinstance(exc, InvalidRequest)
    return HTTPException(502 if upstream else 400, str(exc))


@router.get("", summary="Overview: today's spend, sales, ROAS, pending approvals, the last cycles")
def overview(who: Owner, svc: Svc) -> OverviewOut:
    merchant = ms.current(svc.engine, who.merchant_id)
    view = actions.overview(svc.engine, who.merchant_id)
    cycles = [CycleOut(id=c.id, slot=c.slot, status=c.status, started_at=c.started_at, finished_at=c.finished_at,
                       actions=list((c.summary or {}).get("actions") or [])) for c in view["cycles"]]
    return OverviewOut(merchant_id=merchant.id, name=merchant.name or merchant.id, autonomy=merchant.autonomy,
                       day=view["day"], spend=view["spend"], sales=view["sales"], roas=view["roas"],
                       pending_approvals=view["pending"], cycles=cycles)


def _connections(svc: Svc, merchant_id: str) -> ConnectionsOut:
    view = actions.connections_view(svc.engine, merchant_id)
    by_platform = {link.platform: link for link in view.links}
    return ConnectionsOut(connections=[ConnectionOut.of(p, by_platform.get(p)) for p in actions.PLATFORMS],
                          deletions=[DeletionOut.of(d) for d in view.deletions])


@router.get("/connections", summary="TikTok Shop and Ads: status, and the deletion requests' progress")
def connections(who: Owner, svc: Svc) -> ConnectionsOut:
    return _connections(svc, who.merchant_id)


@router.post("/connections/{platform}/disconnect", summary="Disconnect now and delete the tokens")
def disconnect(who: Owner, svc: Svc, platform: str) -> MessageOut:
    try:
        return MessageOut(detail=actions.disconnect(svc.engine, svc.settings, who, platform, "api"))
    except ShopwardenError as exc:
        raise _refused(exc) from None


@router.post("/connections/{platform}/reconnect", summary="Start the platform's consent; returns its link")
def start_reconnect(request: Request, who: Owner, svc: Svc, platform: str,
                    body: ReconnectBody | None = None) -> ReconnectOut:
    try:
        advertisers = reconnect.clean_advertisers((body or ReconnectBody()).advertiser_ids)
        started = reconnect.start(svc.engine, svc.settings(), who, platform, own_origin(request), advertisers, "api")
    except ShopwardenError as exc:
        raise _refused(exc) from None
    return ReconnectOut(platform=platform, mode=started.mode, authorize_url=started.authorize_url)


@router.post("/connections/{platform}/complete", summary="Finish a consent with the callback's query values")
async def complete_reconnect(who: Owner, svc: Svc, platform: str, body: CompleteBody) -> ConnectionsOut:
    params: dict[str, Any] = {k: v for k, v in body.model_dump(exclude={"advertiser_ids"}).items() if v}
    params["advertiser"] = body.advertiser_ids
    try:
        await reconnect.finish(svc.engine, svc.settings(), who, platform, params, "api")
    except ShopwardenError as exc:
        raise _refused(exc) from None
    return _connections(svc, who.merchant_id)


@router.post("/data/delete", summary="Delete the cached TikTok data (performance, orders) now")
def delete_cached_data(who: Owner, svc: Svc) -> DataDeletedOut:
    report = actions.delete_cached_data(svc.engine, who, "api")
    return DataDeletedOut(performance_rows=report.performance_rows, order_rows=report.order_rows)


def _settings_out(svc: Svc, merchant_id: str) -> SettingsOut:
    merchant = ms.current(svc.engine, merchant_id)
    own = dict(merchant.limits or {})
    groups = ms.groups()
    return SettingsOut(autonomy=merchant.autonomy, own_limits=own,
                       limits={k: v for k, v in merchant_limits(own).items() if k in LIMITS},
                       gate_limits=groups["gate"], agent_thresholds=groups["agents"])


@router.get("/settings", summary="Autonomy, limits and the agents' thresholds")
def get_settings(who: Owner, svc: Svc) -> SettingsOut:
    return _settings_out(svc, who.merchant_id)


def _parsed(svc: Svc, who: ReviewerIdentity, body: SettingsBody) -> ms.Settings:
    merchant = ms.current(svc.engine, who.merchant_id)
    try:
        return ms.parse(body.autonomy, dict(body.limits), dict(merchant.limits or {}))
    except ms.InvalidSettings as exc:
        raise HTTPException(400, str(exc)) from None


@router.post("/settings/preview", summary="Replay the last 7 days' recorded decisions under new settings")
def preview(who: Owner, svc: Svc, body: SettingsBody) -> PreviewOut:
    result = ms.preview(svc.engine, svc.policy(), who.merchant_id, _parsed(svc, who, body))
    return PreviewOut(days=ms.PREVIEW_DAYS, replayed=result.replayed, changes=result.sentences(),
                      limit_changes=[ThresholdChange(name=n, now=a, after=b) for n, a, b in result.limits],
                      threshold_changes=[ThresholdChange(name=n, now=a, after=b) for n, a, b in result.thresholds])


@router.put("/settings", summary="Save autonomy, limits and thresholds (validated as `merchant set` does)")
def save_settings(who: Owner, svc: Svc, body: SettingsBody) -> SettingsOut:
    ms.save(svc.engine, who.merchant_id, _parsed(svc, who, body), by=who.name, surface="api")
    return _settings_out(svc, who.merchant_id)


@router.get("/reviewers", summary="The people with a role at this merchant")
def reviewers(who: Owner, svc: Svc) -> list[ReviewerOut]:
    return [ReviewerOut.of(r) for r in actions.people(svc.engine, who.merchant_id)]


@router.post("/reviewers", summary="Invite a person (or give a new token); the token is returned once")
def invite(who: Owner, svc: Svc, body: InviteBody) -> InviteOut:
    try:
        token = actions.invite(svc.engine, who, body.name, body.role, "api")
    except ShopwardenError as exc:
        raise _refused(exc) from None
    return InviteOut(name=body.name.strip(), role=body.role, token=token)


@router.post("/reviewers/{reviewer_id}/role", summary="Change a person's role")
def change_role(who: Owner, svc: Svc, reviewer_id: ReviewerId, body: RoleBody) -> MessageOut:
    try:
        return MessageOut(detail=actions.change_reviewer(svc.engine, who, reviewer_id, "role", body.role, "api"))
    except ShopwardenError as exc:
        raise _refused(exc) from None


@router.post("/reviewers/{reviewer_id}/revoke", summary="Revoke a person's token (it stops working at once)")
def revoke(who: Owner, svc: Svc, reviewer_id: ReviewerId) -> MessageOut:
    try:
        return MessageOut(detail=actions.change_reviewer(svc.engine, who, reviewer_id, "revoke", None, "api"))
    except ShopwardenError as exc:
        raise _refused(exc) from None


@activity_router.get("", summary="The audit timeline with filters (any role)")
async def timeline(who: ApiCaller, svc: Svc, agent: Text = "", tool: Text = "", outcome: Text = "",
                   since: date | None = None, reads: bool = False,
                   limit: Annotated[int, Query(ge=1, le=500)] = 100,
                   offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> list[AuditRowOut]:
    if any(has_control_characters(v) for v in (agent, tool, outcome)):
        raise HTTPException(400, "the filter contains control characters (such as NUL); remove them")
    filters = activity.Filters(agent, tool, outcome, since, include_reads=reads)
    rows = await asyncio.to_thread(activity.timeline, svc.engine, who.merchant_id, filters, offset=offset,
                                   limit=limit)
    return [AuditRowOut.of(r) for r in rows]
