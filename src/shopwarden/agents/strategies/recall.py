"""Memory applied to proposals: a change a reviewer rejected is not asked for again inside the
cooldown unless the numbers it rested on moved materially; the reviewer's reason is passed on."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from shopwarden.agents.memory import AgentMemory, Rejection

DEFAULT_COOLDOWN_CYCLES = 4
DEFAULT_MATERIAL_CHANGE = Decimal("0.4")  # 40 % up or down: more than a week's noise


def _number(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text not in (None, "", "n/a") else None
    except InvalidOperation:
        return None


def moved(before: dict[str, str], now: dict[str, str], threshold: Decimal = DEFAULT_MATERIAL_CHANGE) -> list[str]:
    """The numbers that changed by more than `threshold` (relative), as 'name old -> new'."""
    changed = []
    for name, old_text in before.items():
        old, new = _number(old_text), _number(now.get(name))
        if old is None or new is None:
            if (old is None) != (new is None):
                changed.append(f"{name} {old_text} -> {now.get(name)}")
            continue
        if (old == 0 and new != 0) or (old != 0 and abs(new - old) / abs(old) > threshold):
            changed.append(f"{name} {old} -> {new}")
    return changed


def reviewer_said(rejection: Rejection) -> str:
    who = rejection.reviewer or "a reviewer"
    return f"{who} rejected it {rejection.cycles_ago} cycle(s) ago: {rejection.reason!r}" if rejection.reason else (
        f"{who} rejected it {rejection.cycles_ago} cycle(s) ago (no reason given)")


def held_back(memory: AgentMemory, key: str, snapshot: dict[str, str], *, cooldown: int = DEFAULT_COOLDOWN_CYCLES,
              threshold: Decimal = DEFAULT_MATERIAL_CHANGE) -> str | None:
    """Why this proposal is held back (a note for the summary), or None when it may go ahead."""
    rejection = memory.rejection_of(key)
    if rejection is None or rejection.cycles_ago >= cooldown:
        return None
    changes = moved(rejection.snapshot, snapshot, threshold) if rejection.snapshot else []
    if changes:
        return None
    return (f"not asking again for {key}: {reviewer_said(rejection)}; the numbers have not moved materially "
            f"since ({', '.join(f'{k} {v}' for k, v in snapshot.items()) or 'none'}); "
            f"cooldown {cooldown} cycles")
