"""What the room did: instructors' picks and reasons, notes, injects, pauses, group votes, prompts shown.

A view of the event log for the debrief and the reports (docs/classroom.md). In an instructor-operated
or workshop session people other than the trainee take part in every decision; the record says who,
and a pick graded worse than another option then offered says why, so that a scenario can never
silently teach that de-escalation fails. Pure: no I/O.
"""
from __future__ import annotations

from simulator.engine.model import GRADES, Scenario
from simulator.i18n import _, ngettext

from .words import choice_label, clip, closed, grade_words, quoted, scene_label

ROOM_ROLES = ("instructor", "workshop", "facilitator")
TEXT_LIMIT = 400  # a typed note or reason as the debrief quotes it
# the event types room_story reads
_ROOM_KINDS = frozenset({"node_entered", "inject_applied", "choice_made", "note_added", "resumed", "perspective_shown",
                         "discussion_shown", "scenario_stopped", "undo"})


def _role(actor) -> str | None:
    return actor.get("role") if isinstance(actor, dict) else None


def _typed(value) -> str | None:
    """Text someone typed (a note, a reason, the trainee's words), on one line and bounded; None if empty."""
    if not isinstance(value, str) or not value.strip():
        return None
    return clip(value, TEXT_LIMIT)


def _clock(t) -> str:
    seconds = int(t) if isinstance(t, (int, float)) and not isinstance(t, bool) and t >= 0 else 0
    return f"{seconds // 60}:{seconds % 60:02d}"


def better_offered(scenario: Scenario, offered: list, chosen: str) -> list[str]:
    """The options offered with `chosen` whose grade is better than its grade, best first."""
    choice = scenario.choice_by_id.get(chosen)
    if choice is None or choice.grade not in GRADES:
        return []
    rank = GRADES.index(choice.grade)
    better = [scenario.choice_by_id[c] for c in offered if c in scenario.choice_by_id and c != chosen]
    better = [c for c in better if c.grade in GRADES and GRADES.index(c.grade) < rank]
    return [c.id for c in sorted(better, key=lambda c: GRADES.index(c.grade))]


def room_story(scenario: Scenario, log: list[dict], lang: str) -> list[dict]:
    """Every event in which someone other than the trainee alone took part, in order: each a dict with
    `kind`, `t`, `scene` (what people call it), `text` (a sentence in the interface language) and the
    ids it concerns. Empty for a session the trainee played alone."""
    default = scenario.language
    out: list[dict] = []
    offered: list = []
    node = None
    picks = 0

    def label(choice_id) -> str:
        """An option as people saw it (never its id), unquoted."""
        choice = scenario.choice_by_id.get(choice_id)
        return choice_label(choice, lang, default) if choice is not None else _("an option")

    def add(kind: str, event: dict, text: str, **data) -> None:
        out.append({"kind": kind, "t": event.get("t", 0.0), "clock": _clock(event.get("t")),
                    "scene": scene_label(scenario, event.get("node") or node or "", lang), "text": text, **data})

    for event in log:
        kind = event.get("type")
        if kind not in _ROOM_KINDS:  # most events (outcomes, level changes, endings) say nothing about the room
            continue
        if kind == "node_entered":
            node, offered = event.get("node"), event.get("choices") or []  # copied only when a pick reads it
        elif kind == "inject_applied":
            offered = list(event.get("choices") or offered)
            inject = next((j for n in scenario.nodes for j in n.injects if j.id == event.get("inject")), None)
            what = (inject.label or inject.text).get(lang, default) if inject is not None else _("an event")
            add("inject", event, _("The instructor brought in: {what}").format(what=clip(what, TEXT_LIMIT)),
                inject=event.get("inject"))
        elif kind == "choice_made":
            actor = event.get("actor")
            role = _role(actor)
            if role == "instructor":
                picks += 1
                entry = _pick(scenario, event, actor, list(offered), label, lang)
                if entry["kind"] == "override" or entry["heard"]:  # a plain pick is on the path already
                    out.append(entry)
            elif role == "workshop":
                out.append(_vote(scenario, event, actor, label, lang))
        elif kind == "note_added":
            note = _typed(event.get("text"))
            if note:
                who = _role(event.get("actor"))
                template = _("Facilitator's note: {note}") if who == "facilitator" else _("Instructor's note: {note}")
                add("note", event, template.format(note=note))
        elif kind == "resumed":
            paused = event.get("paused_seconds")
            seconds = round(paused) if isinstance(paused, (int, float)) and not isinstance(paused, bool) else 0
            add("pause", event, ngettext("Paused for {n} second.", "Paused for {n} seconds.", seconds).format(n=seconds))
        elif kind == "perspective_shown":
            add("perspective", event, _("The room looked at this moment from the person's side."))
        elif kind == "discussion_shown":
            choice = scenario.choice_by_id.get(event.get("choice"))
            prompt = choice.discuss.get(lang, default) if choice is not None and choice.discuss else ""
            add("discussion", event, _("Discussion: {prompt}").format(prompt=clip(prompt, TEXT_LIMIT)),
                choice=event.get("choice"))
        elif kind == "scenario_stopped":
            why = _typed(event.get("reason")) or _("no reason given")
            add("stopped", event, _("The instructor ended the scenario here: {why}").format(why=why))
        elif kind == "undo" and _role(event.get("actor")) in ROOM_ROLES:
            why = _typed(event.get("reason")) or _("no reason given")
            add("step-back", event, _("The facilitator stepped back one decision: {why}").format(why=why))
    if picks:  # first: every decision was the instructor's pick, even those not listed
        out.insert(0, {"kind": "picks", "t": 0.0, "clock": "", "scene": "", "picks": picks,
                       "text": ngettext("The instructor picked the option at {n} decision, for what the trainee "
                                        "said; picks with the trainee's words or a reason are listed here.",
                                        "The instructor picked the options at all {n} decisions, for what the "
                                        "trainee said; picks with the trainee's words or a reason are listed here.",
                                        picks).format(n=picks)})
    return out


