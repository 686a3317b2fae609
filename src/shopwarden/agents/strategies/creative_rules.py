"""The Creative agent's default strategy: read the ad library for each promoted product, then write
briefs from the product, its sales and the trends.

Public text is data: hooks are written by us from templates; a stranger's words appear only
quoted (as references), and anything that reads like an instruction is set aside and reported.
"""

from __future__ import annotations

import re

from shopwarden.agents.facts import items
from shopwarden.agents.records import AgentStep, Brief, CallRecord, ProposedCall
from shopwarden.agents.strategies.base import AgentTurn
from shopwarden.agents.strategies.listing_copy import draft_listing
from shopwarden.agents.strategies.screening import looks_like_instructions, raw_words

MAX_PRODUCTS = 3
_HASHTAG = re.compile(r"^[A-Za-z0-9_]{2,40}$")
class CreativeRules:
    async def step(self, turn: AgentTurn) -> AgentStep:
        products = self._products(turn)
        if turn.turn == 0:
            calls = [ProposedCall(agent_id=turn.spec.id, tool="read_ad_library",
                                  args={"search_term": turn.facts.products[p].title[:100], "max_count": 5},
                                  rationale="see what similar ads say before writing hooks")
                     for p in products if turn.facts.products[p].title]
            return AgentStep(calls=calls, done=not calls)
        library = {r.args.get("search_term"): r for r in turn.history if r.tool == "read_ad_library"}
        briefs = [self._brief(turn, p, library.get(turn.facts.products[p].title[:100])) for p in products]
        return AgentStep(briefs=briefs, done=True)

    def _products(self, turn: AgentTurn) -> list[str]:
        known = [p for p in turn.focus_products if p in turn.facts.products]
        if not known:  # nothing promoted this cycle: brief the best sellers
            ranked = sorted(turn.facts.units_sold_by_product.items(), key=lambda kv: -kv[1])
            known = [p for p, _ in ranked if p in turn.facts.products]
        return known[:MAX_PRODUCTS]

    def _brief(self, turn: AgentTurn, product_id: str, library: CallRecord | None) -> Brief:
        facts = turn.facts
        title = facts.products[product_id].title
        words = set(re.findall(r"[a-z]+", title.lower()))
        tags = [raw_words(t) for t in facts.hashtags]
        tags = [t for t in tags if _HASHTAG.match(t) and not looks_like_instructions(t)]
        matching = [t for t in tags if any(w in t.lower() for w in words if len(w) > 3)]
        units = facts.units_sold_by_product.get(product_id, 0)
        hooks = [f"{title}: the one {facts.order_window_days}-day bestseller you keep seeing"
                 if units else f"Meet {title}",
                 f"3 reasons {title} sells out",
                 f"POV: you finally tried {title}"]
        if matching:
            hooks.insert(0, f"{title} for the #{matching[0]} crowd")
        max_hooks = int(turn.spec.default_limits.get("max_hooks_per_product", 3))
        references, set_aside = self._library_text(library)
        draft = draft_listing(facts, product_id, matching) if facts.listing_copy_drafts else None
        return Brief(product_id=product_id, title=title, hooks=hooks[:max_hooks], hashtags=(matching or tags)[:3],
                     angle=f"Show {title} in use within 3 seconds; lead with the result, then the price.",
                     references=references, set_aside=set_aside, listing_draft=draft)

    def _library_text(self, library: CallRecord | None) -> tuple[list[str], list[str]]:
        if library is None or library.outcome != "read":
            return [], []
        references, set_aside = [], []
        for ad in items(library.data, "ads"):
            if not isinstance(ad, dict):
                continue
            body = ad.get("ad") if isinstance(ad.get("ad"), dict) else ad
            quoted = body.get("text") or body.get("ad_title")
            if quoted is None:
                continue
            entry = f"ad {body.get('id', '?')}: {quoted}"
            (set_aside if looks_like_instructions(raw_words(quoted)) else references).append(entry)
        return references, set_aside
