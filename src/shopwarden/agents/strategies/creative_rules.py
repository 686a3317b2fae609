"""The Creative agent's default strategy: read the ad library for each product it was handed, then
write a brief from that product's own sales, variants, price and stock, and the trends that match.

Products come from the Growth Marketer's handoff first (new launch, fatigue, rising ROAS), then the
best sellers; never one that is out of stock. Each hook says what it draws on, and hooks already
briefed in earlier cycles (the memory) are not repeated. Public text is data: hooks are written
by us; a stranger's words appear only quoted (as references), and anything that reads like an
instruction is set aside and reported. The ad library is searched by the title's keyword, not
the whole title (a whole title rarely matches anyone else's ad).
"""

from __future__ import annotations

import re
from decimal import Decimal

from shopwarden.agents.facts import WorldView, items
from shopwarden.agents.memory import AgentMemory
from shopwarden.agents.records import AgentStep, Brief, CallRecord, ProposedCall
from shopwarden.agents.strategies.base import AgentTurn
from shopwarden.agents.strategies.listing_copy import draft_listing
from shopwarden.agents.strategies.screening import looks_like_instructions, raw_words

MAX_PRODUCTS = 3
MAX_REMEMBERED_HOOKS = 30
_HASHTAG = re.compile(r"^[A-Za-z0-9_]{2,40}$")
_ANGLES = {
    "new_launch": "Introduce it: show {title} in use within 3 seconds, then what makes it new to this shop.",
    "fatigue": "Fresh angle for a tiring ad: open on a customer problem, not the product; {title} comes second.",
    "rising_roas": "Lean into what works: more of the same proof, {title} front and centre, price on screen.",
    "bestseller": "Social proof: lead with how many people bought {title}, then the result, then the price.",
}


def search_keyword(title: str) -> str:
    """The word of a title an ad library search can match: its last word of four letters or more."""
    words = [w for w in re.findall(r"[A-Za-z]+", title) if len(w) >= 4]
    return (words[-1] if words else title).lower()[:100]


class CreativeRules:
    async def step(self, turn: AgentTurn) -> AgentStep:
        products = self._products(turn)
        if turn.turn == 0:
            terms = dict.fromkeys(search_keyword(turn.facts.products[p].title) for p in products
                                  if turn.facts.products[p].title)
            calls = [ProposedCall(agent_id=turn.spec.id, tool="read_ad_library",
                                  args={"search_term": term, "max_count": 5},
                                  rationale=f"see what other ads about {term!r} say before writing hooks")
                     for term in terms]
            return AgentStep(calls=calls, done=not calls)
        library = {r.args.get("search_term"): r for r in turn.history if r.tool == "read_ad_library"}
        memory = AgentMemory.model_validate(turn.memory or turn.facts.memory or {})
        briefs = [self._brief(turn, p, library.get(search_keyword(turn.facts.products[p].title)), memory)
                  for p in products]
        return AgentStep(briefs=briefs, memory=memory.model_dump(mode="json"), done=True)

    def _products(self, turn: AgentTurn) -> list[str]:
        facts = turn.facts
        asked = [h.product_id for h in turn.handoffs] + list(turn.focus_products)
        ranked = [p for p, _ in sorted(facts.units_sold_by_product.items(), key=lambda kv: -kv[1])]
        wanted = [p for p in dict.fromkeys(asked + ranked) if p in facts.products and facts.stock_of(p) > 0]
        return wanted[:MAX_PRODUCTS]

    def _brief(self, turn: AgentTurn, product_id: str, library: CallRecord | None, memory: AgentMemory) -> Brief:
        facts = turn.facts
        title = facts.products[product_id].title
        reason = next((h.reason for h in turn.handoffs if h.product_id == product_id), "bestseller")
        tags = [t for t in (raw_words(t) for t in facts.hashtags)
                if _HASHTAG.match(t) and not looks_like_instructions(t)]
        matching = _matching(title, tags)
        keywords = _matching(title, [k for k in (raw_words(k) for k in facts.keywords)
                                     if len(k) <= 60 and not looks_like_instructions(k)])
        candidates = _hook_pool(facts, product_id, title, reason, matching, keywords)
        used = set(memory.hooks_used.get(product_id, []))
        fresh = [c for c in candidates if c[0] not in used] or candidates  # all used: start the cycle again
        max_hooks = int(turn.spec.default_limits.get("max_hooks_per_product", 3))
        chosen = fresh[:max_hooks]
        memory.hooks_used[product_id] = [*memory.hooks_used.get(product_id, []),
                                         *(h for h, _ in chosen)][-MAX_REMEMBERED_HOOKS:]
        references, set_aside = self._library_text(library)
        draft = draft_listing(facts, product_id, matching) if facts.listing_copy_drafts else None
        return Brief(product_id=product_id, title=title, hooks=[h for h, _ in chosen],
                     hook_sources=[s for _, s in chosen], reason=reason, hashtags=matching[:3],
                     angle=_ANGLES[reason].format(title=title), references=references, set_aside=set_aside,
                     listing_draft=draft)

    def _library_text(self, library: CallRecord | None) -> tuple[list[str], list[str]]:
        if library is None or library.outcome != "read":
            return [], []
        references: list[str] = []
        set_aside: list[str] = []
        for ad in items(library.data, "ads"):
            if not isinstance(ad, dict):
                continue
            inner = ad.get("ad")
            body = inner if isinstance(inner, dict) else ad
            quoted = body.get("text") or body.get("ad_title")
            if quoted is None:
                continue
            entry = f"ad {body.get('id', '?')}: {quoted}"
            (set_aside if looks_like_instructions(raw_words(quoted)) else references).append(entry)
        return references, set_aside


