"""The debrief, drawn from the scoring report in pages an instructor can step through on a projector: first
the result, takeaways and questions, then key decisions, errors and chance, competencies, distress and
rapport, force, the path taken, the person's side and the objectives. No ids, no expected values."""
from __future__ import annotations

import pygame

from scoring.words import GRADE_WORDS  # a decision's grade in words, as the text debrief says it

from ..chart import draw_chart
from ..text import Span, layout
from ..theme import OUTCOME_LABELS, panel_surface
from ..widgets import Button
from .base import FocusScreen, button_row

RESULT_LABELS = {"pass": "Pass", "needs-practice": "Needs practice", "fail": "Fail"}
PAGES = ("Summary", "Key decisions", "Errors, mistakes and chance", "Competencies", "Distress and rapport",
         "Use of force", "Your path and the paths not taken", "Their side", "Objectives and notes")


def _times(n: int) -> str:
    return {0: "never", 1: "once", 2: "twice"}.get(n, f"{n} times")


def _raised_lowered(rises: int, falls: int) -> str:
    """ "Your own choices raised it twice and never lowered it." in words, whatever the counts."""
    if not rises and not falls:
        return "Your own choices neither raised nor lowered it."
    if not falls:
        return f"Your own choices raised it {_times(rises)} and never lowered it."
    if not rises:
        return f"Your own choices never raised it and lowered it {_times(falls)}."
    return f"Your own choices raised it {_times(rises)} and lowered it {_times(falls)}."


