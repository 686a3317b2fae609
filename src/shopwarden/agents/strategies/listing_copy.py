"""Listing copy drafts for the Creative agent (merchant opt-in): a title and bullets from the product's
own facts and the trending search terms that fit it.

Trending terms are strangers' words: only short, plain terms that share a word with the product's
title are used, and anything that reads like an instruction is dropped. Nothing is published; the
draft travels with the brief for a person to use.
"""

from __future__ import annotations

import re

from shopwarden.agents.facts import WorldView
from shopwarden.agents.records import ListingDraft
from shopwarden.agents.strategies.screening import looks_like_instructions, raw_words

MAX_TITLE = 255
MAX_KEYWORDS = 2
MAX_BULLETS = 5
LOW_STOCK = 10
_PLAIN_TERM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 '&-]{1,39}$")


def fitting_terms(title: str, terms: list[str]) -> list[str]:
    """Plain trending terms that share a word (longer than 3 letters) with the title."""
    words = {w for w in re.findall(r"[a-z]+", title.lower()) if len(w) > 3}
    fitting = []
    for term in (raw_words(t).strip() for t in terms):
        if not _PLAIN_TERM.match(term) or looks_like_instructions(term):
            continue
        if words & set(re.findall(r"[a-z]+", term.lower())) and term.lower() not in title.lower():
            fitting.append(term)
    return fitting[:MAX_KEYWORDS]


def draft_listing(facts: WorldView, product_id: str, hashtags: list[str]) -> ListingDraft:
    product = facts.products[product_id]
    keywords = fitting_terms(product.title, facts.keywords)
    title = f"{product.title} | {keywords[0][:1].upper()}{keywords[0][1:]}" if keywords else product.title
    bullets = []
    units = facts.units_sold_by_product.get(product_id, 0)
    if units:
        bullets.append(f"Best seller: {units} sold in the last {facts.order_window_days} days")
    if len(product.skus) > 1:
        bullets.append(f"Available in {len(product.skus)} variants")
    in_stock = sum(sku.total_stock for sku in product.skus)
    if 0 < in_stock <= LOW_STOCK:
        bullets.append(f"Only {in_stock} left in stock")
    bullets.extend(f"Made for {term.lower()}" for term in keywords)
    bullets.extend(f"As seen on #{tag}" for tag in hashtags[:1])
    return ListingDraft(title=title[:MAX_TITLE], bullets=bullets[:MAX_BULLETS], keywords=keywords)