def _matching(title: str, terms: list[str]) -> list[str]:
    """Trend terms that share a word (four letters or more) with the title; no unrelated fallbacks."""
    words = {w for w in re.findall(r"[a-z]+", title.lower()) if len(w) > 3}
    return [t for t in terms if any(w in t.lower() for w in words)]


def _hook_pool(facts: WorldView, product_id: str, title: str, reason: str, tags: list[str],
               keywords: list[str]) -> list[tuple[str, str]]:
    """(hook, what it draws on), most specific first."""
    product = facts.products[product_id]
    units, days = facts.units_sold_by_product.get(product_id, 0), facts.days_of_sales()
    prices = sorted(s.price for s in product.skus if s.price)
    in_stock = [s for s in product.skus if s.total_stock > 0]
    pool: list[tuple[str, str]] = []
    if reason == "new_launch":
        pool.append((f"New here: {title}", "handoff: new launch"))
    for tag in tags[:2]:
        pool.append((f"{title} for the #{tag} crowd", f"trending hashtag #{tag}"))
    for keyword in keywords[:2]:
        pool.append((f"Your {keyword} is missing one thing: {title}", f"trending search {keyword!r}"))
    if units:
        pool.append((f"{units} people bought {title} this {'week' if days >= 7 else f'{days} days'}",
                     f"sales: {units} units in {days} days"))
    if len(in_stock) > 1:
        names = " / ".join(s.seller_sku or s.sku_id for s in in_stock[:3])
        pool.append((f"{title} in {len(in_stock)} versions ({names}): which one is you?",
                     f"variants in stock: {names}"))
    if prices:
        low = prices[0].quantize(Decimal("0.01"))
        pool.append((f"{title}, from ${low}", f"price: lowest SKU {low}"))
    if reason == "rising_roas":
        pool.append((f"Why everyone is switching to {title}", "handoff: rising ROAS"))
    if reason == "fatigue":
        pool.append((f"Stop scrolling if you still have not tried {title}", "handoff: fatigue, a new opening"))
    pool.append((f"POV: you finally tried {title}", "format: POV"))
    return pool
