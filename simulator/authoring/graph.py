"""A scenario (and optionally one recorded playthrough) drawn as Graphviz DOT text, for trainers and authors.

Pure: no printing, no files, no pygame. `analyse` reads every state reachable from the start from the
engine's exact analysis (every choice, timer expiry and random outcome), and `graph_dot` draws from it. What the colours mean is defined once, in `DISTRESS_BINS` and the legend:

  a scene's distress change = the mean, over every state in which the scene can be reached (each
  counted once) and every option open in that state (a timer's expiry included), of the expected
  change in the person's distress (the `escalation` level), random reactions weighted by their
  exact probability. Its range is the smallest and largest change a single option or reaction makes.

People read text, never ids: ids appear only as DOT node names and tooltips. Scenario text is
untrusted, so every string goes through `quoted` (plain DOT strings) or `html.escape` (the legend).
"""
from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass, field

import numpy as np

from scoring.context import context_for
from scoring.exact import grades_array
from simulator.engine.analysis import StateSpaceTooLarge, explore
from simulator.engine.model import ESCALATION, GRADES, OUTCOME_CLASSES, Choice, Scenario, Text
from simulator.engine.session import Session
from simulator.i18n import N_, _
from simulator.safetext import clean_line
from simulator.vocabulary import OUTCOME_NAMES, word

STATE_BUDGET = 1_000_000  # reachable states walked before colours are given up (the largest shipped: ~25,000)
FONT = "Helvetica,Arial,sans-serif"  # a fontconfig family list and a CSS one: works in PNG and in browsers

# Distress bins, calming to escalating, on the mean rounded to one decimal as the label shows it:
# (highest rounded mean, fill, font colour, border width, marker, legend words). ColorBrewer RdBu (safe
# for colour-blind readers); in greyscale the two dark ends look alike, so the marker, the signed
# number and the border width (thick when distress rises) say the same thing.
DISTRESS_BINS = (
    (-1.0, "#2166ac", "white", 1.0, "▼▼", N_("calms a lot: mean -1.0 or lower")),
    (-0.3, "#92c5de", "black", 1.0, "▼", N_("calms: mean -0.9 to -0.3")),
    (0.2, "#f7f7f7", "black", 1.0, "●", N_("about level: mean -0.2 to +0.2")),
    (0.9, "#f4a582", "black", 2.5, "▲", N_("raises distress: mean +0.3 to +0.9")),
    (float("inf"), "#b2182b", "white", 2.5, "▲▲", N_("raises it a lot: mean +1.0 or higher")),
)
UNKNOWN_FILL = "#d9d9d9"
# Okabe-Ito colours (distinguishable with every common colour-vision deficiency), one per outcome class;
# the class is also written in the ending's label.
ENDING_FILLS = {"resolved": "#009e73", "referred": "#56b4e9", "arrest": "#f0e442", "force-used": "#e69f00",
                "injury": "#d55e00"}
# black text on every one: white on the green or the vermillion falls below 4.5:1 contrast
ENDING_FONTS = {"resolved": "black", "referred": "black", "arrest": "black", "force-used": "black",
                "injury": "black"}
CRITICAL_COLOUR, MAJOR_COLOUR, PLAIN_COLOUR, FADED_COLOUR, PATH_COLOUR = (
    "#c0392b", "#e69f00", "#555555", "#bbbbbb", "#000000")
CLOCK, PATH_MARK = "◷", "▶"

# Words used inside f-strings: marked here, where Babel's extractor sees them (it does not look inside f-strings).
SCENARIO_VERSION = N_("scenario {id}, version {version}")
START_WORD = N_("start")
SCENE_ID = N_("scene id: {id}")
ENDING_ID = N_("ending id: {id}")
RANDOM_REACTION = N_("random reaction to choice {id}")
OUTCOME_OF = N_("outcome {n} of choice {id}")
HOW_TO_READ = N_("How to read this graph")
GREY_WORDS = N_("grey: not reachable, or not computed")
ENDING_WORD = N_("ending")
DOUBLE_BORDER = N_("double border: ending, {outcome}")
LEGEND_WORD = N_("legend")

CHOICE_WIDTH, CHOICE_LINES = 30, 3  # edge labels: wrapped to 30 characters, at most 3 lines
SCENE_WIDTH = 26


# -- analysis ----------------------------------------------------------------------------------------
@dataclass
class SceneStats:
    """What the exact walk found at one scene."""

    states: int = 0
    deltas: list = field(default_factory=list)  # expected distress change per (state, option)
    low: int | None = None
    high: int | None = None

    @property
    def mean(self) -> float | None:
        return sum(self.deltas) / len(self.deltas) if self.deltas else None


