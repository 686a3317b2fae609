"""Charts for the HTML report, drawn with matplotlib (Agg, no network) and embedded as inline SVG."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import matplotlib.ticker

plt.rcParams.update({"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False,
                     "axes.spines.right": False})


def _svg(fig: Any) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _plain(text: str, limit: int = 40) -> str:
    """Labels drawn as text: no control characters, no mathtext ($), bounded length."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text).replace("$", r"\$")
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def family_bars(families: dict[str, dict[str, float]], k: int) -> str:
    names = list(families)
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(names) + 1))
    ys = range(len(names))
    ax.barh([y + 0.2 for y in ys], [families[n]["pass_1"] for n in names], height=0.4, label="pass^1",
            color="#9ecae1")
    if k > 1:
        ax.barh([y - 0.2 for y in ys], [families[n]["pass_k"] for n in names], height=0.4, label=f"pass^{k}",
                color="#3182bd")
    ax.set_yticks(list(ys), [_plain(n) for n in names])
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))  # outside the axes: never over a bar
    ax.set_title("Pass rate by family")
    return _svg(fig)


def daily_money(agents: list[dict[str, str]], baseline: list[dict[str, str]], title: str) -> str:
    fig, ax = plt.subplots(figsize=(4.6, 2.4))
    for rows, label, style in ((agents, "agents", "-"), (baseline, "baseline", "--")):
        days = [r["day"][5:] for r in rows]
        ax.plot(days, [float(r["profit"]) for r in rows], style, marker="o", label=f"profit ({label})",
                color="#31a354")
        ax.plot(days, [float(r["spend"]) for r in rows], style, marker=".", label=f"ad spend ({label})",
                color="#de2d26")
        ax.plot(days, [float(r["sales"]) for r in rows], style, label=f"sales ({label})", color="#9e9ac8")
    ax.set_title(_plain(title, 60))
    ax.legend(fontsize=6, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    return _svg(fig)


def budget_paths(paths: dict[str, list[str]], changes: dict[str, list[int]], names: dict[str, str],
                 statuses: dict[str, list[str]] | None = None) -> str:
    """Daily budget per campaign and ad group; circles mark the agents' changes, a dotted line days not live."""
    fig, ax = plt.subplots(figsize=(5.2, 2.8))
    for object_id, values in paths.items():
        ys = [float(Decimal(v)) if v else float("nan") for v in values]
        live = (statuses or {}).get(object_id) or ["ENABLE"] * len(ys)
        label = _plain(names.get(object_id, object_id), 30)
        # The budget after day i's cycle applies on day i + 1: the segment i -> i + 1 is live when live[i] is.
        on = [y if live[i] == "ENABLE" or (i > 0 and live[i - 1] == "ENABLE") else float("nan")
              for i, y in enumerate(ys)]
        off = [y if live[i] != "ENABLE" or (i > 0 and live[i - 1] != "ENABLE") else float("nan")
               for i, y in enumerate(ys)]
        line = ax.plot(range(len(ys)), on, marker=".", label=label)[0]
        if any(live[i] != "ENABLE" for i in range(len(ys)) if values[i]):
            ax.plot(range(len(ys)), off, ":", color=line.get_color(), alpha=0.6)
        marked = [d for d in changes.get(object_id, []) if d < len(ys)]
        ax.scatter(marked, [ys[d] for d in marked], s=60, facecolors="none", edgecolors=line.get_color())
    ax.set_xlabel("day (0 = start; circles: agents' changes; dotted: not live)")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_title("Daily budgets (campaigns and ad groups)")
    ax.legend(fontsize=6, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return _svg(fig)


def heatmap(grid: dict[str, dict[str, float]], title: str) -> str:
    goals = list(grid)
    vectors = sorted({v for row in grid.values() for v in row})
    values = [[grid[g].get(v, float("nan")) for v in vectors] for g in goals]
    fig, ax = plt.subplots(figsize=(1.2 * len(vectors) + 2, 0.5 * len(goals) + 1.2))
    image = ax.imshow(values, vmin=0, vmax=1, cmap="Reds", aspect="auto")
    ax.set_xticks(range(len(vectors)), vectors, rotation=30, ha="right")
    ax.set_yticks(range(len(goals)), goals)
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            ax.text(j, i, "-" if value != value else f"{value * 100:.0f}%", ha="center", va="center", fontsize=8,
                    color="white" if value == value and value > 0.6 else "black")
    fig.colorbar(image, ax=ax, fraction=0.04)
    ax.set_title(title)
    return _svg(fig)


def bars(counts: dict[str, float], title: str, color: str = "#756bb1") -> str:
    items = sorted(counts.items(), key=lambda kv: -kv[1])[:25]
    fig, ax = plt.subplots(figsize=(7, 0.3 * max(len(items), 1) + 1))
    ax.barh([_plain(k, 50) for k, _ in items], [v for _, v in items], color=color)
    ax.invert_yaxis()
    ax.set_title(title)
    return _svg(fig)
