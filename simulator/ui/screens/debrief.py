"""The debrief, drawn from the scoring report in pages an instructor can step through on a projector: first
the result, takeaways and questions, then key decisions, errors and chance, competencies, distress and
rapport, force, the path taken, the person's side and the objectives. No ids, no expected values."""
from __future__ import annotations

import pygame

from scoring.words import MISSED, counts_line, grade_words, quoted, raised_lowered, times

from ...engine.model import GRADES
from ...i18n import N_, _, ngettext
from ...vocabulary import OUTCOME_NAMES, word
from ..chart import draw_chart, draw_legend
from ..text import Span, layout
from ..theme import panel_surface
from ..topics import mode_name
from ..widgets import Button
from .base import FocusScreen, button_row

RESULT_LABELS = {"pass": N_("Pass"), "needs-practice": N_("Needs practice"), "fail": N_("Fail")}
PAGES = (N_("Summary"), N_("Key decisions"), N_("Errors, mistakes and chance"), N_("Competencies"),
         N_("Distress and rapport"), N_("Use of force"), N_("Your path and the paths not taken"), N_("Their side"),
         N_("Objectives and notes"))
ROOM_PAGE = PAGES.index("Your path and the paths not taken") + 1  # where "who else took part" is, 1-based
FALLBACK_BACKGROUND = "backgrounds/briefing.svg"  # only for a scenario with no art of its own
COLUMN_MIN_EMS = 25  # a column of the summary is at least this many body-text heights wide


def _lower(name: str) -> str:
    """A level or stage name inside a sentence, in the interface language: "Feels listened to" ->
    "feels listened to"."""
    name = word(name) if name else name
    return name[:1].lower() + name[1:] if name else name


def _mattered_most(key_decisions: list) -> dict | None:
    """The key decision where a better option would have gained most (then the most serious grade)."""
    rows = [k for k in key_decisions if k.get("lesson") or (k.get("better") or {}).get("text")]
    if not rows:
        return None
    return max(rows, key=lambda k: (k.get("gain") or 0, GRADES.index(k["grade"]) if k.get("grade") in GRADES else 0))


