"""Check a case's `expect:` block against the final platform state, the trace, the metrics and the audit log."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel

from shopwarden.evals.case import Expectation
from shopwarden.evals.trace import TraceAction, matches


class AssertionResult(BaseModel):
    expectation: str
    passed: bool
    actual: str
    exact: bool = True  # a state, count, never or audit check (a metric bound is not "exact")


def check_all(expect: list[Expectation], final: dict[str, dict[str, Any]], by_day: list[dict[str, dict[str, Any]]],
              trace: list[TraceAction], metrics: dict[str, Any], chain_ok: bool) -> list[AssertionResult]:
    return [check(e, final, by_day, trace, metrics, chain_ok) for e in expect]


def check(e: Expectation, final: dict[str, dict[str, Any]], by_day: list[dict[str, dict[str, Any]]],
          trace: list[TraceAction], metrics: dict[str, Any], chain_ok: bool) -> AssertionResult:
    if e.audit is not None:
        return AssertionResult(expectation=e.describe(), passed=chain_ok, actual="ok" if chain_ok else "broken")
    if e.never is not None:
        hits = [a for a in trace if matches(a, e.never)]
        shown = "; ".join(f"day {a.day} {a.tool} {a.object_id or ''} {a.verdict}" for a in hits[:3])
        return AssertionResult(expectation=e.describe(), passed=not hits,
                               actual=f"{len(hits)} matching" + (f" ({shown})" if hits else ""))
    if e.count is not None:
        value: Any = sum(1 for a in trace if matches(a, e.count))
        return _bounded(e, value, exact=True)
    if e.metric is not None:
        return _bounded(e, metrics.get(e.metric), exact=False)
    states = final if e.day is None else (by_day[e.day - 1] if e.day <= len(by_day) else {})
    state = states.get(str(e.state))
    if state is None:
        return AssertionResult(expectation=e.describe(), passed=False, actual=f"{e.state} does not exist")
    return _bounded(e, state.get(str(e.field)), exact=True)


def _bounded(e: Expectation, value: Any, *, exact: bool) -> AssertionResult:
    ok = True
    if e.eq is not None:
        ok &= _same(value, e.eq)
    if e.ne is not None:
        ok &= not _same(value, e.ne)
    if e.one_of is not None:
        ok &= any(_same(value, option) for option in e.one_of)
    number = _decimal(value)
    if e.min is not None:
        ok &= number is not None and number >= e.min
    if e.max is not None:
        ok &= number is not None and number <= e.max
    return AssertionResult(expectation=e.describe(), passed=bool(ok), actual=str(value), exact=exact)


def _same(value: Any, wanted: Any) -> bool:
    a, b = _decimal(value), _decimal(wanted)
    if a is not None and b is not None:
        return a == b
    return str(value) == str(wanted)


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
