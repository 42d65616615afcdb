"""`parley analyze SCENARIO [--json]`: the exact analysis (simulator/authoring/analyze.py) as a readable report.

People read scene labels and option texts, never ids (the JSON has both). Exit status: 0 analysed;
1 the scenario has errors, or its analysis cannot finish (too many states); 2 no such scenario.
"""
from __future__ import annotations

import json
import sys

from ..authoring.analyze import Analysis, analyze, to_json
from ..engine.analysis import NoFixedPoint, StateSpaceTooLarge
from ..engine.step import EngineError
from ..i18n import N_, _, language, ngettext
from ..safetext import clean, clean_line
from ..vocabulary import OUTCOME_NAMES
from .layout import clamp_width, terminal_size, wrap
from .opening import CommandError, open_scenario

SHOWN_DECISIONS = 8  # decisions listed in the text report (the JSON has them all)
SHOWN_SCENES = 12
POLICY_NAMES = {
    "random": N_("uniformly random"),
    "longest": N_("always the longest option"),
    "shortest": N_("always the shortest option"),
    "middle": N_("never the longest or shortest"),
    "not-longest": N_("never the longest"),
    "not-shortest": N_("never the shortest"),
}
RESULT_NAMES = {"pass": N_("Pass"), "needs-practice": N_("Needs practice"), "fail": N_("Fail")}


def run(args) -> int:
    """`parley analyze`: returns the exit status."""
    try:
        _path, scenario = open_scenario(args.scenario)
    except CommandError as exc:
        print(clean_line(_("parley: {problem}").format(problem=exc)), file=sys.stderr)
        return exc.status
    try:
        result = analyze(scenario)
    except (StateSpaceTooLarge, NoFixedPoint, EngineError) as exc:
        print(clean_line(_("parley: {scenario} cannot be analyzed exactly: {why}").format(
            scenario=scenario.id, why=exc)), file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(to_json(result), ensure_ascii=False, indent=1))
        return 0
    width = clamp_width(terminal_size()[0])
    print(clean("\n".join(report_lines(result, width))))
    return 0


def _pct(p: float) -> str:
    return f"{100 * p:.0f}%" if p >= 0.005 or p == 0 else "<1%"


