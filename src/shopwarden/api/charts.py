"""Daily charts as server-rendered SVG (nothing to fetch, readable without colour).

Each series is drawn with its own dash pattern and labelled in words; days on which an agent
changed something are marked with a vertical line and a ▲ under the axis.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 220, 56, 34, 14
DASHES = ["", "6 4", "2 3", "10 3 2 3"]


@dataclass(frozen=True)
class Series:
    label: str
    points: dict[date, Decimal]


def line_chart(title: str, days: list[date], series: list[Series], changed_days: set[date]) -> Markup:
    """An accessible SVG line chart over `days` (the caller's list also goes in a table)."""
    values = [v for s in series for v in s.points.values()]
    if not values:
        return Markup(f'<p class="muted">{escape(title)}: no performance data for these days yet '
                      "(it appears after the agents' first report read).</p>")
    top = max(values, default=Decimal(0)) or Decimal(1)
    span = max(len(days) - 1, 1)
    pad_top = PAD_TOP + 14 * len(series)  # the legend sits above the plot, never over a line
    plot_w, plot_h = WIDTH - PAD_LEFT - 10, HEIGHT - PAD_BOTTOM - PAD_TOP

    def x(i: int) -> float:
        return PAD_LEFT + plot_w * i / span

    def y(v: Decimal) -> float:
        return pad_top + plot_h * (1 - float(v / top))

    height = HEIGHT + 14 * len(series)
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="t-{id(title)}">',
             f'<title id="t-{id(title)}">{escape(title)}</title>',
             f'<line x1="{PAD_LEFT}" y1="{pad_top + plot_h}" x2="{WIDTH - 10}" y2="{pad_top + plot_h}" class="axis"/>',
             f'<text x="4" y="{pad_top + 10}" class="tick">{top:.2f}</text>',
             f'<text x="4" y="{pad_top + plot_h}" class="tick">0</text>']
    for i, day in enumerate(days):
        if day in changed_days:
            parts.append(f'<line x1="{x(i):.1f}" y1="{pad_top}" x2="{x(i):.1f}" y2="{pad_top + plot_h}" '
                         f'class="mark"/><text x="{x(i) - 5:.1f}" y="{height - 4}" class="tick">▲</text>')
        if i in (0, len(days) - 1) or len(days) <= 8:
            anchor = "end" if i == len(days) - 1 else "middle" if i else "start"
            parts.append(f'<text x="{x(i):.1f}" y="{pad_top + plot_h + 14}" text-anchor="{anchor}" class="tick">'
                         f'{day:%m-%d}</text>')
    for n, s in enumerate(series):
        coords = " ".join(f"{x(i):.1f},{y(s.points[d]):.1f}" for i, d in enumerate(days) if d in s.points)
        dash = DASHES[n % len(DASHES)]
        parts.append(f'<polyline points="{coords}" class="line" stroke-dasharray="{dash}">'
                     f'<title>{escape(s.label)}</title></polyline>')
        for i, d in enumerate(days):  # a dot per value: one day of data is still visible
            if d in s.points:
                parts.append(f'<circle cx="{x(i):.1f}" cy="{y(s.points[d]):.1f}" r="2.5" class="dot">'
                             f'<title>{escape(s.label)} {d}: {s.points[d]:.2f}</title></circle>')
        legend_y = PAD_TOP + 14 * n - 4
        parts.append(f'<line x1="{PAD_LEFT}" y1="{legend_y}" x2="{PAD_LEFT + 30}" y2="{legend_y}" class="line" '
                     f'stroke-dasharray="{dash}"/><text x="{PAD_LEFT + 36}" y="{legend_y + 4}" class="tick">'
                     f'{escape(s.label[:60])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
