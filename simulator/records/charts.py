"""The reports' charts, drawn with matplotlib (Agg, never pyplot or pygame) as SVG with real text to inline in HTML.

matplotlib is imported inside the functions, so the command line starts without it. Every chart is a
`Figure` of its own (no pyplot state, safe in the window's background thread), at most
MAX_WIDTH_IN wide so that it fits the printable width of A4 and Letter, with text kept as SVG
`<text>` (`svg.fonttype: none`) so that it stays sharp, searchable and selectable. `inline_svg`
turns matplotlib's file into an element for an HTML page: no XML prolog, no metadata, no namespace
URLs, and ids prefixed so that several charts on one page never share one.
"""
from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence

from ..safetext import clean_line

MAX_WIDTH_IN = 6.9  # A4 is 210 mm wide: 180 mm (7.09 in) inside 15 mm margins; Letter leaves more
FONT_STACK = ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"]  # wide first: browsers fall back narrower
RC = {
    "svg.fonttype": "none",  # text as <text>, not paths
    "svg.hashsalt": "parley-report",  # the same chart gives the same file
    "text.parse_math": False,  # a name with two $ is a name, not TeX
    "font.family": "sans-serif",
    "font.sans-serif": FONT_STACK,
    "font.size": 8.5,
    "axes.titlesize": 9,
    "axes.labelsize": 8.5,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#555555",
    "axes.linewidth": 0.8,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
}
# Okabe-Ito colours (told apart with colour-blindness) plus a shape per grade, so print in grey still reads
GRADE_STYLE = {
    "good": ("#009E73", "o"),
    "acceptable": ("#0072B2", "s"),
    "mistake": ("#E69F00", "^"),
    "major": ("#D55E00", "D"),
    "critical": ("#B2182B", "X"),
    "ungraded": ("#9a9a9a", "o"),  # a session without a score report
}
RESULT_STYLE = {"pass": ("#009E73", ""), "needs-practice": ("#E69F00", ".."), "fail": ("#B2182B", "//")}
INK, MUTED, GRID, RAPPORT, BEHAVIOUR = "#1a1a1a", "#5f5f5f", "#d9d9d9", "#0072B2", "#6A3D9A"
PANEL_COLUMNS = 4
PANEL_TITLE_CHARS = 18  # what a panel's width holds in bold 8 pt; the table below names everyone in full
TRAINEES_PER_CHART = 16  # four rows of four panels: one chart fits a printed page

