"""The flow between screens: makes each screen for the others, so that no screen imports another.

Title -> who is training -> mode -> library -> briefing -> scene -> ending -> debrief -> library or
replay; the pause menu sits over the scene. Screens ask `app.flow` for the next screen and decide
themselves how it joins the stack (`go`, `replace`, `replace_top`, `push`). Each screen's module is
imported when it is first needed: the title must not wait for the engine and NumPy, which the scene
imports.
"""
from __future__ import annotations


class Flow:
    """Builds the screens of the window's flow for one App."""

    def __init__(self, app):
        self.app = app

    def title(self):
        from .screens.menus import TitleScreen
        return TitleScreen(self.app)

    def library(self):
        from .screens.library import LibraryScreen
        return LibraryScreen(self.app)

    def briefing(self, entry, language: str):
        """The briefing of catalog `entry` in `language`; it preloads the scene's art."""
        from .screens.briefing import BriefingScreen
        return BriefingScreen(self.app, entry, language)

    def scene(self, entry, language: str):
        """A new playthrough of catalog `entry` (a new session with the app's seed and settings)."""
        from .screens.scene import SceneScreen
        return SceneScreen(self.app, entry, language)

    def ending(self, scene):
        """The ending of `scene`'s finished session; grading starts in the background."""
        from .screens.ending import EndingScreen
        return EndingScreen(self.app, scene)

    def debrief(self, scene, report):
        """The paged debrief of `scene` from its scoring `report`."""
        from .screens.debrief import DebriefScreen
        return DebriefScreen(self.app, scene, report)

    def pause(self, scene):
        """The pause menu over `scene` (its clock stops while it is open)."""
        from .screens.menus import PauseScreen
        return PauseScreen(self.app, scene)

    def feedback(self, scene):
        """The workshop's feedback form on `scene`'s scenario, stored with its session (over the debrief)."""
        from .screens.feedback import FeedbackScreen
        return FeedbackScreen(self.app, scene)

    def research_question(self, run, phase: str, question):
        """Research mode: one of the protocol's questions (ui/research.py)."""
        from .screens.research import QuestionScreen
        return QuestionScreen(self.app, run, phase, question)

    def research_thanks(self, run):
        """Research mode: the end of a participant's run."""
        from .screens.research import ThanksScreen
        return ThanksScreen(self.app, run)

    def vote(self, scene, first: str | None = None):
        """Workshop mode: the group's vote on `scene`'s options (`first`: the option it was opened from)."""
        from .screens.workshop import VoteScreen
        return VoteScreen(self.app, scene, first)

    def discussion(self, prompt: str, then):
        """Workshop mode: a scenario's discussion prompt; `then(seconds open)` runs when the room goes on."""
        from .screens.workshop import DiscussionScreen
        return DiscussionScreen(self.app, prompt, then)

    def their_side(self, name: str, perspective: str | None):
        """Workshop mode: the person's side of the current moment."""
        from .screens.workshop import TheirSideScreen
        return TheirSideScreen(self.app, name, perspective)

    def their_side_replay(self, debrief):
        """After the run: the whole path from the person's side, a moment at a time (the debrief's P)."""
        from .screens.workshop import TheirSideReplayScreen
        scene = debrief.scene
        return TheirSideReplayScreen(self.app, debrief.scenario, debrief.report, scene.session.fill, debrief.language)
