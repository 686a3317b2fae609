"""A model's reply read into proposals, briefs and handoffs; whatever does not parse is recorded, not raised.

Platform calls become ProposedCalls carrying the model's own `rationale`. `write_brief` answers are
validated against the typed brief (BriefDraft -> records.Brief) and `request_creative` answers
against the handoff (CreativeRequest); a product that is not in the facts or has no stock is
refused with a reason the model is told. Each answer that is not a platform call gets its
ToolMessage at once, so the model hears what became of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from langchain_core.messages import ToolMessage
from pydantic import ValidationError

from shopwarden.agents.facts import WorldView
from shopwarden.agents.records import Brief, CreativeRequest, ProposedCall
from shopwarden.agents.strategies.llm_tools import REQUEST_CREATIVE, WRITE_BRIEF, BriefDraft, CreativeAsk
from shopwarden.agents.strategies.screening import looks_like_instructions

NO_REASON = "(the model gave no reason)"


@dataclass
class ReadReply:
    calls: list[ProposedCall] = field(default_factory=list)
    briefs: list[Brief] = field(default_factory=list)
    handoffs: list[CreativeRequest] = field(default_factory=list)
    answers: list[ToolMessage] = field(default_factory=list)  # results of write_brief / request_creative
    malformed: list[str] = field(default_factory=list)


def read_calls(agent_id: str, raw_calls: Sequence[Mapping[str, Any]], text: str, facts: WorldView,
               handoffs: list[CreativeRequest]) -> ReadReply:
    out = ReadReply()
    for raw in raw_calls:
        args = dict(raw.get("args") or {}) if isinstance(raw.get("args"), dict) else {"_unparsed": str(raw.get("args"))}
        given = args.pop("rationale", None)
        rationale = (given.strip()[:500] if isinstance(given, str) and given.strip() else text[:500]) or NO_REASON
        name, call_id = str(raw.get("name")), raw.get("id") or f"{raw.get('name')}-{len(out.answers)}"
        if name == WRITE_BRIEF:
            _brief(out, args, call_id, facts, handoffs)
        elif name == REQUEST_CREATIVE:
            _handoff(out, args, call_id, facts)
        else:
            out.calls.append(ProposedCall(agent_id=agent_id, tool=name, args=args, tool_call_id=call_id,
                                          rationale=rationale))
    return out


def _answer(out: ReadReply, call_id: str, text: str, ok: bool) -> None:
    out.answers.append(ToolMessage(content=text, tool_call_id=call_id, status="success" if ok else "error"))


def _stocked(facts: WorldView, product_id: str) -> str | None:
    if product_id not in facts.products:
        return f"{product_id!r} is not a product in the facts"
    if facts.stock_of(product_id) <= 0:
        return f"{product_id!r} is out of stock: no creative for what cannot be sold"
    return None


_About = TypeVar("_About", BriefDraft, CreativeAsk)


def _accepted(out: ReadReply, call_id: str, model: type[_About], args: dict[str, Any], facts: WorldView,
              function: str, not_done: str) -> _About | None:
    """The model's arguments as `model`, about a stocked product; else None, with the error answered."""
    try:
        accepted = model.model_validate(args)
    except ValidationError as exc:
        problem = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
        out.malformed.append(f"{function}: {problem}")
        _answer(out, call_id, f"error: {not_done} ({problem})", False)
        return None
    refusal = _stocked(facts, accepted.product_id)
    if refusal:
        _answer(out, call_id, f"error: {not_done} ({refusal})", False)
        return None
    return accepted


def _brief(out: ReadReply, args: dict[str, Any], call_id: str, facts: WorldView,
           handoffs: list[CreativeRequest]) -> None:
    draft = _accepted(out, call_id, BriefDraft, args, facts, "write_brief", "the brief was not recorded")
    if draft is None:
        return
    kept = [h for h in draft.hooks if not looks_like_instructions(h.text)]
    set_aside = [h.text for h in draft.hooks if looks_like_instructions(h.text)]
    reason = next((h.reason for h in handoffs if h.product_id == draft.product_id), "bestseller")
    out.briefs.append(Brief(product_id=draft.product_id, title=facts.products[draft.product_id].title,
                            angle=draft.angle, hooks=[h.text for h in kept], hook_sources=[h.source for h in kept],
                            reason=reason, hashtags=draft.hashtags, references=draft.references, set_aside=set_aside))
    _answer(out, call_id, f"brief recorded for {draft.product_id} ({len(kept)} hooks"
                          f"{f', {len(set_aside)} set aside as instruction-like' if set_aside else ''})", True)


def _handoff(out: ReadReply, args: dict[str, Any], call_id: str, facts: WorldView) -> None:
    ask = _accepted(out, call_id, CreativeAsk, args, facts, "request_creative", "the request was not passed on")
    if ask is None:
        return
    out.handoffs.append(CreativeRequest(product_id=ask.product_id, reason=ask.reason, detail=ask.detail))
    _answer(out, call_id, f"the Creative will work on {ask.product_id} ({ask.reason})", True)
