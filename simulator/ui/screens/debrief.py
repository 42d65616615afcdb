"""The debrief, drawn from the scoring report in pages an instructor can step through on a projector."""
from __future__ import annotations

import pygame

from ..chart import draw_chart
from ..text import Span, layout
from ..theme import OUTCOME_LABELS, panel_surface
from ..widgets import Button
from .base import FocusScreen, button_row

RESULT_LABELS = {"pass": "Pass", "needs-practice": "Needs practice", "fail": "Fail"}
PAGES = ("Result", "Escalation and rapport", "Competencies", "Critical errors and key decisions",
         "Your path and the paths not taken", "Their side", "Objectives and notes")


class DebriefScreen(FocusScreen):
    """Pages: Left/Right or Page Up/Down turn them (a presenter clicker works), Up/Down scroll, 1-7 jump."""

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
        if not choice_id:
            return ""
        choice = self.scenario.choice_by_id.get(choice_id)
        if choice is None:
            return choice_id
        if choice.is_timeout:
            return "(no decision: the timer ran out)"
        return self._t(choice.text) or choice_id

    # --- pages ---------------------------------------------------------------------------------
    def page_blocks(self, index: int, width: int) -> list:
        """The page's content as blocks: ("text", spans) or ("image", surface)."""
        theme, r = self.app.theme, self.report
        pal = theme.palette
        body, small, head = theme.body, theme.small, theme.heading
        gap = theme.gap

        def para(text, colour=None, px=None, bold=False, indent=0, before=gap):
            return Span(text, px or body, colour or pal.text, bold, indent, before)
        if index == 0:
            result = r["result"]
            colour = {"pass": pal.good, "needs-practice": pal.warn, "fail": pal.bad}.get(result, pal.text)
            d = r["deescalation"]
            ending = r.get("ending") or {}
            spans = [para(f"{RESULT_LABELS.get(result, result)}: {r['overall']} out of 100", colour, head, True, 0, 0),
                     para(r["result_rule"], pal.muted),
                     para(f"Ending: {ending.get('title', '')} ({OUTCOME_LABELS.get(ending.get('outcome'), '')})",
                          bold=True, before=theme.pad),
                     para(f"Escalation started at {d['start']}, peaked at {d['peak']} ({d['peak_name']}) and ended at "
                          f"{d['final']} ({d['final_name']}). Final rapport: {d['final_rapport']}."),
                     para(f"Your own choices raised the level {d['rises_by_own_choices']} time(s) and lowered it "
                          f"{d['falls_by_own_choices']} time(s). Force used: {'yes' if d['force_used'] else 'no'}; "
                          f"resolved without force: {'yes' if d['resolved_without_force'] else 'no'}."),
                     para(f"{r['decisions']} decision(s), {r['undos']} step(s) back. Critical errors: "
                          f"{len(r['critical_errors'])}.", pal.muted)]
            for warning in r.get("warnings", []):
                spans.append(para(str(warning), pal.warn, small))
            spans.append(para("Left/Right or Page Up/Down turn pages; Up/Down scroll; 1-7 jump to a page.",
                              pal.muted, small, before=theme.pad))
            return [("image", self._badge(result, colour)), ("text", spans)]
        if index == 1:
            timeline = r["timeline"]
            height = max(theme.px(220), round(self.content_rect.height * 0.62))
            chart = draw_chart(timeline, (width, height), theme, self.app.fonts, self.scenario.behaviour.level_names,
                               len(self.scenario.behaviour.rapport_names) - 1)
            spans = [para("Solid line and shapes: escalation (left scale). Dashed line: rapport (right scale). "
                          "Numbered markers: your decisions; a square marker means the timer ran out.",
                          pal.muted, small, before=0)]
            step = 0
            for entry in timeline:
                if entry["kind"] in ("choice", "timer"):
                    step += 1
                    spans.append(para(f"{step}. {self._choice_text(entry['choice'])}  (escalation "
                                      f"{entry['escalation']}, rapport {entry['rapport']})", before=gap // 2))
            return [("image", chart), ("text", spans)]
        if index == 2:
            blocks = []
            for c in r["competencies"]:
                score = f"{c['score']} / 100" if c["observed"] else "not observed"
                blocks.append(("text", [para(f"{c['name']}: {score}", bold=True, before=theme.pad)]))
                if c["observed"]:
                    blocks.append(("image", self._bar(c["score"], width)))
                blocks.append(("text", [para(c["explanation"], pal.muted, before=gap // 2)]))
            return blocks
        if index == 3:
            spans = [para("Critical errors", pal.bad if r["critical_errors"] else pal.good, head, True, before=0)]
            if not r["critical_errors"]:
                spans.append(para("None."))
            for e in r["critical_errors"]:
                spans.append(para(f"{e.get('name', e.get('id'))}: {e.get('explanation', e.get('why', ''))}",
                                  indent=theme.pad))
            spans.append(para("The decisions that mattered most", pal.accent, head, True, before=theme.pad))
            for k, decision in enumerate(r["key_decisions"], 1):
                spans.append(para(f"{k}. At '{decision['node']}'", bold=True))
                spans.append(para(decision["why"], indent=theme.pad, before=gap // 2))
                better = decision.get("better") or {}
                if better.get("choice"):
                    spans.append(para(f"Better: {self._choice_text(better['choice'])}", pal.good, indent=theme.pad))
                if better.get("why"):
                    spans.append(para(better["why"], pal.muted, indent=theme.pad, before=gap // 2))
            return [("text", spans)]
        if index == 4:
            spans = [para("Each decision point: what you chose, and the other options you had at that moment.",
                          pal.muted, small, before=0)]
            decisions = [e for e in r["timeline"] if e["kind"] in ("choice", "timer")]
            offered = self.scene.offered if len(self.scene.offered) == len(decisions) else None
            better = {d["choice"]: (d.get("better") or {}).get("choice") for d in r["key_decisions"]}
            for step, entry in enumerate(decisions, 1):
                node = self.scenario.nodes[self.scenario.target_index[entry["node"]]]
                ids = offered[step - 1] if offered else [c.id for c in node.choices]
                spans.append(para(f"Decision {step} (at '{node.id}')", pal.accent, bold=True, before=theme.pad))
                if entry["kind"] == "timer":
                    spans.append(para("You: no decision; the timer ran out.", pal.warn, bold=True, indent=theme.pad,
                                      before=gap // 2))
                for choice_id in ids:
                    if choice_id == entry["choice"]:
                        spans.append(para("You chose: " + self._choice_text(choice_id), pal.text, bold=True,
                                          indent=theme.pad, before=gap // 2))
                    else:
                        label = "Better option: " if better.get(entry["choice"]) == choice_id else "Not taken: "
                        spans.append(para(label + self._choice_text(choice_id),
                                          pal.good if label.startswith("Better") else pal.muted, indent=theme.pad,
                                          before=gap // 2))
            return [("text", spans)]
        if index == 5:
            spans = []
            for p in r["perspectives"]:
                spans.append(para(f"At '{p['node']}'", pal.rapport, small, True, before=theme.pad if spans else 0))
                spans.append(para(p["text"].strip(), before=gap // 2))
            view = self.scene.session.view()
            if view.ending and view.ending.perspective:
                spans.append(para("At the end", pal.rapport, small, True, before=theme.pad))
                spans.append(para(view.ending.perspective.strip(), before=gap // 2))
            if not spans:
                spans.append(para("This scenario gives no perspective text.", pal.muted))
            return [("text", spans)]
        spans = [para("Learning objectives", pal.accent, head, True, before=0)]
        for o in r["objectives"]:
            mark = "Met" if o["met"] else "Missed"
            spans.append(para(f"{mark}: {o['text']}", pal.good if o["met"] else pal.bad, bold=True))
            if not o["met"]:
                spans.append(para(o["why"], pal.muted, indent=theme.pad, before=gap // 2))
        view = self.scene.session.view()
        if view.ending and view.ending.debrief:
            spans.append(para("From the scenario's authors", pal.accent, head, True, before=theme.pad))
            spans.append(para(view.ending.debrief.strip()))
        if r["feedback"]:
            spans.append(para("Feedback on the choices you made", pal.accent, head, True, before=theme.pad))
            for f in r["feedback"]:
                spans.append(para(f["text"], bold=True))
                spans.append(para(f["feedback"], pal.muted, indent=theme.pad, before=gap // 2))
        return [("text", spans)]

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
        elif pygame.K_1 <= key <= pygame.K_7:
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