_PROLOG = re.compile(r"<\?xml[^>]*\?>\s*|<!DOCTYPE[^>]*>\s*", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_NAMESPACES = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')
_SIZE = re.compile(r'\s(width|height)="[^"]*"')
_IDS = re.compile(r'\sid="([^"]+)"')
_REFS = re.compile(r'(?:href="|url\()#([^")]+)')


def _matplotlib():
    """matplotlib with the Agg backend chosen explicitly (a report never opens a window)."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    return matplotlib, Figure


def _short(text: str, width: int) -> str:
    """`text` safe for a chart and wrapped to lines of `width` characters (at most three)."""
    lines = textwrap.wrap(clean_line(text), width) or [""]
    if len(lines) > 3:
        lines = lines[:3]
        lines[-1] = lines[-1][:max(1, width - 1)].rstrip() + "\u2026"
    return "\n".join(lines)


def _clip(text: str, limit: int) -> str:
    """`text` safe for a chart, on one line of at most `limit` characters (an ellipsis when cut)."""
    text = " ".join(clean_line(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "\u2026"


def inline_svg(fig, prefix: str, label: str) -> str:
    """The figure as an `<svg>` element to put inside an HTML page: sized by its viewBox (the page's
    CSS gives the width), labelled for screen readers with `label`, ids prefixed with `prefix`."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = buffer.getvalue()
    svg = _PROLOG.sub("", svg)
    svg = _METADATA.sub("", svg)
    svg = _NAMESPACES.sub("", svg)
    svg = svg.replace("xlink:href=", "href=")
    used = set(_REFS.findall(svg))
    svg = _IDS.sub(lambda m: f' id="{prefix}-{m.group(1)}"' if m.group(1) in used else "", svg)
    svg = _REFS.sub(lambda m: m.group(0).replace("#", f"#{prefix}-", 1), svg)
    head, rest = svg.split(">", 1)
    head = _SIZE.sub("", head)
    title = label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'{head} class="chart-svg" role="img" aria-label="{title.replace(chr(34), "&quot;")}"><title>{title}</title>{rest.strip()}'


def _close(fig) -> None:
    fig.clf()


def distress_chart(steps: Sequence[dict], level_names: Sequence[str], rapport_names: Sequence[str],
                   behaviour_names: Sequence[str] | None, words: dict, prefix: str = "distress") -> str:
    """The person's distress, rapport and (when known) visible behaviour at every step, decisions marked.

    `steps`: the start, each decision and the ending, in order, each a dict with `tick` (what the x axis
    says: "Start", "3", "End"), `escalation`, `rapport`, `grade` (None for the start and the ending),
    `timer` (the time ran out) and `behaviour` (its rank in `behaviour_names`, or None). Distress is a
    stepped solid line on the levels named by `level_names` (0 at the bottom); each decision carries
    its grade's colour and shape. Rapport (the stairway's stages) and what the person was visibly doing
    are panels beneath, on the same steps. `words` holds the axis titles and legend labels, already
    in the interface language. Returns inline SVG.
    """
    matplotlib, Figure = _matplotlib()
    from matplotlib.lines import Line2D

    with matplotlib.rc_context(RC):
        xs = list(range(len(steps)))
        show_behaviour = bool(behaviour_names) and any(s.get("behaviour") is not None for s in steps)
        level_h = max(1.8, 0.3 * len(level_names) + 0.35)
        rapport_h = max(1.0, 0.21 * len(rapport_names) + 0.3)
        heights = [level_h, rapport_h] + ([max(0.9, 0.21 * len(behaviour_names) + 0.3)] if show_behaviour else [])
        fig = Figure(figsize=(MAX_WIDTH_IN, sum(heights) + 0.9), layout="constrained")
        axes = fig.subplots(len(heights), 1, sharex=True, gridspec_kw={"height_ratios": heights})
        distress, rapport = axes[0], axes[1]
        for ax in axes:
            ax.grid(axis="y", color=GRID, linewidth=0.6)
            ax.set_axisbelow(True)
            for x, s in zip(xs, steps):
                if s.get("grade"):
                    ax.axvline(x, color=GRID, linewidth=0.6, zorder=0)
        escalation = [s["escalation"] for s in steps]
        distress.step(xs, escalation, where="post", color=INK, linewidth=2.0, zorder=2)
        for x, s in zip(xs, steps):
            colour, marker = GRADE_STYLE.get(s.get("grade") or "", (INK, "o"))
            size = 8 if s.get("grade") else 4.5
            distress.plot([x], [s["escalation"]], marker=marker, markersize=size, color=colour,
                          markeredgecolor=INK, markeredgewidth=0.7, linestyle="none", zorder=3)
        distress.set_ylim(-0.6, len(level_names) - 0.4)
        distress.set_yticks(range(len(level_names)),
                            [_short(f"{i} {name}", 22) for i, name in enumerate(level_names)])
        distress.set_title(words["distress"], loc="left", fontweight="bold")

        rapport.step(xs, [s["rapport"] for s in steps], where="post", color=RAPPORT, linewidth=1.8,
                     linestyle="--", zorder=2)
        rapport.plot(xs, [s["rapport"] for s in steps], marker="o", markersize=3, color=RAPPORT, linestyle="none")
        rapport.set_ylim(-0.5, len(rapport_names) - 0.5)
        rapport.set_yticks(range(len(rapport_names)),
                           [_short(f"{i} {name}", 22) for i, name in enumerate(rapport_names)])
        rapport.set_title(words["rapport"], loc="left", fontweight="bold")

        if show_behaviour:
            ax = axes[2]
            known = [(x, s["behaviour"]) for x, s in zip(xs, steps) if s.get("behaviour") is not None]
            ax.step([k[0] for k in known], [k[1] for k in known], where="post", color=BEHAVIOUR, linewidth=1.6,
                    linestyle=":", zorder=2)
            ax.plot([k[0] for k in known], [k[1] for k in known], marker="s", markersize=3.5, color=BEHAVIOUR,
                    linestyle="none")
            ax.set_ylim(-0.5, len(behaviour_names) - 0.5)
            ax.set_yticks(range(len(behaviour_names)), [_short(n, 26) for n in behaviour_names])
            ax.set_title(words["behaviour"], loc="left", fontweight="bold")

        bottom = axes[-1]
        ticks = [s["tick"] + ("\u2020" if s.get("timer") else "") for s in steps]
        every = 1 if len(steps) <= 36 else (2 if len(steps) <= 72 else 5)
        shown = [t if i % every == 0 or i == len(ticks) - 1 else "" for i, t in enumerate(ticks)]
        bottom.set_xticks(xs, shown, fontsize=7.5 if len(steps) > 20 else 8)
        bottom.set_xlim(-0.5, max(xs) + 0.5 if xs else 0.5)
        bottom.set_xlabel(words["decisions_axis"])

        grades = [g for g in GRADE_STYLE if any(s.get("grade") == g for s in steps)]
        handles = [Line2D([], [], color=GRADE_STYLE[g][0], marker=GRADE_STYLE[g][1], markeredgecolor=INK,
                          markeredgewidth=0.7, linestyle="none", markersize=7, label=words["grades"].get(g, g))
                   for g in grades]
        handles.append(Line2D([], [], color=INK, linewidth=2.0, label=words["distress_line"]))
        handles.append(Line2D([], [], color=RAPPORT, linewidth=1.8, linestyle="--", label=words["rapport_line"]))
        if show_behaviour:
            handles.append(Line2D([], [], color=BEHAVIOUR, linewidth=1.6, linestyle=":",
                                  label=words["behaviour_line"]))
        if any(s.get("timer") for s in steps):
            handles.append(Line2D([], [], linestyle="none", label=words["timer"]))
        fig.legend(handles=handles, loc="outside lower center", ncols=4, frameon=False, handlelength=2.2,
                   columnspacing=1.2)
        svg = inline_svg(fig, prefix, words["label"])
        _close(fig)
    return svg


def competency_boxes(rows: Sequence[dict], words: dict, prefix: str = "competencies") -> str:
    """Horizontal box plots of each competency's scores (0-100), one row per competency, with how many
    sessions observed it. `rows`: dicts with `name`, `stats` (matplotlib `bxp` statistics: med, q1, q3,
    whislo, whishi, mean, fliers; None when no session observed it), `observed`, and `values` (every
    score, drawn as points too, when there are few).
    Returns inline SVG."""
    matplotlib, Figure = _matplotlib()
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(MAX_WIDTH_IN, 0.42 * len(rows) + 1.1), layout="constrained")
        ax = fig.subplots()
        stats, positions = [], []
        n = len(rows)
        for i, row in enumerate(rows):
            if row["stats"] is not None:
                stats.append(dict(row["stats"], label=""))
                positions.append(n - 1 - i)
        if stats:
            ax.bxp(stats, positions=positions, orientation="horizontal", widths=0.55, showmeans=True,
                   patch_artist=True, showfliers=False,
                   boxprops={"facecolor": "#cfe3f1", "edgecolor": INK, "linewidth": 0.8},
                   medianprops={"color": INK, "linewidth": 1.8},
                   meanprops={"marker": "D", "markerfacecolor": "white", "markeredgecolor": INK, "markersize": 4},
                   whiskerprops={"color": INK, "linewidth": 0.8}, capprops={"color": INK, "linewidth": 0.8})
        for i, row in enumerate(rows):  # few sessions: every score as a point, spread so that none hides another
            values = row.get("values") or []
            if values:
                offsets = [((k * 0.618034) % 1.0 - 0.5) * 0.42 for k in range(len(values))]
                ax.scatter(values, [n - 1 - i + o for o in offsets], s=16, color=RAPPORT, alpha=0.85,
                           edgecolors="white", linewidths=0.5, zorder=4)
        ax.set_yticks(range(n), [_short(r["name"], 34) for r in reversed(rows)])
        ax.set_ylim(-0.6, n - 0.4)
        ax.set_xlim(-2, 102)
        ax.axvline(75, color=MUTED, linestyle="--", linewidth=0.8)
        ax.text(75, n - 0.45, words["pass_mark"], color=MUTED, fontsize=7, ha="center", va="bottom")
        ax.grid(axis="x", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        counts = ax.secondary_yaxis("right")
        counts.set_yticks(range(n), [words["observed"].format(n=r["observed"]) for r in reversed(rows)])
        counts.tick_params(length=0, labelsize=7.5, labelcolor=MUTED)
        counts.spines["right"].set_visible(False)
        ax.set_xlabel(words["axis"])
        svg = inline_svg(fig, prefix, words["label"])
        _close(fig)
    return svg


def pass_rates(rows: Sequence[dict], words: dict, prefix: str = "passrates") -> str:
    """One horizontal bar per scenario split into pass, needs practice and fail (shares of its scored
    sessions), each share with its colour and hatching and, when wide enough, its percentage.
    `rows`: dicts with `title`, `n` and `counts` {result: count}. Returns inline SVG."""
    matplotlib, Figure = _matplotlib()
    from matplotlib.patches import Patch
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(MAX_WIDTH_IN, 0.5 * len(rows) + 1.1), layout="constrained")
        ax = fig.subplots()
        n = len(rows)
        for i, row in enumerate(rows):
            y = n - 1 - i
            left = 0.0
            for result, (colour, hatch) in RESULT_STYLE.items():
                share = 100.0 * row["counts"].get(result, 0) / row["n"] if row["n"] else 0.0
                if share <= 0:
                    continue
                ax.barh(y, share, left=left, height=0.6, color=colour, hatch=hatch, edgecolor="white",
                        linewidth=0.6)
                if share >= 9:
                    ax.text(left + share / 2, y, f"{share:.0f}%", ha="center", va="center", fontsize=7.5,
                            color="white" if result != "needs-practice" else INK, fontweight="bold")
                left += share
        ax.set_yticks(range(n), [_short(r["title"], 34) for r in reversed(rows)])
        ax.set_ylim(-0.6, n - 0.4)
        ax.set_xlim(0, 100)
        ax.set_xlabel(words["axis"])
        counts = ax.secondary_yaxis("right")
        counts.set_yticks(range(n), [words["sessions"].format(n=r["n"]) for r in reversed(rows)])
        counts.tick_params(length=0, labelsize=7.5, labelcolor=MUTED)
        counts.spines["right"].set_visible(False)
        handles = [Patch(facecolor=c, hatch=h, edgecolor="white", label=words["results"][r])
                   for r, (c, h) in RESULT_STYLE.items()]
        fig.legend(handles=handles, loc="outside upper center", ncols=3, frameon=False)
        svg = inline_svg(fig, prefix, words["label"])
        _close(fig)
    return svg


