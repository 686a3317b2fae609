"""`AdsClient`: TikTok Business API reads and guarded writes for one merchant's connected account.

Reads and absolute-set writes (budget, status) are retried a bounded number of times on
`PlatformUnavailable`. Creates are never replayed blindly: after a timeout or server failure the
client looks for the object by the marker it put in the name before it sends the create again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from shopwarden.domain.vocabulary import ControlledObjectLiteral, ObjectTypeLiteral
from shopwarden.errors import AuthExpired, InvalidRequest, PartialFailure, PlatformUnavailable
from shopwarden.platforms.ads import gmv_max_facts
from shopwarden.platforms.ads._errors import PLATFORM, malformed
from shopwarden.platforms.ads._errors import parsed as _parsed
from shopwarden.platforms.ads._markers import CreateIdentity
from shopwarden.platforms.ads._proxy import Method, Query
from shopwarden.platforms.ads._retry import DEFAULT_BACKOFF, with_retry
from shopwarden.platforms.ads.metrics import advertiser_today
from shopwarden.platforms.ads.models import (
    REPORT_METRICS,
    AdGroup,
    AdvertiserInfo,
    BudgetChange,
    BudgetUpdate,
    Campaign,
    CreateCampaign,
    OperationStatus,
    Page,
    PerformanceReport,
    ReportRow,
    StatusChange,
)

if TYPE_CHECKING:  # gmv_max builds on this module
    from shopwarden.platforms.ads.gmv_max import GmvMaxApi

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
PAGE_SIZE = 1000
MAX_PAGES = 200  # a page_info that never ends is a broken upstream, not a reason to loop forever
MAX_REPORT_DAYS = 30
MAX_IDS_PER_FILTER = 100
MAX_IDS_PER_STATUS_CALL = 20
CREATE_ATTEMPTS = 3
CREATED_STATUS = "DISABLE"  # TikTok defaults to ENABLE; we never create anything live
DATA_LEVEL = {"campaign": "AUCTION_CAMPAIGN", "adgroup": "AUCTION_ADGROUP"}
STATUS_ROUTES = {
    "campaign": ("campaign/status/update/", "campaign_ids"),
    "adgroup": ("adgroup/status/update/", "adgroup_ids"),
    "gmv_max_campaign": (gmv_max_facts.STATUS_ROUTE, "campaign_ids"),
}

AuthFailureHook = Callable[[AuthExpired], Awaitable[None]]
ReportSink = Callable[[PerformanceReport], Awaitable[None]]


def utc_now() -> datetime:
    return datetime.now(UTC)


def validated(model: type[M], fields: dict[str, Any], what: str) -> M:
    """Build an input model, or InvalidRequest naming each offending field (nothing is sent)."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        allowed = ", ".join(model.model_fields)
        problems = []
        for error in exc.errors():
            field = ".".join(str(p) for p in error.get("loc", ())) or "(input)"
            if error.get("type") == "extra_forbidden":
                problems.append(f"{field} is not allowed in {what} (allowed: {allowed})")
            else:
                problems.append(f"{field}: {error.get('msg', 'invalid')}")
        raise InvalidRequest("; ".join(problems), platform=PLATFORM, endpoint=what) from None


def _number(value: Decimal) -> float | int:
    """Money as the JSON number TikTok expects (two decimal places at most, so float is exact enough)."""
    return int(value) if value == value.to_integral_value() else float(value)


class AdsTransport(Protocol):
    """What AdsClient sends calls through: the Composio proxy, or the direct transport after native OAuth."""

    async def call(self, method: Method, endpoint: str, *, query: Query | None = None,
                   body: dict[str, Any] | None = None) -> Any: ...


