"""Summaries printed for people show data exactly as it is: names with TikTok-style brackets, or text
that looks like rich markup, are neither swallowed nor styled."""

from __future__ import annotations

import io

from rich.console import Console

from shopwarden.agents.records import Brief, Usage
from shopwarden.agents.render import print_summary
from shopwarden.agents.summary import ActionLine, CycleSummary

BRACKETED = "Matcha Kit [Growth]"
MARKED = f"{BRACKETED} [sw:0123456789ab]"


def test_bracketed_names_and_markup_like_text_print_literally():
    summary = CycleSummary(merchant_id="m[red]1[/red]", run_id="run_1", status="waiting", actions=[
        ActionLine(agent_id="growth_marketer", tool="enable_ads", target=f"campaign {MARKED}", verdict="waiting",
                   reasons=[f"enabling campaign {MARKED} always needs a reviewer's approval"], approval_id=3),
    ], briefs=[Brief(product_id="p", title="Serum [bold]X[/bold]", angle="a", hooks=["[link=http://x]hi[/link]"])],
        notes=["growth_marketer says: [blink]done[/blink]"])
    out = io.StringIO()

    print_summary(Console(file=out, width=300, color_system=None), summary)

    text = out.getvalue()
    assert f"enabling campaign {BRACKETED} always needs" in text  # brackets literal, shopwarden's marker left out
    assert "[sw:" not in text
    assert "m[red]1[/red]" in text and "Serum [bold]X[/bold]" in text and "[link=http://x]hi[/link]" in text
    assert "[blink]done[/blink]" in text


def test_model_use_is_printed_per_agent():
    summary = CycleSummary(merchant_id="m", run_id="run_2", status="done", usage={
        "growth_marketer": Usage(calls=3, input_tokens=5400, output_tokens=120, seconds=12.5, retries=1, failures=1,
                                 parsed=1, malformed=1)})
    out = io.StringIO()

    print_summary(Console(file=out, width=300, color_system=None), summary)

    assert ("model growth_marketer: 3 calls (1 retries, 1 failed, 1 malformed), 5400 tokens in, 120 out, 12.5 s"
            in out.getvalue())
