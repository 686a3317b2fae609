"""FastAPI dependencies, each an `Annotated` alias a route names in its signature.

    Services   the engine, the (lazily built) runtime whose gate executes approved actions, its settings
    ApiCaller  the JSON API's caller: a bearer token only, never a cookie
    ApprovalId a path id bounded to what the database can hold (404 otherwise, never 500)
    ReviewerId the same for a reviewer row
    Visit      a console page view: the session (started if missing), the person and their merchant
    Posted     a console state change: same origin, a live session, its CSRF token, then the form
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine

from shopwarden.api import sessions
from shopwarden.api.auth import ReviewerIdentity, identify, memberships
from shopwarden.api.forms import read_form
from shopwarden.api.limits import ID_MAX
from shopwarden.api.security import cross_origin_reason
from shopwarden.config import Settings
from shopwarden.db.models import ConsoleSession
from shopwarden.errors import NotFound


@dataclass
class Services:
    engine: Engine
    runtime_factory: Callable[[], Any]
    app_settings: Settings  # chosen by the app factory's caller (the process entry point)
    _runtime: Any = None
    _policy: Any = None

    def runtime(self) -> Any:
        if self._runtime is None:
            self._runtime = self.runtime_factory()
        return self._runtime

    def policy(self) -> Any:
        """The policy engine the settings preview replays with (the same policies/ files as the gate)."""
        if self._policy is None:
            from shopwarden.policy import load_engine

            self._policy = load_engine(self.app_settings)
        return self._policy

    def settings(self) -> Any:
        """The platform settings of the runtime the app serves (hosts, app keys), else the app's."""
        settings = getattr(self.runtime(), "settings", None)
        return settings if settings is not None else self.app_settings

    def default_limits(self) -> dict[str, Any]:
        from shopwarden.policy import default_limits

        return default_limits()


def _services(request: Request) -> Services:
    return request.app.state.services


Svc = Annotated[Services, Depends(_services)]

bearer_scheme = HTTPBearer(auto_error=False, scheme_name="reviewerToken",
                           description="A reviewer token from `shopwarden merchant reviewer token MERCHANT NAME`.")


def _api_caller(svc: Svc, credentials: Annotated[HTTPAuthorizationCredentials | None,
                                                  Security(bearer_scheme)]) -> ReviewerIdentity:
    identity = identify(svc.engine, credentials.credentials if credentials else None)
    if identity is None:
        raise HTTPException(401, "send your reviewer token as 'Authorization: Bearer swr_...'",
                            headers={"WWW-Authenticate": "Bearer"})
    return identity


ApiCaller = Annotated[ReviewerIdentity, Depends(_api_caller)]


def _approval_id(approval_id: str) -> int:
    if not approval_id.isascii() or not approval_id.isdigit() or len(approval_id) > 10 \
            or not 1 <= int(approval_id) <= ID_MAX:
        raise NotFound(f"approval {approval_id[:24]} not found")
    return int(approval_id)


ApprovalId = Annotated[int, Depends(_approval_id)]


def _reviewer_id(reviewer_id: str) -> int:
    if not reviewer_id.isascii() or not reviewer_id.isdigit() or len(reviewer_id) > 10 \
            or not 1 <= int(reviewer_id) <= ID_MAX:
        raise NotFound("no such reviewer at this merchant")
    return int(reviewer_id)


ReviewerId = Annotated[int, Depends(_reviewer_id)]


@dataclass
class VisitState:
    """Who is looking at a console page. Without a live session `raw` is None until a page is
    rendered (a redirect to /signin stores nothing)."""

    raw: str | None
    identity: ReviewerIdentity | None
    roles: list[ReviewerIdentity] = field(default_factory=list)
    set_cookie: bool = False

    def ensure_session(self, engine: Engine) -> str:
        if self.raw is None:
            self.raw = sessions.start(engine)
            self.set_cookie = True
        return self.raw

    @property
    def csrf(self) -> str:
        return sessions.csrf_token(self.raw) if self.raw else ""


def _resolve(svc: Services, raw: str, row: ConsoleSession) -> VisitState:
    if row.person_id is None:
        return VisitState(raw, None)
    roles = memberships(svc.engine, row.person_id)
    current = next((r for r in roles if r.merchant_id == row.merchant_id), roles[0] if roles else None)
    return VisitState(raw, current, roles)


def _visit(request: Request, svc: Svc) -> VisitState:
    raw = request.cookies.get(sessions.COOKIE)
    row = sessions.load(svc.engine, raw)
    if raw is None or row is None:
        return VisitState(None, None)
    return _resolve(svc, raw, row)


Visit = Annotated[VisitState, Depends(_visit)]


@dataclass
class PostedForm:
    visit: VisitState
    form: dict[str, str]


class Refused(HTTPException):
    """A console post refused before it could change anything (shown as a plain 403 page)."""


async def _posted(request: Request, svc: Svc) -> PostedForm:
    reason = cross_origin_reason(request)
    if reason is not None:
        raise Refused(403, f"refused: {reason}; nothing was changed")
    row = sessions.load(svc.engine, raw := request.cookies.get(sessions.COOKIE))
    if raw is None or row is None:
        raise Refused(403, "refused: your session has ended; reload the page and try again")
    form = await read_form(request)
    if not sessions.csrf_matches(raw, form.get("csrf")):
        raise Refused(403, "refused: the form's CSRF token is missing or wrong; reload the page and try again")
    return PostedForm(_resolve(svc, raw, row), form)


Posted = Annotated[PostedForm, Depends(_posted)]