class AdsClient:
    """Async TikTok Ads adapter over the Composio proxy. Build it with `ads_client_for`."""

    def __init__(self, proxy: AdsTransport, *, clock: Callable[[], datetime] = utc_now,
                 backoff: Sequence[float] = DEFAULT_BACKOFF, on_auth_failure: AuthFailureHook | None = None,
                 report_sink: ReportSink | None = None) -> None:
        self._proxy = proxy
        self._clock = clock
        self._backoff = tuple(backoff)
        self._on_auth_failure = on_auth_failure
        self._report_sink = report_sink
        self._profiles: dict[str, AdvertiserInfo] = {}

    def __repr__(self) -> str:
        return f"AdsClient({self._proxy!r})"

    @property
    def gmv_max(self) -> GmvMaxApi:
        """The GMV Max endpoints over this client's transport (`GmvMaxApi`)."""
        from shopwarden.platforms.ads.gmv_max import GmvMaxApi  # it builds on this module

        return GmvMaxApi(self)

    # --- transport ---------------------------------------------------------------------------

    async def _call(self, method: Method, endpoint: str, *, query: Query | None = None,
                    body: dict[str, Any] | None = None) -> Any:
        try:
            return await self._proxy.call(method, endpoint, query=query, body=body)
        except AuthExpired as exc:
            if self._on_auth_failure is not None:
                await self._on_auth_failure(exc)
            raise

    async def _read(self, endpoint: str, query: Query) -> Any:
        return await with_retry(lambda: self._call("GET", endpoint, query=query), self._backoff)

    async def _all_pages(self, endpoint: str, query: Query) -> list[dict[str, Any]]:
        """Every row of a paged list; returned only when the last page has been read."""
        rows: list[dict[str, Any]] = []
        for page_number in range(1, MAX_PAGES + 1):
            data = await self._read(endpoint, {**query, "page": page_number, "page_size": PAGE_SIZE})
            page = _parsed(endpoint, partial(Page.model_validate, data))
            rows.extend(page.items)
            if not page.items or page_number >= page.page_info.total_page:
                return rows
        raise malformed(endpoint, f"page_info still reports more pages after {MAX_PAGES} pages")

    # --- reads -------------------------------------------------------------------------------

    async def advertiser_info(self, advertiser_ids: Sequence[str]) -> list[AdvertiserInfo]:
        """Name, currency and time zone of each ad account (also verifies the connection)."""
        endpoint = "advertiser/info/"
        data = await self._read(endpoint, {"advertiser_ids": [str(a) for a in advertiser_ids]})
        rows = data.get("list") if isinstance(data, dict) else None
        if not isinstance(rows, list):
            raise malformed(endpoint, "`data.list` is missing or not a list")
        infos = _parsed(endpoint, lambda: [AdvertiserInfo.model_validate(row) for row in rows])
        self._profiles.update({info.advertiser_id: info for info in infos})
        return infos

    async def profile(self, advertiser_id: str) -> AdvertiserInfo:
        if advertiser_id not in self._profiles:
            await self.advertiser_info([advertiser_id])
        if advertiser_id not in self._profiles:
            raise InvalidRequest(f"ad account {advertiser_id} is not available through this connection",
                                 platform=PLATFORM, endpoint="advertiser/info/")
        return self._profiles[advertiser_id]

    async def today(self, advertiser_id: str) -> date:
        """The calendar day it is in the advertiser's time zone."""
        return advertiser_today((await self.profile(advertiser_id)).timezone, self._clock())

    async def list_campaigns(self, advertiser_id: str, *, campaign_ids: Sequence[str] | None = None,
                             name_contains: str | None = None) -> list[Campaign]:
        """Every campaign of the ad account matching the filters (all pages)."""
        endpoint = "campaign/get/"
        filtering: dict[str, Any] = {}
        if name_contains:
            filtering["campaign_name"] = name_contains
        rows: list[dict[str, Any]] = []
        for ids in _id_chunks(campaign_ids):
            query: Query = {"advertiser_id": advertiser_id}
            chunk_filter = {**filtering, **({"campaign_ids": ids} if ids else {})}
            if chunk_filter:
                query["filtering"] = chunk_filter
            rows.extend(await self._all_pages(endpoint, query))
        campaigns = _parsed(endpoint, lambda: [Campaign.model_validate(row) for row in rows])
        return [c for c in campaigns if not name_contains or name_contains in c.campaign_name]

    async def list_adgroups(self, advertiser_id: str, campaign_id: str | None = None, *,
                            campaign_ids: Sequence[str] | None = None, adgroup_ids: Sequence[str] | None = None,
                            name_contains: str | None = None) -> list[AdGroup]:
        """Every ad group of the ad account (optionally of some campaigns / ids), all pages."""
        endpoint = "adgroup/get/"
        wanted_campaigns = [*(campaign_ids or []), *([campaign_id] if campaign_id else [])]
        filtering: dict[str, Any] = {}
        if wanted_campaigns:
            filtering["campaign_ids"] = wanted_campaigns[:MAX_IDS_PER_FILTER]
        if name_contains:
            filtering["adgroup_name"] = name_contains
        rows: list[dict[str, Any]] = []
        for ids in _id_chunks(adgroup_ids):
            query: Query = {"advertiser_id": advertiser_id}
            chunk_filter = {**filtering, **({"adgroup_ids": ids} if ids else {})}
            if chunk_filter:
                query["filtering"] = chunk_filter
            rows.extend(await self._all_pages(endpoint, query))
        groups = _parsed(endpoint, lambda: [AdGroup.model_validate(row) for row in rows])
        return [g for g in groups if not name_contains or name_contains in g.adgroup_name]

    async def report(self, advertiser_id: str, level: ObjectTypeLiteral, start_date: date | None = None,
                     end_date: date | None = None, *, days: int | None = None) -> PerformanceReport:
        """Daily spend, impressions, clicks, conversions (and conversion value) per object.

        Dates are days in the advertiser's time zone; `days=N` means the N days ending today there.
        Ranges longer than 30 days are read in 30-day windows and returned (and cached) only whole.
        """
        if level not in DATA_LEVEL:
            raise InvalidRequest(f"level must be campaign or adgroup, not {level!r}", platform=PLATFORM,
                                 endpoint="report/integrated/get/")
        if days is not None:
            end_date = await self.today(advertiser_id)
            start_date = end_date - timedelta(days=days - 1)
        if start_date is None or end_date is None or end_date < start_date:
            raise InvalidRequest("a report needs start_date <= end_date (or days)", platform=PLATFORM,
                                 endpoint="report/integrated/get/")
        rows: list[ReportRow] = []
        window_start = start_date
        while window_start <= end_date:
            window_end = min(end_date, window_start + timedelta(days=MAX_REPORT_DAYS - 1))
            rows.extend(await self._report_window(advertiser_id, level, window_start, window_end))
            window_start = window_end + timedelta(days=1)
        report = PerformanceReport(advertiser_id=advertiser_id, level=level, start_date=start_date,
                                   end_date=end_date, rows=rows)
        if self._report_sink is not None:
            await self._report_sink(report)
        return report

    async def _report_window(self, advertiser_id: str, level: ObjectTypeLiteral, start: date,
                             end: date) -> list[ReportRow]:
        endpoint = "report/integrated/get/"
        raw = await self._all_pages(endpoint, {
            "advertiser_id": advertiser_id, "service_type": "AUCTION", "report_type": "BASIC",
            "data_level": DATA_LEVEL[level], "dimensions": [f"{level}_id", "stat_time_day"],
            "metrics": REPORT_METRICS, "start_date": start.isoformat(), "end_date": end.isoformat(),
        })
        return _parsed(endpoint, lambda: [ReportRow.from_api(level, row) for row in raw])

    # --- creates (never replayed blindly) --------------------------------------------------------

    async def create_campaign(self, advertiser_id: str, spec: CreateCampaign | None = None, *,
                              idempotency_key: str | None = None, **fields: Any) -> Campaign:
        """Create a campaign, always DISABLE, named `<name> [sw:<marker>]`."""
        spec = spec or validated(CreateCampaign, fields, "create_campaign")
        identity = CreateIdentity.new(idempotency_key)
        body: dict[str, Any] = {
            "advertiser_id": advertiser_id, "campaign_name": identity.name(spec.campaign_name),
            "objective_type": spec.objective_type, "budget_mode": spec.budget_mode,
            "operation_status": CREATED_STATUS, "request_id": identity.request_id,
        }
        if spec.budget is not None:
            body["budget"] = _number(spec.budget)

        async def find() -> Campaign | None:
            found = await self.list_campaigns(advertiser_id, name_contains=identity.marker)
            return next((c for c in found if identity.marks(c.campaign_name)), None)

        data = await self._create("campaign/create/", body, find)
        if isinstance(data, Campaign):
            return data
        return _parsed("campaign/create/", lambda: Campaign.model_validate({**body, **data}))

    async def _create(self, endpoint: str, body: dict[str, Any], find: Callable[[], Awaitable[Any]]) -> Any:
        """Send a create; after an unknown outcome, look for the object before ever sending it again."""
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                data = await self._call("POST", endpoint, body=body)
                if not isinstance(data, dict):
                    raise malformed(endpoint, "`data` is not an object")
                return data
            except PlatformUnavailable as failure:
                try:
                    existing = await find()
                except PlatformUnavailable as lookup:
                    raise PlatformUnavailable(
                        f"the create's outcome is unknown ({failure.message}) and checking for it failed "
                        f"({lookup.message}); it was not sent again", platform=PLATFORM, endpoint=endpoint,
                    ) from None
                if existing is not None:
                    return existing
                if attempt == CREATE_ATTEMPTS:
                    raise
                await asyncio.sleep(self._backoff[min(attempt - 1, len(self._backoff) - 1)] if self._backoff else 0)
        raise AssertionError("unreachable")

    # --- absolute-set writes (retried, bounded) ----------------------------------------------------

    async def update_budget(self, advertiser_id: str, object_type: ControlledObjectLiteral, object_id: str,
                            update: BudgetUpdate | None = None, **fields: Any) -> BudgetChange:
        """Set a campaign's or ad group's budget. Only `budget` and `budget_mode` may be given."""
        update = update or validated(BudgetUpdate, fields, "update_budget")
        if update.budget_mode is not None:
            # Neither campaign/update/ nor adgroup/budget/update/ takes budget_mode, and a live
            # object's mode cannot be switched: refuse rather than send a field TikTok rejects.
            raise InvalidRequest("budget_mode cannot be changed on an existing campaign or ad group; send budget only",
                                 platform=PLATFORM, endpoint="update_budget")
        if object_type == "gmv_max_campaign":
            await self.gmv_max.update_budget(advertiser_id, object_id, update.budget)
            return BudgetChange(object_type=object_type, object_id=object_id, budget=update.budget)
        if object_type == "campaign":
            endpoint = "campaign/update/"
            body: dict[str, Any] = {"advertiser_id": advertiser_id, "campaign_id": object_id,
                                    "budget": _number(update.budget)}
        elif object_type == "adgroup":
            endpoint = "adgroup/budget/update/"
            body = {"advertiser_id": advertiser_id, "budget": [{"adgroup_id": object_id,
                                                                "budget": _number(update.budget)}]}
        else:
            raise InvalidRequest(f"object_type must be campaign, adgroup or gmv_max_campaign, not {object_type!r}",
                                 platform=PLATFORM, endpoint="update_budget")
        await with_retry(lambda: self._call("POST", endpoint, body=body), self._backoff)
        return BudgetChange(object_type=object_type, object_id=object_id, budget=update.budget,
                            budget_mode=update.budget_mode)

    async def set_status(self, advertiser_id: str, object_type: ControlledObjectLiteral, object_ids: Sequence[str],
                         status: OperationStatus) -> StatusChange:
        """Pause (DISABLE) or enable (ENABLE) up to 20 campaigns or ad groups."""
        if object_type not in STATUS_ROUTES:
            raise InvalidRequest(f"object_type must be campaign, adgroup or gmv_max_campaign, not {object_type!r}",
                                 platform=PLATFORM, endpoint="set_status")
        endpoint, id_key = STATUS_ROUTES[object_type]
        if status not in ("ENABLE", "DISABLE"):
            raise InvalidRequest(f"status must be ENABLE or DISABLE, not {status!r}", platform=PLATFORM,
                                 endpoint=endpoint)
        ids = [str(i) for i in object_ids]
        if not 1 <= len(ids) <= MAX_IDS_PER_STATUS_CALL:
            raise InvalidRequest(f"give 1 to {MAX_IDS_PER_STATUS_CALL} ids, not {len(ids)}", platform=PLATFORM,
                                 endpoint=endpoint)
        body = {"advertiser_id": advertiser_id, id_key: ids, "operation_status": status}
        data = await with_retry(lambda: self._call("POST", endpoint, body=body), self._backoff)
        data = data if isinstance(data, dict) else {}
        failures = data.get("error_list") or []
        if failures:
            raise PartialFailure(f"{len(failures)} of {len(ids)} objects kept their status",
                                 failures=list(failures), platform=PLATFORM, endpoint=endpoint)
        return StatusChange(object_type=object_type, object_ids=ids, status=status)


def _id_chunks(ids: Sequence[str] | None) -> list[list[str] | None]:
    if not ids:
        return [None]
    values = [str(i) for i in ids]
    return [values[i : i + MAX_IDS_PER_FILTER] for i in range(0, len(values), MAX_IDS_PER_FILTER)]
