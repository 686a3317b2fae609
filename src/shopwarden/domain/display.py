"""What people read: names without shopwarden's internal markers."""

from __future__ import annotations

import re

# The ads adapter's create marker (platforms/ads/_markers.py MARKER_PATTERN; a test keeps them equal).
# Kept out of what people read; `--json` output and the audit log keep the full names.
MARKER = re.compile(r"\s?\[sw:[0-9a-f]{12}\]")


def for_people(text: str) -> str:
    """`text` without shopwarden's idempotency markers (`Summer Sale [sw:0123456789ab]` -> `Summer Sale`)."""
    return MARKER.sub("", text)
