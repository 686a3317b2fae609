"""Console form bodies: urlencoded only, a bounded number of fields, plain text only.

The body size itself is bounded by `limits.BodyLimit` before this reads it.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import HTTPException, Request

from shopwarden.domain.notes import has_control_characters

FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FIELDS = 40
FIELD_MAX_CHARS = 4000
# Decision notes reach the approval queue as they are, which refuses and audits control characters.
AUDITED_FIELDS = frozenset({"note", "reason"})


async def read_form(request: Request) -> dict[str, str]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_TYPE:
        raise HTTPException(415, f"console forms are sent as {FORM_TYPE}")
    try:
        pairs = parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True,
                          max_num_fields=MAX_FIELDS, strict_parsing=False)
    except (UnicodeDecodeError, ValueError) as exc:
        raise HTTPException(400, "the form could not be read (not UTF-8, or too many fields)") from exc
    form: dict[str, str] = {}
    for key, value in pairs:
        if len(value) > FIELD_MAX_CHARS and key not in AUDITED_FIELDS:
            raise HTTPException(400, f"the field {key[:40]!r} is longer than {FIELD_MAX_CHARS} characters")
        if key not in AUDITED_FIELDS and (has_control_characters(value) or has_control_characters(key)):
            raise HTTPException(400, "the form contains control characters (such as NUL); remove them")
        form.setdefault(key, value)
    return form