class DebriefScreen(FocusScreen):
    """Pages: Left/Right or Page Up/Down turn them (a presenter clicker works), Up/Down scroll, 1-9 jump.

    The first page is the one an instructor projects: the result, three takeaways and two questions.
    Every page names scenes by their label and choices by their text: the report's ids are for tools,
    never shown."""

    name = "debrief"

    def __init__(self, app, scene, report: dict):
        super().__init__(app)
        self.scene, self.report = scene, report
        self.scenario = scene.session.scenario
        self.language = scene.language
        self.page = 0
        self.blocks: list = []
        self.page_content: list = []

    # --- text helpers --------------------------------------------------------------------------
    def _t(self, text) -> str:
        """Scenario text in the session's language, `{officer}` filled in as the scene showed it."""
        return self.scene.session.fill(text.get(self.language, self.scenario.language)) if text is not None else ""

    def _choice_text(self, choice_id: str | None) -> str:
        """A choice as the trainee saw it (never its id)."""
        choice = self.scenario.choice_by_id.get(choice_id) if choice_id else None
        if choice is None:
            return _("an option")
        if choice.is_timeout:
            happened = self._t(choice.text).strip()
            if happened:
                return _("No decision in time: {what_happened}").format(what_happened=happened)
            return _("No decision in time")
        return self._t(choice.text) or _("an option")

    def _quoted_choice(self, choice_id: str | None, text: str | None = None) -> str:
        """A choice inside a sentence: its own text quoted (never doubled), or the timeout's words."""
        if self._is_timeout(choice_id):
            return self._choice_text(choice_id)
        return quoted(text or self._choice_text(choice_id))

    def _feedback(self, choice_id: str | None) -> str:
        choice = self.scenario.choice_by_id.get(choice_id) if choice_id else None
        return self._t(choice.feedback).strip() if choice is not None else ""

    def _person(self) -> str | None:
        """The subject's first name, as the scoring report's own sentences call them (None: unnamed)."""
        try:
            return self._t(self.scenario.subject().name).split()[0]
        except (StopIteration, IndexError, AttributeError):
            return None

    def _is_timeout(self, choice_id: str | None) -> bool:
        choice = self.scenario.choice_by_id.get(choice_id) if choice_id else None
        return choice is not None and choice.is_timeout

    def page_text(self, index: int, width: int = 1000) -> str:
        """The words of page `index` as the screen lays them out (tests and self-voicing read it)."""
        return "\n".join(span.text for spans in self._block_spans(self.page_blocks(index, width)) for span in spans)

    @staticmethod
    def _block_spans(blocks: list) -> list:
        """Every list of spans in `blocks`, in reading order (text, and the text beside an image)."""
        found = []
        for kind, payload in blocks:
            if kind == "text":
                found.append(payload)
            elif kind == "beside":
                found.append(payload[1])
            elif kind == "columns":
                found.extend(payload)
        return found

    # --- pages ---------------------------------------------------------------------------------
    def page_blocks(self, index: int, width: int) -> list:
        """The page's content as blocks: ("text", spans), ("image", surface), ("beside", (surface, spans))
        for text to the right of an image, or ("columns", [spans, ...]) for text side by side."""
        theme, r = self.app.theme, self.report
        pal = theme.palette
        body, head = theme.body, theme.heading
        gap, pad = theme.gap, theme.pad

        def para(text, colour=None, px=None, bold=False, indent=0, before=gap):
            return Span(text, px or body, colour or pal.text, bold, indent, before)

        def heading(text, colour=None, first=False):
            return para(text, colour or pal.accent, head, True, before=0 if first else pad)

        if index == 0:
            return self._summary_page(para, heading, width)
        if index == 1:
            return [("text", self._key_decisions_page(para, heading))]
        if index == 2:
            return [("text", self._errors_page(para, heading))]
        if index == 3:
            blocks = []
            for c in r["competencies"]:
                observed = c["observed"] and c["score"] is not None
                score = _("{score} of 100").format(score=c["score"]) if observed else _("not observed")
                blocks.append(("text", [para(_("{competency}: {score}").format(competency=c["name"], score=score),
                                             bold=True, before=pad)]))
                if observed:
                    blocks.append(("image", self._bar(c["score"], width)))
                blocks.append(("text", [para(c["explanation"], pal.muted, before=gap // 2)]))
            return blocks
        if index == 4:
            return self._chart_page(para, width)
        if index == 5:
            return [("text", self._force_page(para, heading))]
        if index == 6:
            return [("text", self._path_page(para))]
        if index == 7:
            return [("text", self._their_side_page(para))]
        return [("text", self._objectives_page(para, heading))]

    def _summary_page(self, para, heading, width: int) -> list:
        """The page an instructor projects: the result large, beside its drawn mark, with the rule that
        decided it; the ending and its outcome; what mattered most; the count of errors; three takeaways
        and two questions for discussion."""
        theme, r = self.app.theme, self.report
        pal = theme.palette
        s = r.get("summary") or {}
        result = s.get("result", r["result"])
        colour = {"pass": pal.good, "needs-practice": pal.warn, "fail": pal.bad}.get(result, pal.text)
        words = s.get("result_words") or (_(RESULT_LABELS[result]) if result in RESULT_LABELS else _("Result"))
        overall = s.get("overall", r["overall"])
        score = _("no decision was made") if overall is None else _("{score} out of 100").format(score=overall)
        big = round(theme.heading * 1.45)  # read from the back of a classroom, yet one line at 1280x720
        top = [para(_("{result}: {score}").format(result=words, score=score), colour, big, True, before=0),
               para(s.get("headline") or r["result_rule"], pal.muted, theme.body, before=theme.gap)]
        spans = []
        ending = r.get("ending") or {}
        if ending:
            outcome = ending.get("outcome")
            label = _(OUTCOME_NAMES[outcome]) if outcome in OUTCOME_NAMES else ""
            text = (_("Ending: {title} (outcome: {outcome})").format(title=ending.get("title", ""), outcome=label)
                    if label else _("Ending: {title}").format(title=ending.get("title", "")))
            spans.append(para(text, bold=True, before=0))
        counts = s.get("counts") or {}
        if counts:
            spans.append(para(self._counts_line(counts), pal.muted, theme.small, before=theme.gap // 2))
        most = _mattered_most(r.get("key_decisions", []))
        if most is not None:
            better = (most.get("better") or {}).get("text")
            if better:  # the concrete better option says more than its feedback's first sentence
                text = _("What mattered most: {scene}. Better there: {choice}").format(scene=most["scene"],
                                                                                      choice=quoted(better))
            else:
                text = _("What mattered most: {scene}. {lesson}").format(scene=most["scene"], lesson=most["lesson"])
            spans.append(para(text, pal.text, before=theme.gap))
        for warning in r.get("warnings", []):
            text = str(warning)
            if text.startswith("choices not in this scenario"):
                text = _("some recorded choices are not in this scenario and were not graded")
            spans.append(para(_("Note: {warning}.").format(warning=text), pal.warn, theme.small))
        if r.get("undos"):
            spans.append(para(_("You stepped back {times} during play; only the final path is graded.").format(
                times=times(r["undos"])), pal.muted, theme.small))
        room = r.get("room") or []
        overrides = sum(1 for entry in room if entry.get("kind") == "override")
        if overrides:  # on the projected page: a worse-graded branch was the instructor's pick, with a reason
            spans.append(para(ngettext(
                "The instructor picked {n} option graded worse than another on offer; the reason is on page {page}.",
                "The instructor picked {n} options graded worse than others on offer; the reasons are on page {page}.",
                overrides).format(n=overrides, page=ROOM_PAGE), pal.warn, theme.small))
        elif any(entry.get("kind") in ("pick", "vote") for entry in room):
            who = _("the instructor") if any(e.get("kind") == "pick" for e in room) else _("the group's votes")
            spans.append(para(_("Decisions were taken by {who}; page {page} shows each.").format(who=who, page=ROOM_PAGE),
                              pal.muted, theme.small))
        takeaways, questions = [], []
        if s.get("takeaways"):
            takeaways.append(heading(_("Takeaways")))
            for i, t in enumerate(s["takeaways"], 1):
                takeaways.append(para(f"{i}. {t}", before=theme.gap))
        if s.get("questions"):
            questions.append(heading(_("For discussion")))
            for i, q in enumerate(s["questions"], 1):
                questions.append(para(f"{i}. {q}", before=theme.gap))
        keys = [para(_("Left/Right or Page Up/Down turn pages; Up/Down scroll; 1-{last} jump to a page.").format(
            last=len(PAGES)), pal.muted, theme.small, before=theme.pad)]
        blocks = [("beside", (self._badge(result, colour), top)), ("text", spans)]
        # side by side when each column still holds a comfortable line (about 45 characters), so that the
        # page an instructor projects needs no scrolling; one column at large text on a small window
        if takeaways and questions and width >= 2 * COLUMN_MIN_EMS * theme.body + theme.pad * 2:
            blocks.append(("columns", [takeaways, questions]))
        else:
            blocks.append(("text", takeaways + questions))
        return blocks + [("text", keys)]

    @staticmethod
    def _counts_line(counts: dict) -> str:
        return counts_line(counts)

    def _key_decisions_page(self, para, heading) -> list:
        """The decisions that changed the outcome most, each with its grade, feedback and a better option."""
        theme, r = self.app.theme, self.report
        pal, gap, pad = theme.palette, theme.gap, theme.pad
        grade_colour = {"good": pal.good, "acceptable": pal.text, "mistake": pal.warn, "major": pal.bad,
                        "critical": pal.bad}
        spans = [para(_("The decisions that changed the outcome most, in the order you made them."),
                      pal.muted, theme.small, before=0)]
        graded = {(g["node"], g["choice"], g["t"]): g for g in r.get("graded", [])}
        for k, decision in enumerate(r["key_decisions"], 1):
            spans.append(heading(f"{k}. {decision['scene']}"))
            if self._is_timeout(decision["choice"]):
                spans.append(para(self._choice_text(decision["choice"]), bold=True, before=gap // 2))
            else:
                spans.append(para(_("You chose: {choice}").format(choice=quoted(decision["text"])), bold=True,
                                  before=gap // 2))
            tier = decision.get("grade")
            if tier in grade_colour:
                spans.append(para(_("That was {grade}.").format(grade=grade_words(tier)), grade_colour[tier],
                                  bold=True, indent=pad, before=gap // 2))
            g = graded.get((decision["node"], decision["choice"], decision["t"]), {})
            feedback = (g.get("feedback") or self._feedback(decision["choice"])).strip()
            if feedback:
                spans.append(para(feedback, pal.muted, indent=pad, before=gap // 2))
            better = decision.get("better") or {}
            if better.get("choice") or better.get("text"):
                text = better.get("text") or self._choice_text(better.get("choice"))
                spans.append(para(_("Better here: {choice}").format(choice=quoted(text)), pal.good, bold=True,
                                  indent=pad))
                why = self._feedback(better.get("choice"))
                if why:
                    spans.append(para(why, pal.muted, indent=pad, before=gap // 2))
            elif better.get("why"):
                spans.append(para(better["why"], pal.muted, indent=pad))
        if not r["key_decisions"]:
            spans.append(para(_("No decision was made on this path.")))
        return spans

    def _chart_page(self, para, width: int) -> list:
        """Distress and rapport in a sentence, the chart with its legend, then each decision's aftermath."""
        theme, r = self.app.theme, self.report
        pal, gap, pad = theme.palette, theme.gap, theme.pad
        names = self.scenario.behaviour.level_names
        rapport_names = self.scenario.behaviour.rapport_names
        d = r["deescalation"]
        timeline = r["timeline"]
        person = self._person()
        levels = {"start": _lower(d["start_name"]), "peak": _lower(d["peak_name"]), "final": _lower(d["final_name"])}
        if person is None:
            summary = _("The person's distress started at {start}, peaked at {peak} and ended at {final}.").format(
                **levels)
        else:
            summary = _("{person}'s distress started at {start}, peaked at {peak} and ended at {final}.").format(
                person=person, **levels)
        summary += " " + raised_lowered(d["rises_by_own_choices"], d["falls_by_own_choices"])
        rapport = d.get("final_rapport")
        if isinstance(rapport, int) and 0 <= rapport < len(rapport_names):
            summary += " " + _("Rapport at the end: {rapport}.").format(rapport=_lower(rapport_names[rapport]))
        height = max(theme.px(220), round(self.content_rect.height * 0.62))
        chart = draw_chart(timeline, (width, height), theme, self.app.fonts, names, len(rapport_names) - 1)
        legend = draw_legend(timeline, width, theme, self.app.fonts)
        if any(entry["kind"] == "timer" for entry in timeline):
            key = _("Solid line and shapes: distress (left scale). Dashed line: rapport (right scale). "
                    "Numbered tags: your decisions; a tag with a clock means the time to decide ran out.")
        else:
            key = _("Solid line and shapes: distress (left scale). Dashed line: rapport (right scale). "
                    "Numbered tags: your decisions.")
        intro = [para(summary, before=0), para(key, pal.muted, theme.small)]
        spans = []
        step = 0
        who = person or _("the person")
        for entry in timeline:
            if entry["kind"] not in ("choice", "timer"):
                continue
            step += 1
            what = (self._choice_text(entry["choice"]) if entry["kind"] == "timer"
                    else quoted(entry.get("label") or self._choice_text(entry["choice"])))
            spans.append(para(_("{step}. {scene}: {choice}").format(step=step, scene=entry.get("scene", ""),
                                                                    choice=what), before=gap))
            level, stage = entry["escalation"], entry["rapport"]
            after = _("Afterwards {person} was {level}; rapport: {rapport}.").format(
                person=who, level=_lower(names[level]), rapport=_lower(rapport_names[stage]))
            spans.append(para(after, pal.muted, theme.small, indent=pad, before=gap // 3))
        return [("text", intro), ("image", chart), ("image", legend), ("text", spans)]

    def _path_page(self, para) -> list:
        """Each decision point: what was chosen, beside the options not taken, in the order they were shown."""
        theme, r = self.app.theme, self.report
        pal, gap, pad = theme.palette, theme.gap, theme.pad
        spans = [para(_("Each decision point: what you chose, and the other options you had at that moment, "
                        "in the order you saw them."), pal.muted, theme.small, before=0)]
        room = r.get("room") or []
        if room:  # who else decided, and why: before the path, so that the rest reads rightly
            spans.append(para(_("Who else took part"), pal.accent, bold=True, before=pad))
            for entry in room:
                colour = pal.warn if entry.get("kind") in ("override", "stopped") else pal.text
                text = entry.get("text", "")
                if entry.get("scene"):
                    text = _("{clock}, {scene}: {what}").format(clock=entry.get("clock", ""), scene=entry["scene"],
                                                                what=text)
                spans.append(para(text, colour, theme.small, indent=pad, before=gap // 2))
        decisions = [e for e in r["timeline"] if e["kind"] in ("choice", "timer")]
        offered = self.scene.offered if len(self.scene.offered) == len(decisions) else None
        better = {d["choice"]: (d.get("better") or {}).get("choice") for d in r["key_decisions"]}
        for step, entry in enumerate(decisions, 1):
            node = self.scenario.nodes[self.scenario.target_index[entry["node"]]]
            ids = offered[step - 1] if offered else [c.id for c in node.choices]
            spans.append(para(_("Decision {step}: {scene}").format(step=step, scene=entry.get("scene", "")),
                              pal.accent, bold=True, before=pad))
            if entry["kind"] == "timer":
                spans.append(para(self._choice_text(entry["choice"]), pal.warn, bold=True, indent=pad,
                                  before=gap // 2))
            for choice_id in ids:
                if choice_id == entry["choice"]:
                    spans.append(para(_("You chose: {choice}").format(choice=self._choice_text(choice_id)),
                                      pal.text, bold=True, indent=pad, before=gap // 2))
                elif better.get(entry["choice"]) == choice_id:
                    spans.append(para(_("Better option: {choice}").format(choice=self._choice_text(choice_id)),
                                      pal.good, indent=pad, before=gap // 2))
                else:
                    spans.append(para(_("Not taken: {choice}").format(choice=self._choice_text(choice_id)),
                                      pal.muted, indent=pad, before=gap // 2))
        return spans

    def _their_side_page(self, para) -> list:
        """The person's perspective at each moment that has one, and at the end."""
        theme, r = self.app.theme, self.report
        pal, gap, pad = theme.palette, theme.gap, theme.pad
        spans = []
        ending_id = (r.get("ending") or {}).get("id")
        for p in r["perspectives"]:
            scene = p.get("scene", "")
            where = (_("At the end: {scene}").format(scene=scene)
                     if ending_id is not None and p.get("node") == ending_id else _("At {scene}").format(scene=scene))
            spans.append(para(where, pal.rapport, theme.small, True, before=pad if spans else 0))
            spans.append(para(p["text"].strip(), before=gap // 2))
        view = self.scene.session.view()
        if view.ending and view.ending.perspective and not any(
                p["text"].strip() == view.ending.perspective.strip() for p in r["perspectives"]):
            spans.append(para(_("At the end"), pal.rapport, theme.small, True, before=pad))
            spans.append(para(view.ending.perspective.strip(), before=gap // 2))
        if not spans:
            spans.append(para(_("This scenario gives no perspective text."), pal.muted))
        else:
            spans.append(para(_("P replays the run from their side, one moment at a time."), pal.muted, theme.small,
                              before=pad))
        return spans

    def _objectives_page(self, para, heading) -> list:
        """Every learning objective (also those kept until after play), the authors' notes and feedback."""
        theme, r = self.app.theme, self.report
        pal, gap, pad = theme.palette, theme.gap, theme.pad
        spans = [heading(_("Learning objectives"), first=True)]
        marks = {True: N_("Met"), False: N_("Missed"), None: N_("Not assessed")}
        missed = _(MISSED)
        for o in r["objectives"]:
            label = marks.get(o["met"], marks[None])
            mark = _(label)
            colour = {True: pal.good, False: pal.bad}.get(o["met"], pal.muted)
            spans.append(para(_("{mark}: {objective}").format(mark=mark, objective=o["text"]), colour, bold=True))
            why = str(o.get("why") or "")
            if why.startswith(missed):  # the heading already says "Missed"
                why = _("Why: {reasons}").format(reasons=why[len(missed):])
            if o["met"] is not True and why:
                spans.append(para(why, pal.muted, indent=pad, before=gap // 2))
        if not r["objectives"]:
            spans.append(para(_("This scenario lists no learning objectives."), pal.muted))
        view = self.scene.session.view()
        if view.ending and view.ending.debrief:
            spans.append(heading(_("From the scenario's authors")))
            spans.append(para(view.ending.debrief.strip()))
        if r["feedback"]:
            spans.append(heading(_("Feedback on the choices you made")))
            for f in r["feedback"]:
                what = self._quoted_choice(f.get("choice"), f.get("text"))
                spans.append(para(_("{scene}: {choice}").format(scene=f.get("scene", ""), choice=what), bold=True))
                if f.get("feedback"):
                    spans.append(para(f["feedback"], pal.muted, indent=pad, before=gap // 2))
        return spans

    def _errors_page(self, para, heading) -> list:
        """Critical errors, major errors and mistakes by scene and choice, then the reactions left to chance."""
        theme, r = self.app.theme, self.report
        pal, gap, pad = theme.palette, theme.gap, theme.pad
        spans = [para(_("A critical error fails the run; a major error caps the result at needs practice; "
                        "mistakes lower the score."), pal.muted, theme.small, before=0)]

        def where(e) -> str:
            scene = e.get("scene", "")
            if e.get("text") is None and e.get("choice") is None:
                return _("At the ending: {scene}").format(scene=scene)
            if self._is_timeout(e.get("choice")):
                return _("At {scene}: {what_happened}").format(scene=scene,
                                                              what_happened=self._choice_text(e.get("choice")))
            return _("{choice} at {scene}").format(choice=self._quoted_choice(e.get("choice"), e.get("text")),
                                                   scene=scene)

        critical = r["critical_errors"]
        spans.append(heading(_("Critical errors"), pal.bad if critical else pal.good))
        if not critical:
            spans.append(para(_("None.")))
        for e in critical:
            spans.append(para(e.get("name") or _("A critical error"), pal.bad, bold=True))
            spans.append(para(where(e), indent=pad, before=gap // 2))
            if e.get("why"):
                spans.append(para(e["why"], pal.muted, indent=pad, before=gap // 2))
        for title, rows, colour in ((N_("Major errors"), r.get("major_errors", []), pal.bad),
                                    (N_("Mistakes"), r.get("mistakes", []), pal.warn)):
            spans.append(heading(_(title), colour if rows else pal.good))
            if not rows:
                spans.append(para(_("None.")))
            for e in rows:
                spans.append(para(where(e), bold=True))
                if e.get("why"):
                    spans.append(para(e["why"], pal.muted, indent=pad, before=gap // 2))
                if e.get("against"):
                    spans.append(para(_("Counts against: {competencies}.").format(
                        competencies=", ".join(e["against"])), pal.muted, theme.small, indent=pad, before=gap // 2))
        spans.append(heading(_("Chance")))
        chance = r.get("chance", [])
        if not chance:
            spans.append(para(_("No reaction on this path was left to chance.")))
        for c in chance:
            spans.append(para(where(c), bold=True))
            if c.get("reaction"):
                spans.append(para(_("What happened: {reaction}").format(reaction=c["reaction"].strip()), indent=pad,
                                  before=gap // 2))
            spans.append(para(c["note"], pal.muted, indent=pad, before=gap // 2))
        return spans

    def _force_page(self, para, heading) -> list:
        """Each use of force against what the person was doing (never their distress), with officer-created
        jeopardy and a lower-force option when there was one."""
        theme, r = self.app.theme, self.report
        pal, gap, pad = theme.palette, theme.gap, theme.pad
        spans = [para(_("Force is judged against what the person was doing, as a reasonable officer would have "
                        "seen it, never against how distressed they were."), pal.muted, theme.small, before=0)]
        rows = r["proportionality"]
        if not rows:
            spans.append(para(_("No option on this path used force."), before=pad))
        for p in rows:
            spans.append(para(_("{choice} at {scene}").format(choice=quoted(p.get("text", "")),
                                                              scene=p.get("scene", "")), bold=True, before=pad))
            spans.append(para(_("Force: {force}.").format(force=word(p["force_name"])), indent=pad, before=gap // 2))
            doing = _("What the person was doing: {behaviour}.").format(behaviour=_lower(p.get("shows_name", "")))
            if p.get("distress_name"):
                doing += " " + _("Their distress: {level}.").format(level=_lower(p["distress_name"]))
            spans.append(para(doing, indent=pad, before=gap // 2))
            if p["proportionate"]:
                spans.append(para(_("In proportion to what the person was doing."), pal.good, bold=True, indent=pad,
                                  before=gap // 2))
            else:
                spans.append(para(_("Out of proportion to what the person was doing."), pal.bad, bold=True,
                                  indent=pad, before=gap // 2))
            if p.get("officer_created"):
                spans.append(para(_("Officer-created jeopardy: your own earlier choices created the threat this "
                                    "force answered, and that does not excuse it."), pal.bad, bold=True, indent=pad,
                                  before=gap // 2))
            if p.get("why"):
                spans.append(para(p["why"], pal.muted, indent=pad, before=gap // 2))
            if p.get("alternative"):
                spans.append(para(_("A lower-force option was there: {choice}").format(
                    choice=quoted(p["alternative"])), pal.good, indent=pad, before=gap // 2))
        return spans

    def _badge(self, result: str, colour: tuple) -> pygame.Surface:
        """A drawn mark for the result (tick, exclamation, cross), so it does not rest on colour alone."""
        theme = self.app.theme
        size = max(theme.px(64), round(theme.heading * 2.2))
        badge = pygame.Surface((size, size), pygame.SRCALPHA)
        pygame.draw.circle(badge, colour, (size // 2, size // 2), size // 2)
        ink, w = (15, 15, 15), max(3, size // 9)
        if result == "pass":
            pygame.draw.lines(badge, ink, False, [(size * 0.27, size * 0.52), (size * 0.44, size * 0.69),
                                                  (size * 0.74, size * 0.33)], w)
        elif result == "fail":
            pygame.draw.line(badge, ink, (size * 0.3, size * 0.3), (size * 0.7, size * 0.7), w)
            pygame.draw.line(badge, ink, (size * 0.7, size * 0.3), (size * 0.3, size * 0.7), w)
        else:
            pygame.draw.line(badge, ink, (size // 2, size * 0.22), (size // 2, size * 0.58), w)
            pygame.draw.circle(badge, ink, (size // 2, round(size * 0.74)), w // 2 + 1)
        return badge

    def _bar(self, score: int, width: int) -> pygame.Surface:
        theme = self.app.theme
        pal = theme.palette
        h = max(8, theme.px(12))
        bar = pygame.Surface((min(width, theme.px(520)), h), pygame.SRCALPHA)
        colour = pal.good if score >= 75 else pal.warn if score >= 40 else pal.bad
        pygame.draw.rect(bar, pal.panel_edge, bar.get_rect(), border_radius=h // 2)
        pygame.draw.rect(bar, colour, (0, 0, round(bar.get_width() * score / 100), h), border_radius=h // 2)
        for mark in (40, 75):  # the rubric's thresholds, so the bar's length reads without colour
            x = round(bar.get_width() * mark / 100)
            pygame.draw.line(bar, pal.text, (x, 0), (x, h), 2)
        return bar

    # --- layout --------------------------------------------------------------------------------
    def _background(self) -> str:
        """The ending's own art, else the scenario's first scene, as the ending screen before it showed."""
        sc = self.scenario
        try:
            view = self.scene.session.view()
            if view.ending is not None and view.background:
                return view.background
            return sc.nodes[sc.start].background or FALLBACK_BACKGROUND
        except (IndexError, AttributeError, TypeError):
            return FALLBACK_BACKGROUND

    def build(self) -> None:
        app, theme = self.app, self.app.theme
        pal = theme.palette
        w, h = app.surface.get_size()
        margin = theme.px(24)
        self.backdrop = app.art.background(self._background(), (w, h))
        self.panel = pygame.Rect(margin, margin, w - 2 * margin, h - 2 * margin)
        self.panel_image = panel_surface(self.panel.size, theme)
        inner_w = self.panel.width - 2 * theme.pad - theme.px(14)
        title = self.scenario.title.get(self.language, self.scenario.language)
        self.header = layout(app.fonts, [
            Span(self.page_title(), theme.heading, pal.text, True),
            Span(f"{title}  |  {app.trainee}  |  {mode_name(app.mode)}", theme.small, pal.muted)], inner_w)
        self.header_rect = pygame.Rect(self.panel.x + theme.pad, self.panel.y + theme.pad, inner_w,
                                       self.header.height)
        buttons = [Button(_("< Previous"), lambda: self.turn(-1), wid="prev", enabled=self.page > 0),
                   Button(_("Next >"), lambda: self.turn(1), wid="next", enabled=self.page < len(PAGES) - 1),
                   *([Button(_("Play again"), self.replay, wid="replay"),
                      Button(_("Save report"), self.save_report, wid="save-report")] if app.research is None else []),
                   *([Button(_("Feedback on this scenario"), lambda: app.go(app.flow.feedback(self.scene)),
                             wid="feedback")] if app.mode == "workshop" else []),  # co-design (#15)
                   Button(_("Library") if app.research is None else _("Continue"), self.to_library, wid="library")]
        button_row(buttons, theme, app.fonts, self.panel.x + theme.pad, self.panel.bottom - theme.pad, inner_w)
        top = self.header_rect.bottom + theme.pad
        self.content_rect = pygame.Rect(self.panel.x + theme.pad, top, inner_w,
                                        buttons[0].rect.top - theme.pad - top)
        self.blocks = []  # (kind, item, y, x): text layouts and images at their offset in the page
        y = 0
        self.page_content = self.page_blocks(self.page, inner_w)  # kept for self-voicing
        for kind, payload in self.page_content:
            if kind == "text":
                item = layout(app.fonts, payload, inner_w)
                self.blocks.append(("text", item, y, 0))
                y += item.height
            elif kind == "beside":  # an image with text to its right, both starting at the same line
                image, spans = payload
                x = image.get_width() + theme.pad
                item = layout(app.fonts, spans, inner_w - x)
                self.blocks.append(("image", image, y, 0))
                self.blocks.append(("text", item, y, x))
                y += max(image.get_height(), item.height) + theme.pad
            elif kind == "columns":  # two span lists side by side, from the same line
                left, right, split = self._columns(payload, inner_w)
                self.blocks.append(("text", left, y, 0))
                self.blocks.append(("text", right, y, split))
                y += max(left.height, right.height)
            else:
                app.audit.check(f"debrief page {self.page + 1}: image", payload.get_size(), (inner_w, 10**6))
                self.blocks.append(("image", payload, y + theme.gap, 0))
                y += payload.get_height() + theme.gap * 2
        self.scroller.set(y, self.content_rect.height)
        app.audit.check(f"debrief page {self.page + 1}: header", (self.header.width, self.header.height),
                        (inner_w, self.header.height))
        app.audit.check("debrief: room for content", (0, theme.body * 3), (inner_w, self.content_rect.height))
        app.audit.apart(f"debrief page {self.page + 1}", [("header", self.header_rect), ("page", self.content_rect)]
                        + [(f"button {b.wid}", b.rect) for b in buttons])
        focus = self.ring.current.wid if self.ring.current is not None else "next"
        self.set_widgets(buttons, keep=False)
        for b in buttons:
            if b.wid == focus and b.enabled:
                self.ring.focus(b)
        if not self.ring.current.enabled:
            self.ring.move(1)

    def _columns(self, payload: list, width: int) -> tuple:
        """Lay two span lists out side by side, trying a few splits of `width` and keeping the one whose
        taller column is shortest (three long takeaways beside two questions need more than half)."""
        gutter = self.app.theme.pad * 2
        best = None
        for share in (0.5, 0.55, 0.6, 0.65):
            left_w = round((width - gutter) * share)
            left = layout(self.app.fonts, payload[0], left_w)
            right = layout(self.app.fonts, payload[1], width - gutter - left_w)
            if best is None or max(left.height, right.height) < max(best[0].height, best[1].height):
                best = (left, right, left_w + gutter)
        return best

    def page_title(self) -> str:
        """The header's first line: "Debrief 1 of 9: Summary"."""
        return _("Debrief {page} of {pages}: {title}").format(page=self.page + 1, pages=len(PAGES),
                                                              title=_(PAGES[self.page]))

    def speech(self) -> str:
        """What self-voicing reads for the page now shown: its title, then its words (the app reads it when
        the debrief opens; `show_page` when a page is turned)."""
        words = [span.text for spans in self._block_spans(self.page_content) for span in spans]
        return "\n".join([self.page_title()] + words)

    def is_scrolled(self, widget) -> bool:
        return False

    def show_page(self, page: int) -> None:
        """Show page `page` (0-based) from its top, with a cue and its words spoken."""
        page = max(0, min(len(PAGES) - 1, page))
        if page != self.page:
            self.page = page
            self.scroller.offset = 0
            self.build()
            self.app.cue("page")
            self.app.speak(self.speech())  # a no-op unless self-voicing is on

    def turn(self, direction: int) -> None:
        self.show_page(self.page + direction)

    # --- Save report: the after-action review as an HTML file (simulator/records/reports.py) ----------
    _saving = None  # the thread writing the report, while it runs
    _saved: tuple | None = None  # (written, where or why), for the next frame to announce

    def save_report(self) -> None:
        """Write this session's report in the background (charts take a moment), then say where it went."""
        import threading
        if self._saving is not None and self._saving.is_alive():
            return
        self._saved = None
        self._saving = threading.Thread(target=self._write_report, name="parley-report", daemon=True)
        self._saving.start()
        self.app.notify(_("Saving the report..."))

    def _write_report(self) -> None:
        recorder = getattr(self.scene, "recorder", None)
        try:
            from ...records.reports import save_played_session
            path = save_played_session(self.scene.session, self.report, recorder=recorder, trainee=self.app.trainee,
                                       mode=self.app.mode)
            self._saved = (True, str(path))
        except Exception as exc:  # noqa: BLE001 - a report that cannot be written must not close the debrief
            self._saved = (False, str(getattr(exc, "strerror", None) or exc))

    def update(self, dt: float) -> None:
        super().update(dt)
        if self._saved is not None:
            written, where = self._saved
            self._saved = None
            text = (_("Report saved: {path}").format(path=where) if written else
                    _("The report could not be saved: {error}").format(error=where))
            self.app.notify(text)
            self.app.speak(text)

    def replay(self) -> None:
        self.app.replace_top(self.app.flow.briefing(self.scene.entry, self.language))

    def to_library(self) -> None:
        if self.app.research is not None:  # a study's debrief: on to its next part
            self.app.research.part_ended()
            return
        self.app.replace(self.app.flow.library())

    def back(self) -> None:
        self.to_library()

    def handle_key(self, event) -> None:
        key = event.key
        if key in (pygame.K_RIGHT, pygame.K_PAGEDOWN):
            self.turn(1)
        elif key in (pygame.K_LEFT, pygame.K_PAGEUP):
            self.turn(-1)
        elif key in (pygame.K_UP, pygame.K_DOWN):
            self.scroller.scroll((1 if key == pygame.K_DOWN else -1) * self.app.theme.body * 3)
        elif pygame.K_1 <= key < pygame.K_1 + min(9, len(PAGES)):
            self.show_page(key - pygame.K_1)
        elif key == pygame.K_p:  # the whole run again from the person's side, a moment at a time
            self.app.go(self.app.flow.their_side_replay(self))
        else:
            super().handle_key(event)

    def draw(self, surface: pygame.Surface) -> None:
        theme = self.app.theme
        surface.blit(self.backdrop, (0, 0))
        surface.blit(self.panel_image, self.panel.topleft)
        self.header.draw(surface, self.header_rect.x, self.header_rect.y)
        clip = self.content_rect
        previous = surface.get_clip()
        surface.set_clip(clip)
        for kind, item, y, x in self.blocks:
            top = clip.y + y - self.scroller.offset
            height = item.height if kind == "text" else item.get_height()
            if top > clip.bottom or top + height < clip.top:
                continue
            if kind == "text":
                item.draw(surface, clip.x + x, top, clip)
            else:
                surface.blit(item, (clip.x + x, top))
        surface.set_clip(previous)
        self.scroller.draw_bar(surface, clip.move(theme.px(10), 0), theme)
        self.draw_widgets(surface)