def _pick(scenario: Scenario, event: dict, actor: dict, offered: list, label, lang: str) -> dict:
    """An instructor's pick: what was heard, what was picked, and why when a better-graded option was there."""
    chosen = event.get("choice")
    choice = scenario.choice_by_id.get(chosen)
    grade = choice.grade if choice is not None else None
    better = better_offered(scenario, offered, chosen)
    heard = _typed(actor.get("heard"))
    why = _typed(event.get("reason"))
    parts = []
    if heard:
        parts.append(_("The trainee said: {words}").format(words=quoted(heard)))
    parts.append(_("The instructor picked {choice} ({grade}).").format(choice=quoted(label(chosen)),
                                                                       grade=grade_words(grade) if grade else "?"))
    if better:
        texts = [label(b) for b in better]
        parts.append(_("Graded better and offered too: {options}").format(
            options="; ".join([quoted(t) for t in texts[:-1]] + [closed(texts[-1])])))
        parts.append(_("The instructor's reason: {why}").format(why=why) if why else _("No reason was given."))
    return {"kind": "override" if better else "pick", "t": event.get("t", 0.0), "clock": _clock(event.get("t")),
            "scene": scene_label(scenario, event.get("node") or "", lang), "text": " ".join(parts),
            "choice": chosen, "grade": grade, "better": better, "heard": heard, "reason": why}


def _vote(scenario: Scenario, event: dict, actor: dict, label, lang: str) -> dict:
    """A workshop's vote: the count for each option, what went ahead, and a tie the facilitator broke."""
    votes = actor.get("votes") if isinstance(actor.get("votes"), dict) else {}
    counts = {k: v for k, v in votes.items() if isinstance(v, int) and not isinstance(v, bool) and v >= 0}
    total = sum(counts.values())
    parts = [ngettext("{n} vote for {choice}", "{n} votes for {choice}", n).format(n=n, choice=quoted(label(c)))
             for c, n in sorted(counts.items(), key=lambda item: -item[1]) if n]
    split = "; ".join(parts[:-1] + [closed(parts[-1])]) if parts else _("No votes were recorded.")
    chosen = event.get("choice")
    text = _("Group vote ({total} in all): {split} Went ahead: {choice}").format(
        total=total, split=split, choice=closed(label(chosen)))
    tie = actor.get("tie") is True
    if tie:
        why = _typed(event.get("reason"))
        text += " " + (_("A tie: the facilitator decided ({why}).").format(why=why) if why
                       else _("A tie: the facilitator decided."))
    return {"kind": "vote", "t": event.get("t", 0.0), "clock": _clock(event.get("t")),
            "scene": scene_label(scenario, event.get("node") or "", lang), "text": text, "choice": chosen,
            "votes": counts, "tie": tie}
