"""Workshop mode over the scene: the group's vote, a discussion prompt, and the person's side of a moment.

A room decides together: the facilitator counts the votes for each option by keyboard, the majority
goes ahead and a tie is the facilitator's call, logged as such with the split (scoring/room.py shows
it in the debrief). A scenario's discussion prompt for the option taken appears before its
consequences; the person's side of the moment appears when the facilitator asks (P). Each showing is
a mark in the session's log, so the record says what the room saw and when.
"""
from __future__ import annotations

import pygame

from scoring.words import quoted

from ...i18n import _, ngettext
from ..widgets import ACTIVATE_KEYS, NUMBER_KEYS, Button, Cycler
from .base import PanelScreen, paragraphs

MAX_VOTES = 99  # per option: a room, not a referendum


class VoteCount(Cycler):
    """One option's votes: its number key or Right adds one, Shift+number or Left takes one away."""

    def __init__(self, number: int, text: str, on_change):
        super().__init__(text, list(range(MAX_VOTES + 1)), {}, 0, on_change, wid=f"votes-{number}")
        self.number = number  # the badge shows it, and its key adds a vote

    def value_label(self) -> str:
        return ngettext("{n} vote", "{n} votes", self.current).format(n=self.current)

    def _label(self) -> str:
        return _("{option}  < {votes} >").format(option=self.name, votes=self.value_label())

    def step(self, direction: int) -> bool:
        value = max(0, min(MAX_VOTES, self.current + direction))  # no wrapping: 0 - 1 stays 0
        if value != self.current:
            self.current = value
            self.label = self._label()
            self.on_change(value)
        return True


class VoteScreen(PanelScreen):
    """Over the scene: the count for each option, then "Go ahead"; a tie asks the facilitator to decide."""

    name = "vote"
    overlay = True
    panel_width = 820

    def __init__(self, app, scene, first: str | None = None):
        super().__init__(app)
        self.scene = scene
        self.options = [(c.id, c.text) for c in scene.view.choices]
        self.votes = {cid: 0 for cid, _text in self.options}
        self.tied: list[str] = []  # set when the count is a tie: the facilitator picks among these
        self.error = ""
        self.open_for = 0.0  # seconds the vote took: the decision's time goes on meanwhile
        self.first = first  # the option the facilitator opened the vote from (focused first)

    def heading(self) -> str:
        return _("A tie: the facilitator decides") if self.tied else _("The group's vote")

    def body(self):
        theme = self.app.theme
        if self.tied:
            names = "; ".join(quoted(text) for cid, text in self.options if cid in self.tied)
            text = _("These options have the same number of votes: {options}. Choose which one goes ahead; the "
                     "record says it was a tie and shows the split.").format(options=names)
        else:
            text = _("Count the hands for each option: its number key (or Right) adds a vote, Shift and the number "
                     "(or Left) takes one away. The majority goes ahead; the split is kept in the record.")
        spans = paragraphs(theme, text, colour=theme.palette.muted, px=theme.small)
        if self.error:
            spans += paragraphs(theme, self.error, colour=theme.palette.warn, px=theme.small)
        return spans

    def widgets(self):
        if self.tied:
            numbers = {cid: i + 1 for i, (cid, _text) in enumerate(self.options)}
            return [Button(text, lambda c=cid: self.decide(c, tie=True), numbers[cid], bold=False, wid=f"tie-{cid}")
                    for cid, text in self.options if cid in self.tied] + \
                   [Button(_("Back to the count"), self.recount, wid="recount")]
        counts = [VoteCount(i + 1, text, lambda value, c=cid: self.votes.__setitem__(c, value))
                  for i, (cid, text) in enumerate(self.options)]
        for counter, (cid, _text) in zip(counts, self.options):
            counter.current = self.votes[cid]
            counter.label = counter._label()
        total = sum(self.votes.values())
        go = Button(ngettext("Go ahead with the majority ({n} vote in all)", "Go ahead with the majority ({n} votes in all)",
                             total).format(n=total), self.go_ahead, wid="go-ahead")
        return counts + [go, Button(_("Cancel"), self.back, wid="cancel")]

    def build(self) -> None:
        super().build()
        if self.first is not None:
            wanted = f"votes-{next((i + 1 for i, (cid, _t) in enumerate(self.options) if cid == self.first), 1)}"
            self.first = None
            for widget in self.ring.widgets:
                if getattr(widget, "wid", None) == wanted:
                    self.ring.focus(widget)

    def update(self, dt: float) -> None:
        self.open_for += dt

    def handle_key(self, event: pygame.event.Event) -> None:
        if event.key in NUMBER_KEYS and not self.tied:
            number = NUMBER_KEYS[event.key]
            if 1 <= number <= len(self.options):
                cid = self.options[number - 1][0]
                self.votes[cid] = max(0, min(MAX_VOTES, self.votes[cid] + (-1 if event.mod & pygame.KMOD_SHIFT else 1)))
                self.error = ""
                self.build()
                self.app.speak(_("{option}: {votes}").format(option=number, votes=ngettext(
                    "{n} vote", "{n} votes", self.votes[cid]).format(n=self.votes[cid])))
            return
        if event.key == pygame.K_SPACE:
            return  # as in the scene, Space never takes a button
        if event.key in ACTIVATE_KEYS and isinstance(self.ring.current, VoteCount):
            self.go_ahead()  # Enter on a count: the count is done (numbers and arrows change it)
            return
        super().handle_key(event)
        if not self.tied:
            self.build()  # the Go ahead button shows the new total

    def recount(self) -> None:
        self.tied = []
        self.build()

    def go_ahead(self) -> None:
        """The majority goes ahead; a tie at the top asks the facilitator; no votes at all asks again."""
        top = max(self.votes.values(), default=0)
        if top == 0:
            self.error = _("Count at least one vote first.")
            self.build()
            self.app.speak(self.error)
            return
        leaders = [cid for cid, _text in self.options if self.votes[cid] == top]
        if len(leaders) > 1:
            self.tied = leaders
            self.build()
            self.app.speak(self.speech())
            return
        self.decide(leaders[0], tie=False)

    def decide(self, choice_id: str, tie: bool) -> None:
        self.app.pop()
        self.scene.group_decides(choice_id, dict(self.votes), tie, self.open_for)


