"""The flow between screens: makes each screen for the others, so that no screen imports another.

Title -> who is training -> mode -> library -> briefing -> scene -> ending -> debrief -> library or
replay; the pause menu sits over the scene. Screens ask `app.flow` for the next screen and decide
themselves how it joins the stack (`go`, `replace`, `replace_top`, `push`).
"""
from __future__ import annotations

from .screens.briefing import BriefingScreen
from .screens.debrief import DebriefScreen
from .screens.ending import EndingScreen
from .screens.library import LibraryScreen
from .screens.menus import PauseScreen, TitleScreen
from .screens.scene import SceneScreen


class Flow:
    """Builds the screens of the window's flow for one App."""

    def __init__(self, app):
        self.app = app

    def title(self) -> TitleScreen:
        return TitleScreen(self.app)

    def library(self) -> LibraryScreen:
        return LibraryScreen(self.app)

    def briefing(self, entry, language: str) -> BriefingScreen:
        """The briefing of catalog `entry` in `language`; it preloads the scene's art."""
        return BriefingScreen(self.app, entry, language)

    def scene(self, entry, language: str) -> SceneScreen:
        """A new playthrough of catalog `entry` (a new session with the app's seed and settings)."""
        return SceneScreen(self.app, entry, language)

    def ending(self, scene: SceneScreen) -> EndingScreen:
        """The ending of `scene`'s finished session; grading starts in the background."""
        return EndingScreen(self.app, scene)

    def debrief(self, scene: SceneScreen, report) -> DebriefScreen:
        """The paged debrief of `scene` from its scoring `report`."""
        return DebriefScreen(self.app, scene, report)

    def pause(self, scene: SceneScreen) -> PauseScreen:
        """The pause menu over `scene` (its clock stops while it is open)."""
        return PauseScreen(self.app, scene)
