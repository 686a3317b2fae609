"""A cycle summary as rich tables for people (the CLI and the demo).

Everything that comes from data (platform names, reasons, strangers' hashtags, model text) is
escaped, so rich never reads it as markup: nothing is swallowed or styled. shopwarden's own
idempotency markers (`Serum [sw:0123456789ab]`) are left out of what people read (`--json` keeps them).
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from shopwarden.agents.summary import CycleSummary
from shopwarden.domain.display import for_people

VERDICT_STYLE = {"executed": "green", "waiting": "yellow", "recommended": "cyan", "refused": "red",
                 "failed": "red", "blocked": "magenta", "rejected": "red", "expired": "dim"}


MAX_WHY = 110


def actions_table(summaries: list[CycleSummary], title: str = "Actions") -> Table:
    table = Table(title=title, show_lines=False, expand=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("tool", no_wrap=True)
    table.add_column("target", max_width=24, overflow="fold")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("why", ratio=1, overflow="fold")
    for summary in summaries:
        for action in summary.actions:
            style = VERDICT_STYLE.get(action.verdict, "")
            verdict = action.verdict + ("*" if action.after_approval else "")
            why = for_people(action.reasons[0] if action.reasons else action.rationale)
            why = why if len(why) <= MAX_WHY else why[:MAX_WHY - 1] + "…"
            tool = action.tool if action.agent_id == "growth_marketer" else f"{action.agent_id}: {action.tool}"
            table.add_row(Text(verdict, style=style), Text(tool), Text(for_people(action.target)),
                          str(action.approval_id or ""), Text(why))
    if any(a.after_approval for s in summaries for a in s.actions):
        table.caption = "* decided by a reviewer"
    return table


def print_summary(console: Console, summary: CycleSummary, *, table: bool = True) -> None:
    counts = ", ".join(f"{n} {verdict}" for verdict, n in sorted(summary.counts().items())) or "no actions"
    console.print(f"[bold]cycle {summary.run_id}[/bold] for {escape(summary.merchant_id)}: {summary.status} — "
                  f"{counts}; {summary.reads} reads ({summary.failed_reads} failed)", highlight=False)
    if summary.actions and table:
        console.print(actions_table([summary]))
    for brief in summary.briefs:
        console.print(f"[bold]brief[/bold] {escape(brief.title)}: " + escape(" | ".join(brief.hooks)), highlight=False)
        if brief.listing_draft is not None:
            draft = brief.listing_draft
            bullets = "".join(f"\n    • {escape(bullet)}" for bullet in draft.bullets)
            console.print(f"  [bold]listing draft[/bold] {escape(draft.title)}{bullets}", highlight=False)
        if brief.set_aside:
            console.print(f"  set aside {len(brief.set_aside)} ad text(s) that read like instructions", highlight=False)
    for agent_id, used in sorted(summary.usage.items()):
        console.print(f"[dim]model[/dim] {escape(agent_id)}: {used.calls} calls ({used.retries} retries, "
                      f"{used.failures} failed, {used.malformed} malformed), {used.input_tokens} tokens in, "
                      f"{used.output_tokens} out, {used.seconds:.1f} s", highlight=False)
    for note in summary.notes:
        console.print(f"[dim]note[/dim] {escape(note)}", highlight=False)
