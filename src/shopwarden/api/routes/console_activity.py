"""The activity page: audit timeline with filters (each row linked to its approval) and daily charts."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from shopwarden.api import activity, sessions
from shopwarden.api.charts import line_chart
from shopwarden.api.deps import Svc, Visit
from shopwarden.api.templating import redirect, render
from shopwarden.domain.notes import has_control_characters

router = APIRouter(prefix="/console", include_in_schema=False)
PAGE_SIZE = 50
Text = Annotated[str, Query(max_length=100)]


@router.get("/activity", response_class=HTMLResponse)
def activity_page(request: Request, svc: Svc, visit: Visit, agent: Text = "", tool: Text = "", outcome: Text = "",
                  since: Annotated[date | None, Query()] = None, reads: Annotated[bool, Query()] = False,
                  page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> Response:
    who = visit.identity
    if who is None:
        return redirect("/signin")
    if any(has_control_characters(v) for v in (agent, tool, outcome)):
        sessions.flash(svc.engine, visit.raw, "the filter contains control characters (such as NUL); remove them",
                       "error")
        return redirect("/console/activity")
    filters = activity.Filters(agent, tool, outcome, since, include_reads=reads)
    rows = activity.timeline(svc.engine, who.merchant_id, filters, offset=(page - 1) * PAGE_SIZE,
                             limit=PAGE_SIZE + 1)
    perf = activity.performance(svc.engine, who.merchant_id)
    charts = {
        "Spend and sales per day (shop)": line_chart("Spend and sales per day", perf.days,
                                                     [perf.shop["spend"], perf.shop["sales"]], perf.changed_days),
        "ROAS per day (shop)": line_chart("ROAS per day", perf.days, [perf.shop["roas"]], perf.changed_days),
    }
    for campaign, spend, sales in perf.campaigns[:6]:
        charts[f"Campaign {campaign}"] = line_chart(f"Campaign {campaign}", perf.days, [spend, sales],
                                                    perf.changed_days)
    return render(request, svc, visit, "activity.html", page="activity", rows=rows[:PAGE_SIZE],
                  more=len(rows) > PAGE_SIZE, page_no=page, filters=filters, choices=activity.choices(
                      svc.engine, who.merchant_id), charts=charts, perf=perf)