@dataclass
class ChoiceStats:
    """What the exact walk found for one choice (or timer expiry)."""

    states: int = 0  # reachable states in which it is open
    deltas: list = field(default_factory=list)
    critical_states: int = 0  # of those, states in which its effective grade is critical
    disproportionate: bool = False  # a critical error came from a force check
    probabilities: dict = field(default_factory=dict)  # outcome index -> (lowest, highest) probability


@dataclass
class Reach:
    """The exact walk of a scenario's reachable states (`complete` False: over the budget, no colours)."""

    scenes: dict  # node index -> SceneStats
    choices: dict  # choice id -> ChoiceStats
    targets: set  # node and ending indexes reached
    states: int
    complete: bool = True


def analyse(scenario: Scenario, budget: int = STATE_BUDGET) -> Reach:
    """Every state reachable from the start, from the engine's exact analysis (simulator/engine/analysis):
    per scene and per choice, the distress changes, effective critical grades and outcome probabilities."""
    try:
        space = explore(scenario, limit=budget)
    except StateSpaceTooLarge:
        return Reach({}, {}, set(), budget, complete=False)
    context = context_for(scenario)
    _points, tiers = grades_array(context, space)
    n_nodes = len(scenario.nodes)
    src = space.action_state[space.tr_action]
    delta = space.tr_escalation - space.values[src, ESCALATION]
    expected = np.add.reduceat(space.tr_prob * delta, space.tr_first[:-1]) if len(space.tr_action) else np.zeros(0)
    scenes: dict = {}
    for at in range(n_nodes):
        s0, s1 = int(space.node_first[at]), int(space.node_first[at + 1])
        if s0 == s1:
            continue
        a0, a1 = int(space.action_first[s0]), int(space.action_first[s1])
        t0, t1 = int(space.tr_first[a0]), int(space.tr_first[a1])
        scene = scenes[at] = SceneStats(states=s1 - s0, deltas=expected[a0:a1].tolist())
        if t1 > t0:
            scene.low, scene.high = int(delta[t0:t1].min()), int(delta[t0:t1].max())
    critical = GRADES.index("critical")
    choices: dict = {}
    for o in np.unique(space.action_option):
        mine = np.flatnonzero(space.action_option == o)
        choice = space.options[o]
        stats = choices[choice.id] = ChoiceStats(states=len(mine), deltas=expected[mine].tolist())
        hit = mine[tiers[mine] == critical]
        stats.critical_states = len(hit)
        for a in hit:  # was it a force check that made it critical?
            values = tuple(int(x) for x in space.values[space.action_state[a]])
            errors = context.decision_errors_for(choice, scenario.nodes[choice.node].id, values)
            if any(fc is not None and not fc.proportionate for _ce, fc in errors):
                stats.disproportionate = True
                break
        tr = np.concatenate([np.arange(space.tr_first[a], space.tr_first[a + 1]) for a in mine])
        for index in np.unique(space.tr_outcome[tr]):
            if index >= 0:
                p = space.tr_prob[tr][space.tr_outcome[tr] == index]
                stats.probabilities[int(index)] = (float(p.min()), float(p.max()))
    return Reach(scenes, choices, {int(t) for t in np.unique(space.target)}, space.n_states)


# -- a recorded playthrough ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PathStep:
    """One decision of a recorded playthrough: where, what, which random reaction, where it led."""

    number: int
    node: str
    choice: str
    outcome: int | None
    target: str


@dataclass(frozen=True)
class Overlay:
    """A recorded playthrough: its decisions in order (undone ones dropped) and the ending, if reached."""

    steps: tuple[PathStep, ...]
    ending: str | None
    start: str


def overlay_from_log(scenario: Scenario, log: list) -> Overlay:
    """The playthrough `log` records on `scenario` (the variant the log names: see
    simulator.content.loader.scenario_for_log). The log is untrusted: it must replay exactly (a log
    that stops mid-play is fine), else ReplayMismatch with a message saying why."""
    Session.replay(scenario, log, outcomes="log", partial=True, exact=False)
    steps: list[list] = []
    for event in log[1:]:
        kind = event.get("type")
        if kind in ("choice_made", "timer_expired"):
            steps.append([event["node"], event["choice"], None, None])
        elif kind == "outcome_drawn" and steps:
            steps[-1][2] = event["outcome"]
        elif kind in ("node_entered", "ending_reached") and steps:
            steps[-1][3] = event.get("node", event.get("ending"))
        elif kind == "undo":
            del steps[event["steps"]:]  # `steps` is the number of decisions left after going back
    done = [PathStep(i + 1, node, choice, outcome, target)
            for i, (node, choice, outcome, target) in enumerate(steps) if target is not None]
    last = done[-1].target if done else None
    ending = last if last is not None and last in scenario.target_index and \
        scenario.is_ending(scenario.target_index[last]) else None
    return Overlay(tuple(done), ending, scenario.target_ids[scenario.start])