def report_lines(result: Analysis, width: int = 80) -> list[str]:
    """The text report, wrapped to `width` columns."""
    data = to_json(result)
    sc = result.scenario
    lang = language() if language() in sc.languages else sc.language
    title = sc.title.get(lang, sc.language)
    out = []

    def para(text: str, indent: str = "", hang: str | None = None) -> None:
        out.extend(wrap(text, width, indent, indent if hang is None else hang))

    size = data["size"]
    para(_("Analysis of \u201c{title}\u201d ({id}, version {version}): {nodes} scenes and {endings} endings; "
           "{states} reachable states, {options} options in them, {transitions} transitions; solved exactly "
           "in {seconds:.2f} s.").format(title=title, id=sc.id, version=sc.version, nodes=size["nodes"],
                                          endings=size["endings"], states=f"{size['states']:,}",
                                          options=f"{size['options']:,}", transitions=f"{size['transitions']:,}",
                                          seconds=result.seconds))
    para(_("A score is 100 minus the points each decision takes off; a pass needs 75 (docs/scoring.md). "
           "Every figure is exact: every reachable state and every random reaction, each with its probability."))
    for key, heading in (("best", _("Best play")), ("worst", _("Worst play"))):
        play = data[key]
        out.append("")
        if play["expected_score"] is None:
            para(_("{heading}: goes round a loop of scenes forever, so it never reaches an ending.").format(
                heading=heading))
            continue
        results = ", ".join(f"{_(RESULT_NAMES[k]) if k in RESULT_NAMES else k} {_pct(v)}"
                            for k, v in play.get("results", {}).items())
        para(_("{heading}: expected score {score:.1f} ({results}); it ends {endings}.").format(
            heading=heading, score=play["expected_score"], results=results,
            endings=_ending_words(sc, play["endings"], lang)))
        throughs = play.get("playthroughs", [])
        if throughs:
            first = throughs[0]
            count = len(throughs)
            para(ngettext("The choices (the most likely of {n} playthrough, {p} of the time):",
                          "The choices (the most likely of {n} playthroughs, {p} of the time):", count).format(
                n=count, p=_pct(first["probability"])), "  ")
            for step in first["steps"]:
                para(f"{_scene(sc, step['node'], lang)}: {_option(sc, step['choice'], lang)}", "    ", " " * 6)
    out.append("")
    para(_("Other ways of playing (mean points lost; the share of each kind of ending):"))
    for play in data["policies"]:
        if play["expected_score"] is None:
            para(_("{policy}: can go round a loop of scenes forever, so it has no final score").format(
                policy=_(POLICY_NAMES[play["policy"]]) if play["policy"] in POLICY_NAMES else play["policy"]), "  ", "    ")
            continue
        lost = 100.0 - play["expected_score"]
        outcomes = ", ".join(f"{_outcome(k)} {_pct(v)}"
                             for k, v in sorted(play["outcomes"].items(), key=lambda kv: -kv[1]))
        para(_("{policy}: loses {lost:.1f} points on average; ends {outcomes}").format(
            policy=_(POLICY_NAMES[play["policy"]]) if play["policy"] in POLICY_NAMES else play["policy"], lost=lost, outcomes=outcomes), "  ", "    ")
    out.append("")
    para(_("Decisions that matter most, for a trainee who plays at random elsewhere (reach: how often random "
           "play gets there; spread: how far apart its options are). For each option, the mean points lost from "
           "there on if you take it and then play as well as possible (best), or at random (random):"))
    for decision in data["decisions"][:SHOWN_DECISIONS]:
        para(_("{scene} (reach {reach}, spread {spread:.1f} points)").format(
            scene=_scene(sc, decision["node"], lang), reach=_pct(min(1.0, decision["reach"])),
            spread=decision["spread"]), "  ")
        out.append("     " + _("best  random"))
        for option in sorted(decision["options"], key=lambda o: (-o["best_after"], -o["random_after"])):
            best, rand = 100.0 - option["best_after"], 100.0 - option["random_after"]
            para(_option(sc, option["choice"], lang), f"    {best:5.1f} {rand:6.1f}  ", " " * 18)
    out.append("")
    para(_("Scenes random play visits most (expected visits per playthrough):"))
    for node_id, count in sorted(data["visits"].items(), key=lambda kv: -kv[1])[:SHOWN_SCENES]:
        para(_scene(sc, node_id, lang), f"  {count:5.2f}  ", " " * 9)
    never = [n for n, v in data["visits"].items() if v == 0]
    if never:
        para(ngettext("{n} scene is never reached by random play: {scenes}.",
                      "{n} scenes are never reached by random play: {scenes}.", len(never)).format(
            n=len(never), scenes="; ".join(_scene(sc, n, lang) for n in never)), "  ")
    return out


def _scene(sc, node_id: str, lang: str) -> str:
    node = sc.nodes[sc.target_index[node_id]]
    text = (node.label or node.narrative).get(lang, sc.language)
    return text if node.label else text[:60]


def _outcome(outcome: str) -> str:
    """An outcome class in the interface language, in lower case inside a sentence ("force used")."""
    name = _(OUTCOME_NAMES[outcome]) if outcome in OUTCOME_NAMES else outcome
    return name[:1].lower() + name[1:]


def _option(sc, choice_id: str, lang: str) -> str:
    choice = sc.choice_by_id[choice_id]
    if choice.is_timeout:
        return _("(waits until the time runs out)")
    return choice.text.get(lang, sc.language) if choice.text is not None else choice_id


def _ending_words(sc, endings: dict, lang: str) -> str:
    parts = []
    for ending_id, p in sorted(endings.items(), key=lambda kv: -kv[1]):
        ending = sc.ending_at(sc.target_index[ending_id])
        parts.append(f"\u201c{ending.title.get(lang, sc.language)}\u201d ({_outcome(ending.outcome)}, {_pct(p)})")
    return "; ".join(parts) if parts else _("nowhere")