def progress(trainees: Sequence[dict], reference: Sequence[tuple], words: dict, prefix: str = "progress") -> str:
    """Small multiples of each trainee's overall score by date: one panel per trainee (the mean of each
    day's scored sessions, a blue line) over the cohort's mean of each day (`reference`, a grey line),
    every panel on the same dates and the same 0-100 scale, so that each trainee reads alone and
    against the class. At most TRAINEES_PER_CHART trainees; `trainees`: dicts with `name` and `points`
    [(datetime.date, score)]; `words`: `trainee`, `cohort`, `pass_mark`, `label` and `day` (a
    date as people read it). The panels are drawn in one set of axes, by hand: sixteen matplotlib axes
    would take a second per chart. Returns inline SVG."""
    matplotlib, Figure = _matplotlib()
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    with matplotlib.rc_context(RC):
        columns = min(PANEL_COLUMNS, max(1, len(trainees)))
        rows = -(-len(trainees) // columns)
        height = 1.3 * rows + 0.6
        fig = Figure(figsize=(MAX_WIDTH_IN, height))
        ax = fig.add_axes((0.45 / MAX_WIDTH_IN, 0.55 / height, 1 - 0.6 / MAX_WIDTH_IN, 1 - 0.6 / height))
        ax.set_axis_off()
        days = sorted({p[0] for t in trainees for p in t["points"]} | {p[0] for p in reference})
        first = days[0].toordinal() if days else 0
        span = max(1, days[-1].toordinal() - first) if days else 1
        gap_x, gap_y = 0.14, 0.42  # between panels, in panel widths and heights

        def place(row: int, column: int, day, score: float) -> tuple[float, float]:
            x = (day.toordinal() - first) / span if len(days) > 1 else 0.5
            return column * (1 + gap_x) + 0.04 + 0.92 * x, -row * (1 + gap_y) - 1 + score / 100

        inner = sorted({round(first + span * f) for f in (0.12, 0.5, 0.88)}) if span > 2 else [first]
        for index, t in enumerate(trainees):
            row, column = divmod(index, columns)
            x0, y0 = column * (1 + gap_x), -row * (1 + gap_y) - 1
            ax.add_patch(Rectangle((x0, y0), 1, 1, fill=False, edgecolor=GRID, linewidth=0.6))
            for score in (50,):
                ax.plot([x0, x0 + 1], [y0 + score / 100] * 2, color=GRID, linewidth=0.5)
            ax.plot([x0, x0 + 1], [y0 + 0.75] * 2, color=MUTED, linestyle="--", linewidth=0.6)
            if reference:
                xy = [place(row, column, d, v) for d, v in reference]
                ax.plot([p[0] for p in xy], [p[1] for p in xy], color="#b8b8b8", linewidth=1.1)
            xy = [place(row, column, d, v) for d, v in t["points"]]
            ax.plot([p[0] for p in xy], [p[1] for p in xy], color=RAPPORT, linewidth=1.3,
                    marker="o" if len(xy) < 25 else None, markersize=2.8)
            ax.text(x0, y0 + 1.04, _clip(t["name"], PANEL_TITLE_CHARS), fontsize=8, fontweight="bold",
                    ha="left", va="bottom")
            if column == 0:
                for score in (0, 50, 100):
                    ax.text(x0 - 0.03, y0 + score / 100, str(score), fontsize=7, ha="right", va="center",
                            color=MUTED)
            if index + columns >= len(trainees):  # the lowest panel of its column: the dates
                for day in inner:
                    x = place(row, column, date_from(day), 0)[0]
                    ax.plot([x, x], [y0, y0 - 0.04], color=MUTED, linewidth=0.6)
                    ax.text(x, y0 - 0.07, words["day"](date_from(day)), fontsize=7, ha="center", va="top",
                            color=MUTED)
        ax.set_xlim(-0.02, columns * (1 + gap_x) - gap_x + 0.02)
        ax.set_ylim(-rows * (1 + gap_y) + gap_y - 0.22, 0.2)
        handles = [Line2D([], [], color=RAPPORT, linewidth=1.3, label=words["trainee"]),
                   Line2D([], [], color="#b8b8b8", linewidth=1.1, label=words["cohort"]),
                   Line2D([], [], color=MUTED, linestyle="--", linewidth=0.6, label=words["pass_mark"])]
        fig.legend(handles=handles, loc="lower center", ncols=3, frameon=False, bbox_to_anchor=(0.5, 0.0))
        svg = inline_svg(fig, prefix, words["label"])
        _close(fig)
    return svg


def date_from(ordinal: int):
    """The date of a proleptic Gregorian ordinal (datetime.date.fromordinal), for the panels' dates."""
    import datetime
    return datetime.date.fromordinal(int(ordinal))