# -- text ---------------------------------------------------------------------------------------------
def quoted(text: str) -> str:
    """`text` as a DOT double-quoted string: controls removed, newlines made spaces, backslashes and
    quotes escaped (so no escString sequence such as \\N or \\l can come from the text)."""
    return '"' + clean_line(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def lines_label(lines: list[str]) -> str:
    """Several lines as one DOT label string, each line escaped and centred."""
    return '"' + "\\n".join(quoted(line)[1:-1] for line in lines) + '"'


def shorten(text: str, width: int, max_lines: int) -> list[str]:
    """`text` wrapped to `width` characters in at most `max_lines` lines, cut with an ellipsis."""
    words = " ".join(clean_line(text).split())
    lines = textwrap.wrap(words, width, break_long_words=True) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


def signed(value: float, digits: int = 1) -> str:
    """+1.3, -0.5, 0.0: the sign always shown (never -0.0)."""
    value = round(value, digits)
    if value == 0:
        return f"{0:.{digits}f}"
    return f"{value:+.{digits}f}"


def percent(p: float) -> str:
    """75%, 66.7%."""
    value = round(p * 100, 1)
    return f"{value:g}%"


def distress_bin(mean: float):
    """The DISTRESS_BINS row of a mean change, judged as shown (rounded to one decimal)."""
    shown = round(mean, 1)
    return next(b for b in DISTRESS_BINS if shown <= b[0])


# -- drawing ------------------------------------------------------------------------------------------
class _Drawing:
    """Builds the DOT text of one graph (kept as a class only to share the settings between parts)."""

    def __init__(self, scenario: Scenario, reach: Reach, overlay: Overlay | None, language: str):
        self.sc = scenario
        self.reach = reach
        self.overlay = overlay
        self.language = language
        self.out: list[str] = []
        self.on_path: dict = {}  # (choice id, outcome index or None) -> step numbers
        self.visited: dict = {}  # target id -> step numbers after which it was entered (0: the start)
        if overlay is not None:
            self.visited[overlay.start] = [0]
            for step in overlay.steps:
                self.on_path.setdefault((step.choice, step.outcome), []).append(step.number)
                self.on_path.setdefault((step.choice, "chance"), []).append(step.number)
                self.visited.setdefault(step.target, []).append(step.number)

    def text(self, value: Text | None) -> str:
        return value.get(self.language, self.sc.language) if value is not None else ""

    def target_name(self, index: int) -> str:
        prefix = "ending:" if self.sc.is_ending(index) else "scene:"
        return quoted(prefix + self.sc.target_ids[index])

    def emit(self, line: str) -> None:
        self.out.append(line)

    # -- parts --------------------------------------------------------------------------------------
    def header(self) -> None:
        sc = self.sc
        title = self.text(sc.title)
        self.emit("digraph parley {")
        self.emit(f'  graph [rankdir=TB, fontname="{FONT}", fontsize=20, labelloc=t, nodesep=0.35, ranksep=0.55, '
                  f'label={lines_label(shorten(title, 80, 2) + [_(SCENARIO_VERSION).format(id=sc.id, version=sc.version)])}, '
                  f'tooltip={quoted(sc.id)}, bgcolor=white];')
        self.emit(f'  node [fontname="{FONT}", fontsize=12, margin="0.12,0.06"];')
        self.emit(f'  edge [fontname="{FONT}", fontsize=10, color="{PLAIN_COLOUR}", fontcolor="#222222"];')
        self.emit(f'  "start" [shape=circle, style=filled, fillcolor=black, fontcolor=white, fontsize=10, '
                  f'width=0.6, fixedsize=true, label={quoted(_(START_WORD))}, tooltip={quoted(_(START_WORD))}];')
        self.emit(f'  "start" -> {self.target_name(sc.start)} [penwidth={5 if self.overlay else 1.5}, '
                  f'color="{PATH_COLOUR if self.overlay else PLAIN_COLOUR}"];')

    def speakers(self, node) -> str:
        names = []
        for line in node.lines:
            character = self.sc.characters.get(line.speaker)
            name = self.text(character.name) if character is not None else line.speaker
            if name not in names:
                names.append(name)
        if not names:
            return ""
        shown = ", ".join(names[:2]) + (", …" if len(names) > 2 else "")
        return _("speaks: {names}").format(names=shown)

    def scene(self, node) -> None:
        stats = self.reach.scenes.get(node.index)
        lines = shorten(self.text(node.label) or node.id, SCENE_WIDTH, 3)
        who = self.speakers(node)
        if who:
            lines += shorten(who, SCENE_WIDTH + 6, 1)
        style = ["rounded", "filled"]
        penwidth, font = 1.0, "black"
        if not self.reach.complete:
            fill = UNKNOWN_FILL
            lines.append(_("distress not computed"))
        elif stats is None:
            fill = UNKNOWN_FILL
            style.append("dotted")
            lines.append(_("not reachable from the start"))
        elif stats.mean is None:
            fill = UNKNOWN_FILL
            lines.append(_("no option open"))
        else:
            _top, fill, font, penwidth, marker, _words = distress_bin(stats.mean)
            lines.append(_("distress {marker} {mean} ({low} to {high})").format(
                marker=marker, mean=signed(stats.mean), low=signed(stats.low, 0), high=signed(stats.high, 0)))
        if node.timer is not None:
            lines.append(_("{clock} {seconds} s to decide").format(clock=CLOCK, seconds=f"{node.timer.seconds:g}"))
        colour = "black"
        steps = self.visited.get(node.id)
        if steps is not None:
            penwidth = 5.0
            colour = PATH_COLOUR
            lines.insert(0, _("{mark} visited").format(mark=PATH_MARK))
        elif self.overlay is not None:
            colour = FADED_COLOUR
        self.emit(f'  {self.target_name(node.index)} [shape=box, style="{",".join(style)}", fillcolor="{fill}", '
                  f'fontcolor="{font}", color="{colour}", penwidth={penwidth}, label={lines_label(lines)}, '
                  f'tooltip={quoted(_(SCENE_ID).format(id=node.id))}];')

    def ending(self, ending) -> None:
        lines = shorten(self.text(ending.title) or ending.id, SCENE_WIDTH, 3)
        lines.append(_("Ending: {outcome}").format(outcome=_(OUTCOME_NAMES.get(ending.outcome, ending.outcome))))
        if context_for(self.sc).ending_errors(ending.id):
            lines.append(_("CRITICAL error ending"))
        style = "filled,bold"
        if self.reach.complete and ending.index not in self.reach.targets:
            style += ",dotted"
            lines.append(_("not reachable from the start"))
        penwidth, colour = 1.5, "black"
        if self.overlay is not None and self.overlay.ending == ending.id:
            lines.insert(0, _("{mark} REACHED").format(mark=PATH_MARK))
            penwidth, colour = 6.0, PATH_COLOUR
        elif self.overlay is not None:
            colour = FADED_COLOUR
        self.emit(f'  {self.target_name(ending.index)} [shape=box, peripheries=2, style="{style}", '
                  f'fillcolor="{ENDING_FILLS.get(ending.outcome, UNKNOWN_FILL)}", '
                  f'fontcolor="{ENDING_FONTS.get(ending.outcome, "black")}", color="{colour}", penwidth={penwidth}, '
                  f'label={lines_label(lines)}, tooltip={quoted(_(ENDING_ID).format(id=ending.id))}];')

    def choice_words(self, choice: Choice) -> tuple[list[str], str | None]:
        """The label lines of a choice's edge, and the grade it is drawn with (critical, major or None)."""
        if choice.is_timeout:
            timer = self.sc.nodes[choice.node].timer
            lines = [_("{clock} time runs out ({seconds} s)").format(clock=CLOCK, seconds=f"{timer.seconds:g}")]
            if choice.text is not None:
                lines += shorten(self.text(choice.text), CHOICE_WIDTH, 2)
        else:
            lines = shorten(self.text(choice.text) or choice.id, CHOICE_WIDTH, CHOICE_LINES)
        stats = self.reach.choices.get(choice.id)
        grade = choice.grade if choice.grade in ("critical", "major") else None
        flags = []
        if grade == "critical":
            flags.append(_("CRITICAL"))
        elif stats is not None and stats.critical_states:
            grade = "critical"
            why = _("disproportionate force") if stats.disproportionate else _("critical error")
            if stats.critical_states == stats.states:
                flags.append(_("CRITICAL: {why}").format(why=why))
            else:
                flags.append(_("CRITICAL in some states: {why}").format(why=why))
            if choice.grade == "major":
                flags.append(_("(authored MAJOR)"))
        elif grade == "major":
            flags.append(_("MAJOR"))
        if choice.force is not None:
            flags.append(_("force: {level}").format(level=word(self.sc.behaviour.force_names.get(choice.force,
                                                                                                  choice.force))))
        if stats is not None and stats.deltas:
            mean = sum(stats.deltas) / len(stats.deltas)
            if round(mean, 1) != 0:
                flags.append(_("distress {change}").format(change=signed(mean)))
        elif self.reach.complete and choice.node in self.reach.scenes:
            flags.append(_("(never open in play)"))
        if flags:
            lines += shorten(" · ".join(flags), CHOICE_WIDTH + 6, 3)
        return lines, grade

    def edge_style(self, choice: Choice, grade: str | None, steps: list | None, never: bool) -> str:
        colour, penwidth, style = PLAIN_COLOUR, 1.2, ["solid"]
        font = "#222222"
        if grade == "critical":
            colour, penwidth, style, font = CRITICAL_COLOUR, 3.5, ["bold"], "#8b1a10"
        elif grade == "major":
            colour, penwidth, font = MAJOR_COLOUR, 2.2, "#6b4700"
        if choice.is_timeout:
            style = ["dashed"]
        if never:
            style, colour = ["dotted"], FADED_COLOUR
        if self.overlay is not None:
            if steps:
                colour, penwidth = PATH_COLOUR, 5.0
            elif grade is None:
                colour, font = FADED_COLOUR, "#777777"
        arrow = "normal"
        if choice.force is not None:
            arrow = "diamond"  # a shape cue for force, besides the words
        return (f'color="{colour}", penwidth={penwidth}, style="{",".join(style)}", fontcolor="{font}", '
                f'arrowhead={arrow}')

    def path_words(self, steps: list | None) -> list[str]:
        if not steps:
            return []
        return [_("{mark} step {numbers}").format(mark=PATH_MARK, numbers=", ".join(map(str, steps)))]

    def choice(self, node, choice: Choice) -> None:
        lines, grade = self.choice_words(choice)
        stats = self.reach.choices.get(choice.id)
        never = self.reach.complete and node.index in self.reach.scenes and stats is None
        tooltip = quoted(_("choice id: {id}").format(id=choice.id))
        source = self.target_name(node.index)
        if not choice.outcomes:
            steps = self.on_path.get((choice.id, None))
            self.emit(f'  {source} -> {self.target_name(choice.target)} [label={lines_label(self.path_words(steps) + lines)}, '
                      f'{self.edge_style(choice, grade, steps, never)}, tooltip={tooltip}];')
            return
        # a random reaction: the choice leads to a small chance node, each outcome leaves it with its chance
        chance = quoted("chance:" + choice.id)
        steps = self.on_path.get((choice.id, "chance"))
        self.emit(f'  {chance} [shape=circle, width=0.32, fixedsize=true, label="?", fontsize=11, style=filled, '
                  f'fillcolor="{"#cccccc" if steps else "white"}", color="{PATH_COLOUR if steps else PLAIN_COLOUR}", '
                  f'penwidth={3 if steps else 1}, tooltip={quoted(_(RANDOM_REACTION).format(id=choice.id))}];')
        self.emit(f'  {source} -> {chance} [label={lines_label(self.path_words(steps) + lines)}, '
                  f'{self.edge_style(choice, grade, steps, never)}, tooltip={tooltip}];')
        for outcome in choice.outcomes:
            odds = stats.probabilities.get(outcome.index) if stats is not None else None
            if odds is None:
                words = [_("never happens in play")] if stats is not None else [_("weight {w}").format(w=f"{outcome.weight:g}")]
            elif abs(odds[0] - odds[1]) < 5e-4:
                words = [percent(odds[0])]
            else:
                words = [_("{low} to {high}").format(low=percent(odds[0]), high=percent(odds[1]))]
            if outcome.text is not None:
                words += shorten(self.text(outcome.text), CHOICE_WIDTH - 4, 2)
            out_steps = self.on_path.get((choice.id, outcome.index))
            colour, penwidth, font = PLAIN_COLOUR, 1.0, "#222222"
            if out_steps:
                colour, penwidth = PATH_COLOUR, 5.0
            elif self.overlay is not None or odds is None:
                colour, font = FADED_COLOUR, "#777777"
            self.emit(f'  {chance} -> {self.target_name(outcome.target)} [label={lines_label(self.path_words(out_steps) + words)}, '
                      f'color="{colour}", penwidth={penwidth}, fontcolor="{font}", style="{"dashed" if choice.is_timeout else "solid"}", '
                      f'tooltip={quoted(_(OUTCOME_OF).format(n=outcome.index, id=choice.id))}];')

    def legend(self) -> None:
        """One HTML-table node that says how to read every colour, line and mark."""
        esc = html.escape
        definition = _("Scene colour: the mean change in distress its options cause, over every state in which "
                       "the scene can be reached (each counted once) and every option open there (timer included); "
                       "random reactions weighted by their chance. In brackets: the smallest and largest single "
                       "change. Distress is the escalation level, 0 to {top}.").format(
                           top=len(self.sc.behaviour.level_names) - 1)
        rows = [f'<TR><TD COLSPAN="2"><B>{esc(_(HOW_TO_READ))}</B></TD></TR>',
                f'<TR><TD COLSPAN="2" ALIGN="LEFT" BALIGN="LEFT">{self.wrapped_html(definition)}</TD></TR>']
        for _top, fill, font, _pen, marker, words in DISTRESS_BINS:
            rows.append(f'<TR><TD BGCOLOR="{fill}" WIDTH="60"><FONT COLOR="{font}">{esc(marker)}</FONT></TD>'
                        f'<TD ALIGN="LEFT">{esc(_(words))}</TD></TR>')
        rows.append(f'<TR><TD BGCOLOR="{UNKNOWN_FILL}"> </TD><TD ALIGN="LEFT">'
                    f'{esc(_(GREY_WORDS))}</TD></TR>')
        for outcome in OUTCOME_CLASSES:
            rows.append(f'<TR><TD BGCOLOR="{ENDING_FILLS[outcome]}"><FONT COLOR="{ENDING_FONTS[outcome]}">'
                        f'{esc(_(ENDING_WORD))}</FONT></TD><TD ALIGN="LEFT">'
                        f'{esc(_(DOUBLE_BORDER).format(outcome=_(OUTCOME_NAMES[outcome])))}</TD></TR>')
        marks = [(_("thick red line"), _("CRITICAL: a critical error, as written or because the force is "
                                        "out of proportion (fails the run)")),
                 (_("orange line"), _("MAJOR: a major error")),
                 (_("diamond arrow"), _("force: the level of force the choice uses")),
                 (_("dashed line, {clock}").format(clock=CLOCK), _("the decision timer runs out")),
                 (_("circle ?"), _("a random reaction; each branch shows its chance")),
                 (_("dotted"), _("never open (or never happens) in play")),
                 (_("distress +1.0"), _("on a choice: its mean change in distress"))]
        if self.overlay is not None:
            marks.append((_("thick black, {mark}").format(mark=PATH_MARK),
                          _("the recorded playthrough, with its step numbers")))
        for mark, meaning in marks:
            rows.append(f'<TR><TD ALIGN="LEFT">{esc(mark)}</TD><TD ALIGN="LEFT">{esc(meaning)}</TD></TR>')
        table = ('<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4">' + "".join(rows) + "</TABLE>")
        self.emit(f'  "legend" [shape=plaintext, fontsize=11, label=<{table}>, tooltip={quoted(_(LEGEND_WORD))}];')

    def wrapped_html(self, text: str) -> str:
        return "<BR/>".join(html.escape(line) for line in textwrap.wrap(text, 60))

    def draw(self) -> str:
        self.header()
        for node in self.sc.nodes:
            self.scene(node)
        for ending in self.sc.endings:
            self.ending(ending)
        for node in self.sc.nodes:
            for choice in node.choices:
                self.choice(node, choice)
            if node.timer is not None:
                self.choice(node, node.timer.expire)
        self.legend()
        self.emit("}")
        return "\n".join(self.out) + "\n"


def graph_dot(scenario: Scenario, overlay: Overlay | None = None, language: str | None = None,
              reach: Reach | None = None) -> str:
    """The scenario's graph as DOT text: scenes, endings, every choice and random outcome, a legend,
    and `overlay` (a recorded playthrough, from `overlay_from_log`) drawn over it. `language` picks the
    scenario's text (default: its own language); `reach` reuses an `analyse` result."""
    reach = analyse(scenario) if reach is None else reach
    return _Drawing(scenario, reach, overlay, language or scenario.language).draw()