class DiscussionScreen(PanelScreen):
    """The scenario's discussion prompt for the option the room took, before its consequences."""

    name = "discussion"
    overlay = True
    panel_width = 760

    def __init__(self, app, prompt: str, then):
        super().__init__(app)
        self.prompt, self.then = prompt, then
        self.open_for = 0.0

    def heading(self) -> str:
        return _("Discuss before you go on")

    def body(self):
        theme = self.app.theme
        return paragraphs(theme, self.prompt) + paragraphs(
            theme, _("Enter goes on to what happens next."), colour=theme.palette.muted, px=theme.small)

    def widgets(self):
        return [Button(_("Go on"), self.go_on, 1, wid="go-on")]

    def update(self, dt: float) -> None:
        self.open_for += dt

    def back(self) -> None:
        self.go_on()  # the decision is taken: Escape goes on too, it never undoes the vote

    def go_on(self) -> None:
        self.app.pop()
        self.then(self.open_for)


class TheirSideScreen(PanelScreen):
    """What the person is experiencing at this moment, as the scenario writes it (workshop mode, P)."""

    name = "their side"
    overlay = True
    panel_width = 760

    def __init__(self, app, name: str, perspective: str | None):
        super().__init__(app)
        self.person, self.perspective = name, perspective

    def heading(self) -> str:
        return _("Their side of this moment: {name}").format(name=self.person)

    def body(self):
        theme = self.app.theme
        text = self.perspective or _("The scenario does not say what the person is experiencing here.")
        return paragraphs(theme, text) + paragraphs(theme, _("Escape or Enter goes back to the scene."),
                                                    colour=theme.palette.muted, px=theme.small)

    def widgets(self):
        return [Button(_("Back to the scene"), self.back, 1, wid="back")]


class TheirSideReplayScreen(PanelScreen):
    """After the run: the whole path again from the person's side, one moment at a time (the debrief's P).

    Each step is a moment on the final path: what the person was experiencing there, as the scenario
    writes it, and what the officer did next; the last is the ending's. Left/Right step through."""

    name = "their side replay"
    background = "backgrounds/briefing.svg"
    panel_width = 820

    def __init__(self, app, scenario, report: dict, fill, language: str):
        super().__init__(app)
        self.background = next((n.background for n in scenario.nodes if n.background), self.background)
        self.steps = their_side_steps(scenario, report, fill, language)
        self.index = 0

    def heading(self) -> str:
        scene, _text, _did = self.steps[self.index]
        return _("Their side, {step} of {steps}: {scene}").format(step=self.index + 1, steps=len(self.steps),
                                                                   scene=scene)

    def body(self):
        theme = self.app.theme
        _scene, text, did = self.steps[self.index]
        spans = paragraphs(theme, text or _("The scenario does not say what the person is experiencing here."))
        if did:
            spans += paragraphs(theme, _("What the officer did next: {choice}").format(choice=did),
                                colour=theme.palette.muted)
        return spans + paragraphs(theme, _("Left and Right step through the run; Escape goes back to the debrief."),
                                  colour=theme.palette.muted, px=theme.small)

    def widgets(self):
        last = len(self.steps) - 1
        return [Button(_("< Earlier"), lambda: self.show(self.index - 1), wid="earlier", enabled=self.index > 0),
                Button(_("Later >"), lambda: self.show(self.index + 1), wid="later", enabled=self.index < last),
                Button(_("Back to the debrief"), self.back, wid="back")]

    def show(self, index: int) -> None:
        self.index = max(0, min(len(self.steps) - 1, index))
        self.build()
        self.app.speak(self.speech())

    def handle_key(self, event: pygame.event.Event) -> None:
        if event.key in (pygame.K_LEFT, pygame.K_RIGHT, pygame.K_PAGEUP, pygame.K_PAGEDOWN):
            self.show(self.index + (1 if event.key in (pygame.K_RIGHT, pygame.K_PAGEDOWN) else -1))
            return
        super().handle_key(event)


def their_side_steps(scenario, report: dict, fill, language: str) -> list[tuple[str, str, str]]:
    """(scene, the person's side there, what the officer did next) for each moment on the final path of
    `report` (its timeline), then the ending's; scenario text in `language`, filled by `fill`."""
    from scoring.words import choice_label, scene_label
    default = scenario.language
    steps = []
    for entry in report.get("timeline") or []:
        if entry.get("kind") not in ("choice", "timer"):
            continue
        index = scenario.target_index.get(entry.get("node"))
        if index is None or scenario.is_ending(index):
            continue
        node = scenario.nodes[index]
        choice = scenario.choice_by_id.get(entry.get("choice"))
        did = fill(choice_label(choice, language, default)) if choice is not None else ""
        steps.append((scene_label(scenario, node.id, language),
                      fill(node.perspective.get(language, default)) if node.perspective else "", did))
    ending_id = (report.get("ending") or {}).get("id")
    index = scenario.target_index.get(ending_id) if ending_id else None
    if index is not None and scenario.is_ending(index):
        ending = scenario.ending_at(index)
        steps.append((ending.title.get(language, default),
                      fill(ending.perspective.get(language, default)) if ending.perspective else "", ""))
    return steps or [(_("The run"), "", "")]
