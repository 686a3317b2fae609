"""Free text a person writes on a decision (an approval note, a rejection reason): one rule for
the CLI, the JSON API and the console page."""

from __future__ import annotations

import re

NOTE_MAX_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # C0 controls and DEL; tab and newlines are text


class NoteRejected(ValueError):
    """The text breaks the note rule; the message says which part, never repeating the text."""


def check_note(text: str, what: str = "note") -> str:
    """The text unchanged when it is acceptable; NoteRejected otherwise."""
    if len(text) > NOTE_MAX_CHARS:
        raise NoteRejected(f"the {what} is {len(text)} characters long; at most {NOTE_MAX_CHARS} are allowed")
    if _CONTROL.search(text):
        raise NoteRejected(f"the {what} contains control characters (such as NUL); remove them and try again")
    return text


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None
