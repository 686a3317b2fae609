"""TikTok Shop webhooks: verify the signature, and treat a seller deauthorization as a disconnect.

TikTok re-delivers unacknowledged webhooks, so every branch is safe to run twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import select

from shopwarden.config import Settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection, Shop
from shopwarden.errors import InvalidRequest
from shopwarden.platforms.shop._errors import PLATFORM
from shopwarden.platforms.shop.signing import verify_webhook
from shopwarden.platforms.shop.tokens import PLATFORM_KEY
from shopwarden.security.connections import disconnect

SELLER_DEAUTHORIZED = 6
ENDPOINT = "webhook"

Action = Literal["disconnected", "already_disconnected", "ignored"]


class _Delivery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: int
    shop_id: str
    timestamp: int | None = None


@dataclass(frozen=True)
class WebhookResult:
    type: int
    shop_id: str
    action: Action
    merchant_ids: list[str] = field(default_factory=list)


def handle_webhook(engine: Engine, raw_body: bytes, authorization: str, settings: Settings) -> WebhookResult:
    """Verify and act on one delivery; a bad signature or body raises and changes nothing."""
    app_key, app_secret = settings.require("shop_app_key"), settings.require("shop_app_secret")
    if not authorization or not verify_webhook(app_secret, app_key, raw_body, authorization):
        raise InvalidRequest("webhook signature does not match: delivery ignored", platform=PLATFORM,
                             endpoint=ENDPOINT)
    try:
        delivery = _Delivery.model_validate(json.loads(raw_body))
    except (ValueError, ValidationError):
        raise InvalidRequest("webhook body is not a {type, shop_id, ...} JSON object", platform=PLATFORM,
                             endpoint=ENDPOINT) from None
    if delivery.type != SELLER_DEAUTHORIZED:
        return WebhookResult(delivery.type, delivery.shop_id, "ignored")
    return _deauthorize(engine, delivery)


def _deauthorize(engine: Engine, delivery: _Delivery) -> WebhookResult:
    with session_scope(engine) as session:
        merchant_ids = sorted(set(session.exec(select(Shop.merchant_id).where(Shop.shop_id == delivery.shop_id))))
        acted = False
        for merchant_id in merchant_ids:
            connection = session.exec(
                select(Connection).where(Connection.merchant_id == merchant_id, Connection.platform == PLATFORM_KEY)
            ).first()
            if connection is None or connection.status == "disconnected":
                continue
            disconnect(session, merchant_id, PLATFORM_KEY, reason=f"seller deauthorized shop {delivery.shop_id}")
            acted = True
    if not merchant_ids:
        return WebhookResult(delivery.type, delivery.shop_id, "ignored")
    return WebhookResult(delivery.type, delivery.shop_id, "disconnected" if acted else "already_disconnected",
                         merchant_ids)