def _lower(name: str) -> str:
    """A level or stage name inside a sentence: "Feels listened to" -> "feels listened to"."""
    return name[:1].lower() + name[1:] if name else name


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

    # --- text helpers --------------------------------------------------------------------------
    def _t(self, text) -> str:
        return text.get(self.language, self.scenario.language) if text is not None else ""

    def _choice_text(self, choice_id: str | None) -> str:
        """A choice as the trainee saw it (never its id)."""
        choice = self.scenario.choice_by_id.get(choice_id) if choice_id else None
        if choice is None:
            return "an option"
        if choice.is_timeout:
            happened = self._t(choice.text).strip()
            return "No decision in time" + (f": {happened}" if happened else "")
        return self._t(choice.text) or "an option"

    def _feedback(self, choice_id: str | None) -> str:
        choice = self.scenario.choice_by_id.get(choice_id) if choice_id else None
        return self._t(choice.feedback).strip() if choice is not None else ""

    def _person(self) -> str:
        """The subject's first name, as the scoring report's own sentences call them."""
        try:
            return self._t(self.scenario.subject().name).split()[0]
        except (StopIteration, IndexError, AttributeError):
            return "the person"

    def _is_timeout(self, choice_id: str | None) -> bool:
        choice = self.scenario.choice_by_id.get(choice_id) if choice_id else None
        return choice is not None and choice.is_timeout

    def page_text(self, index: int, width: int = 1000) -> str:
        """The words of page `index` as the screen lays them out (tests read it)."""
        return "\n".join(span.text for kind, payload in self.page_blocks(index, width) if kind == "text"
                         for span in payload)

    # --- pages ---------------------------------------------------------------------------------
    def page_blocks(self, index: int, width: int) -> list:
        """The page's content as blocks: ("text", spans) or ("image", surface)."""
        theme, r = self.app.theme, self.report
        pal = theme.palette
        body, small, head = theme.body, theme.small, theme.heading
        gap, pad = theme.gap, theme.pad

        def para(text, colour=None, px=None, bold=False, indent=0, before=gap):
            return Span(text, px or body, colour or pal.text, bold, indent, before)

        def heading(text, colour=None, first=False):
            return para(text, colour or pal.accent, head, True, before=0 if first else pad)

        grade_colour = {"good": pal.good, "acceptable": pal.text, "mistake": pal.warn, "major": pal.bad,
                        "critical": pal.bad}
        names = self.scenario.behaviour.level_names
        rapport_names = self.scenario.behaviour.rapport_names
        if index == 0:
            return self._summary_page(para, heading)
        if index == 1:
            spans = [para("The decisions that changed the outcome most, in the order you made them.",
                          pal.muted, small, before=0)]
            graded = {(g["node"], g["choice"], g["t"]): g for g in r.get("graded", [])}
            for k, decision in enumerate(r["key_decisions"], 1):
                spans.append(heading(f"{k}. {decision['scene']}"))
                if self._is_timeout(decision["choice"]):
                    spans.append(para(self._choice_text(decision["choice"]), bold=True, before=gap // 2))
                else:
                    spans.append(para(f"You chose: “{decision['text']}”", bold=True, before=gap // 2))
                tier = decision.get("grade")
                if tier in GRADE_WORDS:
                    spans.append(para(f"That was {GRADE_WORDS[tier]}.", grade_colour[tier], bold=True,
                                      indent=pad, before=gap // 2))
                g = graded.get((decision["node"], decision["choice"], decision["t"]), {})
                feedback = (g.get("feedback") or self._feedback(decision["choice"])).strip()
                if feedback:
                    spans.append(para(feedback, pal.muted, indent=pad, before=gap // 2))
                better = decision.get("better") or {}
                if better.get("choice") or better.get("text"):
                    text = better.get("text") or self._choice_text(better.get("choice"))
                    spans.append(para(f"Better here: “{text}”", pal.good, bold=True, indent=pad))
                    why = self._feedback(better.get("choice"))
                    if why:
                        spans.append(para(why, pal.muted, indent=pad, before=gap // 2))
                elif better.get("why"):
                    spans.append(para(better["why"], pal.muted, indent=pad))
            if not r["key_decisions"]:
                spans.append(para("No decision was made on this path."))
            return [("text", spans)]
        if index == 2:
            return [("text", self._errors_page(para, heading))]
        if index == 3:
            blocks = []
            for c in r["competencies"]:
                observed = c["observed"] and c["score"] is not None
                score = f"{c['score']} of 100" if observed else "not observed"
                blocks.append(("text", [para(f"{c['name']}: {score}", bold=True, before=pad)]))
                if observed:
                    blocks.append(("image", self._bar(c["score"], width)))
                blocks.append(("text", [para(c["explanation"], pal.muted, before=gap // 2)]))
            return blocks
        if index == 4:
            d = r["deescalation"]
            timeline = r["timeline"]
            rises, falls = d["rises_by_own_choices"], d["falls_by_own_choices"]
            person = self._person()
            whose = "The person's" if person == "the person" else f"{person}'s"
            summary = (f"{whose} distress started at {_lower(d['start_name'])}, peaked at "
                       f"{_lower(d['peak_name'])} and ended at {_lower(d['final_name'])}. "
                       + _raised_lowered(rises, falls))
            rapport = d.get("final_rapport")
            if isinstance(rapport, int) and 0 <= rapport < len(rapport_names):
                summary += f" Rapport at the end: {_lower(rapport_names[rapport])}."
            height = max(theme.px(220), round(self.content_rect.height * 0.62))
            chart = draw_chart(timeline, (width, height), theme, self.app.fonts, names, len(rapport_names) - 1)
            intro = [para(summary, before=0),
                     para("Solid line and shapes: distress (left scale). Dashed line: rapport (right scale). "
                          "Numbered markers: your decisions; a square marker means the time to decide ran out.",
                          pal.muted, small)]
            spans = []
            step = 0
            for entry in timeline:
                if entry["kind"] in ("choice", "timer"):
                    step += 1
                    what = (self._choice_text(entry["choice"]) if entry["kind"] == "timer"
                            else f"“{entry.get('label') or self._choice_text(entry['choice'])}”")
                    spans.append(para(f"{step}. {entry.get('scene', '')}: {what}", before=gap))
                    level, stage = entry["escalation"], entry["rapport"]
                    after = f"Afterwards {person} was {_lower(names[level])}; rapport: {_lower(rapport_names[stage])}."
                    spans.append(para(after, pal.muted, small, indent=pad, before=gap // 3))
            return [("text", intro), ("image", chart), ("text", spans)]
        if index == 5:
            return [("text", self._force_page(para, heading))]
        if index == 6:
            spans = [para("Each decision point: what you chose, and the other options you had at that moment, "
                          "in the order you saw them.", pal.muted, small, before=0)]
            decisions = [e for e in r["timeline"] if e["kind"] in ("choice", "timer")]
            offered = self.scene.offered if len(self.scene.offered) == len(decisions) else None
            better = {d["choice"]: (d.get("better") or {}).get("choice") for d in r["key_decisions"]}
            for step, entry in enumerate(decisions, 1):
                node = self.scenario.nodes[self.scenario.target_index[entry["node"]]]
                ids = offered[step - 1] if offered else [c.id for c in node.choices]
                spans.append(para(f"Decision {step}: {entry.get('scene', '')}", pal.accent, bold=True, before=pad))
                if entry["kind"] == "timer":
                    spans.append(para(self._choice_text(entry["choice"]), pal.warn, bold=True, indent=pad,
                                      before=gap // 2))
                for choice_id in ids:
                    if choice_id == entry["choice"]:
                        spans.append(para("You chose: " + self._choice_text(choice_id), pal.text, bold=True,
                                          indent=pad, before=gap // 2))
                    else:
                        label = "Better option: " if better.get(entry["choice"]) == choice_id else "Not taken: "
                        spans.append(para(label + self._choice_text(choice_id),
                                          pal.good if label.startswith("Better") else pal.muted, indent=pad,
                                          before=gap // 2))
            return [("text", spans)]
        if index == 7:
            spans = []
            ending_id = (r.get("ending") or {}).get("id")
            for p in r["perspectives"]:
                where = (f"At the end: {p.get('scene', '')}" if ending_id is not None and p.get("node") == ending_id
                         else f"At {p.get('scene', '')}")
                spans.append(para(where, pal.rapport, small, True, before=pad if spans else 0))
                spans.append(para(p["text"].strip(), before=gap // 2))
            view = self.scene.session.view()
            if view.ending and view.ending.perspective and not any(
                    p["text"].strip() == view.ending.perspective.strip() for p in r["perspectives"]):
                spans.append(para("At the end", pal.rapport, small, True, before=pad))
                spans.append(para(view.ending.perspective.strip(), before=gap // 2))
            if not spans:
                spans.append(para("This scenario gives no perspective text.", pal.muted))
            return [("text", spans)]
        spans = [heading("Learning objectives", first=True)]
        for o in r["objectives"]:
            mark = {True: "Met", False: "Missed"}.get(o["met"], "Not assessed")
            colour = {True: pal.good, False: pal.bad}.get(o["met"], pal.muted)
            spans.append(para(f"{mark}: {o['text']}", colour, bold=True))
            why = str(o.get("why") or "")
            if why.startswith("Missed: "):
                why = "Why: " + why[len("Missed: "):]
            if o["met"] is not True and why:
                spans.append(para(why, pal.muted, indent=pad, before=gap // 2))
        if not r["objectives"]:
            spans.append(para("This scenario lists no learning objectives.", pal.muted))
        view = self.scene.session.view()
        if view.ending and view.ending.debrief:
            spans.append(heading("From the scenario's authors"))
            spans.append(para(view.ending.debrief.strip()))
        if r["feedback"]:
            spans.append(heading("Feedback on the choices you made"))
            for f in r["feedback"]:
                what = (self._choice_text(f.get("choice")) if self._is_timeout(f.get("choice"))
                        else f"“{f['text']}”")
                spans.append(para(f"{f.get('scene', '')}: {what}", bold=True))
                if f.get("feedback"):
                    spans.append(para(f["feedback"], pal.muted, indent=pad, before=gap // 2))
        return [("text", spans)]

    def _summary_page(self, para, heading) -> list:
        """The page an instructor projects: result and score, the rule that decided it, the ending,
        three takeaways and two questions for discussion."""
        theme, r = self.app.theme, self.report
        pal = theme.palette
        s = r.get("summary") or {}
        result = s.get("result", r["result"])
        colour = {"pass": pal.good, "needs-practice": pal.warn, "fail": pal.bad}.get(result, pal.text)
        words = s.get("result_words") or RESULT_LABELS.get(result, "Result")
        overall = s.get("overall", r["overall"])
        score = "no decision was made" if overall is None else f"{overall} out of 100"
        ending = r.get("ending") or {}
        spans = [para(f"{words}: {score}", colour, theme.heading, True, before=0),
                 para(s.get("headline") or r["result_rule"], pal.muted)]
        if ending:
            outcome = OUTCOME_LABELS.get(ending.get("outcome"))
            spans.append(para(f"Ending: {ending.get('title', '')}" + (f" ({outcome})" if outcome else ""),
                              bold=True, before=theme.pad))
        for warning in r.get("warnings", []):
            text = str(warning)
            if text.startswith("choices not in this scenario"):
                text = "some recorded choices are not in this scenario and were not graded"
            spans.append(para(f"Note: {text}.", pal.warn, theme.small))
        if r.get("undos"):
            n = r["undos"]
            spans.append(para(f"You stepped back {_times(n)} during play; only the final path is graded.",
                              pal.muted, theme.small))
        if s.get("takeaways"):
            spans.append(heading("Takeaways"))
            for i, t in enumerate(s["takeaways"], 1):
                spans.append(para(f"{i}. {t}", indent=0, before=theme.gap))
        if s.get("questions"):
            spans.append(heading("For discussion"))
            for i, q in enumerate(s["questions"], 1):
                spans.append(para(f"{i}. {q}", before=theme.gap))
        spans.append(para(f"Left/Right or Page Up/Down turn pages; Up/Down scroll; 1-{len(PAGES)} jump to a page.",
                          pal.muted, theme.small, before=theme.pad))
        return [("image", self._badge(result, colour)), ("text", spans)]

    def _errors_page(self, para, heading) -> list:
        """Critical errors, major errors and mistakes by scene and choice, then the reactions left to chance."""
        theme, r = self.app.theme, self.report
        pal, gap, pad = theme.palette, theme.gap, theme.pad
        spans = [para("A critical error fails the run; a major error caps the result at needs practice; "
                      "mistakes lower the score.", pal.muted, theme.small, before=0)]

        def where(e) -> str:
            if e.get("text") is None and e.get("choice") is None:
                return f"At the ending: {e.get('scene', '')}"
            if self._is_timeout(e.get("choice")):
                return f"At {e.get('scene', '')}: {self._choice_text(e.get('choice'))}"
            return f"“{e.get('text') or self._choice_text(e.get('choice'))}” at {e.get('scene', '')}"

        critical = r["critical_errors"]
        spans.append(heading("Critical errors", pal.bad if critical else pal.good))
        if not critical:
            spans.append(para("None."))
        for e in critical:
            spans.append(para(e.get("name") or "A critical error", pal.bad, bold=True))
            spans.append(para(where(e), indent=pad, before=gap // 2))
            if e.get("why"):
                spans.append(para(e["why"], pal.muted, indent=pad, before=gap // 2))
        for title, rows, colour in (("Major errors", r.get("major_errors", []), pal.bad),
                                    ("Mistakes", r.get("mistakes", []), pal.warn)):
            spans.append(heading(title, colour if rows else pal.good))
            if not rows:
                spans.append(para("None."))
            for e in rows:
                spans.append(para(where(e), bold=True))
                if e.get("why"):
                    spans.append(para(e["why"], pal.muted, indent=pad, before=gap // 2))
                if e.get("against"):
                    spans.append(para("Counts against: " + ", ".join(e["against"]) + ".", pal.muted, theme.small,
                                      indent=pad, before=gap // 2))
        spans.append(heading("Chance"))
        chance = r.get("chance", [])
        if not chance:
            spans.append(para("No reaction on this path was left to chance."))
        for c in chance:
            spans.append(para(where(c), bold=True))
            if c.get("reaction"):
                spans.append(para("What happened: " + c["reaction"].strip(), indent=pad, before=gap // 2))
            spans.append(para(c["note"], pal.muted, indent=pad, before=gap // 2))
        return spans

    def _force_page(self, para, heading) -> list:
        """Each use of force against what the person was doing (never their distress), with officer-created
        jeopardy and a lower-force option when there was one."""
        theme, r = self.app.theme, self.report
        pal, gap, pad = theme.palette, theme.gap, theme.pad
        spans = [para("Force is judged against what the person was doing, as a reasonable officer would have "
                      "seen it, never against how distressed they were.", pal.muted, theme.small, before=0)]
        rows = r["proportionality"]
        if not rows:
            spans.append(para("No option on this path used force.", before=pad))
        for p in rows:
            spans.append(para(f"“{p.get('text', '')}” at {p.get('scene', '')}", bold=True, before=pad))
            spans.append(para(f"Force: {p['force_name']}.", indent=pad, before=gap // 2))
            distress = f" Their distress: {_lower(p['distress_name'])}." if p.get("distress_name") else ""
            spans.append(para(f"What the person was doing: {_lower(p.get('shows_name', ''))}.{distress}",
                              indent=pad, before=gap // 2))
            if p["proportionate"]:
                spans.append(para("In proportion to what the person was doing.", pal.good, bold=True, indent=pad,
                                  before=gap // 2))
            else:
                spans.append(para("Out of proportion to what the person was doing.", pal.bad, bold=True,
                                  indent=pad, before=gap // 2))
            if p.get("officer_created"):
                spans.append(para("Officer-created jeopardy: your own earlier choices created the threat this "
                                  "force answered, and that does not excuse it.", pal.bad, bold=True, indent=pad,
                                  before=gap // 2))
            if p.get("why"):
                spans.append(para(p["why"], pal.muted, indent=pad, before=gap // 2))
            if p.get("alternative"):
                spans.append(para(f"A lower-force option was there: “{p['alternative']}”", pal.good, indent=pad,
                                  before=gap // 2))
        return spans

    def _badge(self, result: str, colour: tuple) -> pygame.Surface:
        """A drawn mark for the result (tick, exclamation, cross), so it does not rest on colour alone."""
        theme = self.app.theme
        size = theme.px(44)
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
    def build(self) -> None:
        app, theme = self.app, self.app.theme
        pal = theme.palette
        w, h = app.surface.get_size()
        margin = theme.px(24)
        self.backdrop = app.art.background("backgrounds/briefing.svg", (w, h))
        self.panel = pygame.Rect(margin, margin, w - 2 * margin, h - 2 * margin)
        self.panel_image = panel_surface(self.panel.size, theme)
        inner_w = self.panel.width - 2 * theme.pad - theme.px(14)
        title = self.scenario.title.get(self.language, self.scenario.language)
        self.header = layout(app.fonts, [
            Span(f"Debrief {self.page + 1} of {len(PAGES)}: {PAGES[self.page]}", theme.heading, pal.text, True),
            Span(f"{title}  |  {app.trainee}  |  {app.mode}", theme.small, pal.muted)], inner_w)
        buttons = [Button("< Previous", lambda: self.turn(-1), wid="prev", enabled=self.page > 0),
                   Button("Next >", lambda: self.turn(1), wid="next", enabled=self.page < len(PAGES) - 1),
                   Button("Play again", self.replay, wid="replay"),
                   Button("Library", self.to_library, wid="library")]
        button_row(buttons, theme, app.fonts, self.panel.x + theme.pad, self.panel.bottom - theme.pad, inner_w)
        top = self.panel.y + theme.pad + self.header.height + theme.pad
        self.content_rect = pygame.Rect(self.panel.x + theme.pad, top, inner_w,
                                        buttons[0].rect.top - theme.pad - top)
        self.blocks = []
        y = 0
        for kind, payload in self.page_blocks(self.page, inner_w):
            if kind == "text":
                item = layout(app.fonts, payload, inner_w)
                self.blocks.append(("text", item, y))
                y += item.height
            else:
                app.audit.check(f"debrief page {self.page + 1}: image", payload.get_size(), (inner_w, 10**6))
                self.blocks.append(("image", payload, y + theme.gap))
                y += payload.get_height() + theme.gap * 2
        self.scroller.set(y, self.content_rect.height)
        app.audit.check(f"debrief page {self.page + 1}: header", (self.header.width, self.header.height),
                        (inner_w, self.header.height))
        app.audit.check("debrief: room for content", (0, theme.body * 3), (inner_w, self.content_rect.height))
        focus = self.ring.current.wid if self.ring.current is not None else "next"
        self.set_widgets(buttons, keep=False)
        for b in buttons:
            if b.wid == focus and b.enabled:
                self.ring.focus(b)
        if not self.ring.current.enabled:
            self.ring.move(1)

    def is_scrolled(self, widget) -> bool:
        return False

    def turn(self, direction: int) -> None:
        page = max(0, min(len(PAGES) - 1, self.page + direction))
        if page != self.page:
            self.page = page
            self.scroller.offset = 0
            self.build()
            self.app.cue("page")

    def replay(self) -> None:
        self.app.replace_top(self.app.flow.briefing(self.scene.entry, self.language))

    def to_library(self) -> None:
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
            self.page = key - pygame.K_1
            self.scroller.offset = 0
            self.build()
        else:
            super().handle_key(event)

    def draw(self, surface: pygame.Surface) -> None:
        theme = self.app.theme
        surface.blit(self.backdrop, (0, 0))
        surface.blit(self.panel_image, self.panel.topleft)
        self.header.draw(surface, self.panel.x + theme.pad, self.panel.y + theme.pad)
        clip = self.content_rect
        previous = surface.get_clip()
        surface.set_clip(clip)
        for kind, item, y in self.blocks:
            top = clip.y + y - self.scroller.offset
            height = item.height if kind == "text" else item.get_height()
            if top > clip.bottom or top + height < clip.top:
                continue
            if kind == "text":
                item.draw(surface, clip.x, top, clip)
            else:
                surface.blit(item, (clip.x, top))
        surface.set_clip(previous)
        self.scroller.draw_bar(surface, clip.move(theme.px(10), 0), theme)
        self.draw_widgets(surface)
