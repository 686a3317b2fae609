"""The identity a create carries so it can be found again: TikTok's `request_id` and a name marker.

Derived from the caller's idempotency key when there is one, so the gate re-running an approved
create (same key) sends the same `request_id` and looks for the same marker.

Why the marker stays in the campaign name merchants see: recovery after a lost create response
must find the object by something a read returns. The `request_id` only de-duplicates a repeat
"within seconds" and no read returns it; neither `campaign/create/` nor `campaign/gmv_max/create/`
takes a label, tag, remark or external-reference field (TikTok's Business API SDK models, checked
December 2026), and their get/info answers carry no free text but `campaign_name`. A table of ours
mapping approval -> campaign id cannot help either: the id is unknown exactly when recovery is
needed. So the name is the only place; people's views strip it (shopwarden.domain.display).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

INT64_MAX = 2**63 - 1
MARKER_PATTERN = re.compile(r"\[sw:[0-9a-f]{12}\]")


@dataclass(frozen=True)
class CreateIdentity:
    request_id: str  # int64 as a decimal string, as the Business API wants it
    marker: str  # "[sw:<12 hex>]", appended to the object's name

    @classmethod
    def new(cls, idempotency_key: str | None = None) -> CreateIdentity:
        seed = idempotency_key if idempotency_key else secrets.token_hex(16)
        digest = hashlib.sha256(f"shopwarden-create:{seed}".encode()).hexdigest()
        request_id = int(digest[12:28], 16) % INT64_MAX + 1
        return cls(request_id=str(request_id), marker=f"[sw:{digest[:12]}]")

    def name(self, base: str) -> str:
        return f"{base} {self.marker}"

    def marks(self, name: str) -> bool:
        return name.endswith(self.marker)
