"""The window: opens fast, runs the screen stack, applies settings and writes session records."""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
import warnings

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame  # noqa: E402

from .. import i18n  # noqa: E402
from ..i18n import N_, _  # noqa: E402
from .settings import MAX_SIZE, MODES, Settings, clamp_size, load_settings, save_settings  # noqa: E402
from .text import Audit, Fonts, Span, layout  # noqa: E402
from .theme import Theme  # noqa: E402

FPS = 60
TITLE = N_("Parley: de-escalation training")
CAPTION_SECONDS = 2.0  # how long a sound cue's caption stays
NOTICE_SECONDS = 3.0  # an announcement ("Self-voicing on"); a problem stays twice as long
FIT_HEIGHT = 0.94  # a window fits a display with this share of its height: the rest is title bar and panels
# SDL video drivers that show nothing. SDL falls back on them by itself when there is no display
# (with DISPLAY and WAYLAND_DISPLAY unset it picks "offscreen"): the window would then wait for
# input nobody can give. They are fine when asked for (tests set SDL_VIDEODRIVER=dummy).
UNSEEN_DRIVERS = frozenset({"offscreen", "dummy", "evdev"})


class NoDisplay(Exception):
    """No window can be shown here; the message says why. Callers fall back to text mode."""


class Banner:
    """A short line shown over the top screen for a while: a sound cue's caption or an announcement."""

    def __init__(self, text: str, seconds: float):
        self.text, self.left = text, seconds
        self.image: pygame.Surface | None = None  # drawn once, on first show (and after a relayout)


def unseen_driver(driver: str, requested: str | None) -> bool:
    """True when SDL chose `driver`, which shows nothing, although SDL_VIDEODRIVER (`requested`, a
    driver name or a comma-separated list) did not ask for it."""
    asked = {name.strip().lower() for name in (requested or "").split(",") if name.strip()}
    return driver.lower() in UNSEEN_DRIVERS and driver.lower() not in asked


class App:
    """Owns the display, settings, fonts, art and sound, and a stack of screens."""

    def __init__(self, settings: Settings | None = None, size: tuple[int, int] | None = None,
                 scenario_path=None, seed: int | None = None, settings_warnings: list[str] | None = None,
                 no_timers: bool = False, authored_order: bool = False, database_url: str | None = None,
                 instructor: str | None = None, console_window: bool = True):
        self.settings = settings or Settings()
        self.settings_warnings = settings_warnings or []
        self.scenario_path = scenario_path
        self.seed = seed
        self.no_timers = no_timers  # `parley play --no-timers`: off for this run, settings unchanged
        self.authored_order = authored_order  # `parley play --authored-order`: options not shuffled
        self.trainee = "guest"
        self.instructor = instructor  # `parley play --instructor NAME`: who operates in instructor-operated mode
        self.console_window = console_window  # operated mode: the console in a second window (else a Tab panel)
        self.console = None  # the operator console while an operated scene runs (console.py)
        self.research = None  # a research participant's run (research.py), when the window runs one
        self.database_url = database_url  # `--db`; None: $PARLEY_DATABASE_URL, else parley.db in the data folder
        # scenario id -> the variant of who the people are chosen in the briefing (or on the command line)
        self.variants: dict[str, str] = {}
        self.mode = MODES[0]
        self.running = True
        self.status = 0
        self.frames = 0
        self.audit = Audit()
        i18n.set_language(self.settings.interface_language)  # before any interface word is made
        self.fonts = Fonts(self.settings.font, self.settings.line_gap)
        self.caption: Banner | None = None  # the last sound cue's caption, while it shows
        self.notice: Banner | None = None  # an announcement, while it shows
        self.caption_rect = pygame.Rect(0, 0, 0, 0)  # where the banners were last drawn (empty: none)
        self._voice = None
        self.stack: list = []  # screens (see screens/base.py), the top one shown
        self.snapshot: pygame.Surface | None = None
        self._open_display(size)
        self.theme = Theme(self.settings, self.surface.get_size())
        from .art import ArtCache
        self.art = ArtCache()
        self._sound = None
        self._sound_ready = False
        self._flow = None
        self.catalog = None  # filled by .catalog.Catalog after the first frame
        self._store = None  # the records database, opened when the first session starts
        self._store_opened = False
        self._reloader = None  # live reload (reload.py), made when a briefing or scene first opens

    # --- display -------------------------------------------------------------------------------
    def _open_display(self, size: tuple[int, int] | None) -> None:
        """Open the window, or raise NoDisplay when no display can show it."""
        with _native_stderr_captured() as noise:
            try:
                pygame.display.init()
            except pygame.error as exc:
                raise NoDisplay(_("cannot open a window ({why})").format(why=exc)) from exc
            driver = pygame.display.get_driver()
            if unseen_driver(driver, os.environ.get("SDL_VIDEODRIVER")):
                pygame.display.quit()
                raise NoDisplay(_("no display was found (SDL fell back on its {driver} video driver, "
                                  "which shows nothing)").format(driver=repr(driver)))
            noise.keep = True  # a real window: whatever SDL printed may matter, so it is passed on
        pygame.font.init()
        pygame.display.set_caption(_(TITLE))
        pygame.display.set_icon(window_icon())
        if self.settings.fullscreen:
            self.surface = pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
        else:
            size = clamp_size(*(size or self.settings.window_size), limit=self.window_limit())
            self.surface = pygame.display.set_mode(size, pygame.RESIZABLE)
        try:  # SDL enforces the smallest size our layouts are designed for
            with warnings.catch_warnings():  # deprecated in favour of Window-only rendering, still works
                warnings.simplefilter("ignore", DeprecationWarning)
                window = pygame.Window.from_display_module()
            window.minimum_size = (1280, 720)
        except (AttributeError, pygame.error, TypeError, ValueError):
            pass
        pygame.key.set_repeat(400, 40)

    def display_size(self) -> tuple[int, int] | None:
        """The desktop's size on the first display, or None when unknown (a driver that shows
        nothing, such as the tests' dummy driver, reports a made-up size: treated as unknown)."""
        if pygame.display.get_driver().lower() in UNSEEN_DRIVERS:
            return None
        try:
            sizes = pygame.display.get_desktop_sizes()
        except pygame.error:
            return None
        return tuple(sizes[0]) if sizes and min(sizes[0]) > 0 else None

    def window_limit(self) -> tuple[int, int]:
        """The largest window that fits the display with its title bar and panels (3840x2160 when
        the display is unknown). Never below 1280x720, the smallest size the layouts are made for."""
        desktop = self.display_size()
        if desktop is None:
            return MAX_SIZE
        return clamp_size(desktop[0], int(desktop[1] * FIT_HEIGHT))

    def window_fits(self, size: tuple[int, int]) -> bool:
        """True when a window of `size` fits the display (see window_limit)."""
        limit = self.window_limit()
        return size[0] <= limit[0] and size[1] <= limit[1]

    def resize(self, width: int, height: int) -> None:
        """Apply a new window size (within 1280x720 .. 3840x2160, and no larger than the display) and
        lay every screen out again."""
        desktop = self.display_size()  # a window the user drags larger may fill the display, no more
        size = clamp_size(width, height, limit=desktop)
        if not self.settings.fullscreen and size != self.surface.get_size():
            self.surface = pygame.display.set_mode(size, pygame.RESIZABLE)
        if not self.settings.fullscreen:
            self.settings.window_size = list(self.surface.get_size())
            self.save()
        self.relayout()

    def set_fullscreen(self, on: bool) -> None:
        self.settings.fullscreen = on
        if on:
            self.surface = pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
        else:
            size = clamp_size(*self.settings.window_size, limit=self.window_limit())
            self.surface = pygame.display.set_mode(size, pygame.RESIZABLE)
        self.save()
        self.relayout()

    def relayout(self) -> None:
        """New theme and fonts from settings and size; every screen in the stack lays itself out again."""
        self.theme = Theme(self.settings, self.surface.get_size())
        self.fonts.configure(self.settings.font, self.settings.line_gap)
        for banner in (self.caption, self.notice):
            if banner is not None:
                banner.image = None
        for screen in self.stack:
            screen.build()
        if self.stack and self.stack[-1].overlay and len(self.stack) > 1:
            self._take_snapshot(self.stack[-2], self.stack[-1])

    def set_interface_language(self, code: str | None) -> None:
        """Use `code` ("en", "es", or None for the system's language) for the interface's words, at once."""
        self.settings.interface_language = code
        i18n.set_language(code)
        pygame.display.set_caption(_(TITLE))
        self.save()
        self.relayout()

    def record_store(self):
        """The records database (simulator/records), opened once, when the first session starts; None
        when it cannot be opened (said on stderr; sessions are then kept as record files)."""
        if not self._store_opened:
            self._store_opened = True
            from ..records.recorder import open_store
            self._store = open_store(self.database_url)
        return self._store

    def use_store(self, store) -> None:
        """Record sessions in `store`, already open (a research run's, opened by the command line)."""
        self._store, self._store_opened = store, True

    def save(self) -> None:
        error = save_settings(self.settings)
        if error and error not in self.settings_warnings:
            self.settings_warnings.append(error)

    # --- services ------------------------------------------------------------------------------
    @property
    def sound(self):
        """Sound cues, created on first use (NumPy and the mixer stay out of the first frame)."""
        if self._sound is None:
            from .sound import SoundCues
            self._sound = SoundCues(enabled=self.settings.sound)
        return self._sound

    @property
    def flow(self):
        """Makes the screens for one another (see flow.py), so that no screen imports another."""
        if self._flow is None:
            from .flow import Flow
            self._flow = Flow(self)
        return self._flow

    @property
    def voice(self):
        """Self-voicing's speech (voice.py), created on first use."""
        if self._voice is None:
            from .voice import Voice
            self._voice = Voice(i18n.language)
        return self._voice

    def speak(self, text: str, interrupt: bool = True, language: str | None = None) -> None:
        """Read `text` aloud when self-voicing is on (a no-op otherwise). `interrupt` stops what is being
        said; False queues `text` after it. `language` is the text's language ("en", "es"; default the
        interface's), for scenario text in another language. Never waits for the speech engine."""
        if self.settings.self_voicing and text:
            self.voice.say(text, interrupt, language)

    def toggle_self_voicing(self) -> None:
        """Turn self-voicing on or off (the V key, or the setting), and say so aloud and on screen."""
        on = not self.settings.self_voicing
        self.settings.self_voicing = on
        self.save()
        said = _("Self-voicing on") if on else _("Self-voicing off")
        self.voice.say(said)  # stops what was being said; heard even when turning it off
        problem = self.voice.problem if on else None
        self.notify(problem or said, NOTICE_SECONDS * (2 if problem else 1))
        if on and self.stack:
            self.speak(self.top.speech(), interrupt=False)
        self.relayout()

    def notify(self, text: str, seconds: float = NOTICE_SECONDS) -> None:
        """Show `text` briefly over the top screen (an announcement, not a sound cue's caption)."""
        self.notice = Banner(text, seconds)

    def cue(self, name: str) -> None:
        """Play sound cue `name` (sound.py) when sound is on; with captions on, also show what it
        means for a couple of seconds (whether or not the sound is muted: the caption stands for it)."""
        if self.settings.sound:
            self.sound.play(name)
        if self.settings.captions:
            from .sound import CAPTIONS
            if name in CAPTIONS:
                self.caption = Banner(_(CAPTIONS[name]), CAPTION_SECONDS)

    @property
    def caption_text(self) -> str | None:
        """The caption on screen now, or None."""
        return self.caption.text if self.caption is not None else None

    def ensure_catalog(self):
        """The scenario catalog; loading starts in the background after the first frame."""
        if self.catalog is None:
            from .catalog import Catalog
            self.catalog = Catalog(self.scenario_path)
            self.catalog.start()
        return self.catalog

    # --- screens -------------------------------------------------------------------------------
    def push(self, screen) -> None:
        if screen.overlay and self.stack:
            self._take_snapshot(self.stack[-1], screen)
        self.stack.append(screen)
        screen.build()
        self._enter(screen)

    def pop(self) -> None:
        self.stack.pop()
        if self.stack:
            top = self.stack[-1]
            if top.overlay and len(self.stack) > 1:  # settings may have changed under the pause menu
                self._take_snapshot(self.stack[-2], top)
            self._enter(top)

    def _enter(self, screen) -> None:
        pygame.key.stop_text_input()  # only a screen with a text field turns typing on, in its enter()
        screen.enter()
        if self.settings.self_voicing:  # the screen's main text, then the focused control
            self.speak(screen.speech())
            focus = getattr(screen, "focus_speech", None)
            self.speak(focus() if focus else "", interrupt=False)

    def replace(self, screen) -> None:
        """Go to `screen`, forgetting everything but the title at the bottom of the stack."""
        del self.stack[1:]
        if self.stack and screen.name == "title":
            self.stack.clear()
        self.push(screen)

    def replace_top(self, screen) -> None:
        """Swap the top screen for `screen` (the scene for its ending, the ending for its debrief)."""
        self.stack.pop()
        self.push(screen)

    def go(self, screen) -> None:
        """Go forward to `screen` keeping the way back (Escape returns)."""
        self.push(screen)

    def _take_snapshot(self, below, overlay) -> None:
        """The picture an overlay is drawn on: the screen below, darkened by the overlay's `shade`; an
        overlay with shade 255 (the pause menu) hides it entirely behind the theme's background."""
        self.snapshot = pygame.Surface(self.surface.get_size())
        shade = max(0, min(255, getattr(overlay, "shade", 170)))
        if shade >= 255:
            self.snapshot.fill(self.theme.palette.background)
            return
        below.draw(self.snapshot)
        layer = pygame.Surface(self.surface.get_size(), pygame.SRCALPHA)
        layer.fill((0, 0, 0, shade))
        self.snapshot.blit(layer, (0, 0))

    @property
    def top(self):
        return self.stack[-1]

    def quit(self, status: int = 0) -> None:
        self.running = False
        self.status = status
        self.stop_watching()

    def stop_watching(self) -> None:
        """Stop live reload's file watcher (its threads end before this returns)."""
        if self._reloader is not None:
            self._reloader.stop()

    def _watch_open_file(self) -> None:
        """Live reload (reload.py): watch the file of an open briefing or scene and apply its saves.
        Imported only once one opens, so the title's first frame never waits for watchdog."""
        if self._reloader is None:
            if not any(screen.name in ("briefing", "scene") for screen in self.stack):
                return
            from .reload import Reloader
            self._reloader = Reloader(self)
        self._reloader.tick()

    # --- the loop ------------------------------------------------------------------------------
    def step(self, dt: float) -> None:
        """One frame: events, update, draw, flip. Tests call this with posted events and a fixed dt."""
        for event in pygame.event.get():
            self.dispatch(event)
            if not self.running:
                return
        if not self.stack:
            self.running = False
            return
        self._watch_open_file()
        self.top.update(dt)
        for name in ("caption", "notice"):
            banner = getattr(self, name)
            if banner is not None:
                banner.left -= dt
                if banner.left <= 0:
                    setattr(self, name, None)
        if self._voice is not None:
            self._voice.update()
        self.draw()
        self.frames += 1
        if not self._sound_ready and self.settings.sound and self.catalog is not None and self.catalog.ready:
            self._sound_ready = True  # once, on an idle frame after loading: the mixer and cues are ready
            self.sound.prepare()

    def abandon_all(self, why: str) -> None:
        """The window is closing before the sessions in it ended: every screen keeps its record."""
        for screen in self.stack:
            if hasattr(screen, "abandon"):
                screen.abandon(why)

    def dispatch(self, event: pygame.event.Event) -> None:
        console = self.console
        if console is not None and console.owns(event):
            console.handle(event)  # the operator console's window: its keys, typing and close button
            return
        if event.type == pygame.WINDOWCLOSE and console is not None and console.window is not None:
            event = pygame.event.Event(pygame.QUIT)  # the trainee's window closed: SDL quits only after the last
        if event.type == pygame.QUIT:
            self.abandon_all("window closed")
            self.quit(0)
            return
        if event.type == pygame.VIDEORESIZE and not self.settings.fullscreen:
            self.resize(event.w, event.h)
            return
        if event.type == pygame.KEYDOWN and event.key == pygame.K_F11:
            self.set_fullscreen(not self.settings.fullscreen)
            return
        if event.type == pygame.KEYDOWN and event.key == pygame.K_v and self._v_toggles(event):
            self.toggle_self_voicing()
            return
        if self.stack:
            self.top.handle(event)

    def _v_toggles(self, event) -> bool:
        """V toggles self-voicing anywhere, except while typing (a name may have a v in it)."""
        if event.mod & (pygame.KMOD_CTRL | pygame.KMOD_ALT | pygame.KMOD_META):
            return False
        from .widgets import TextField
        ring = getattr(self.top, "ring", None) if self.stack else None
        return not isinstance(getattr(ring, "current", None), TextField)

    def draw(self) -> None:
        top = self.top
        if top.overlay and self.snapshot is not None:
            self.surface.blit(self.snapshot, (0, 0))
        top.draw(self.surface)
        self._draw_banners(top)
        pygame.display.flip()
        if self.console is not None:
            self.console.draw_window()

    def banner_area(self, top) -> pygame.Rect:
        """Where banners go: the top screen's caption area, else a strip at the top of the window."""
        area = top.caption_area() if hasattr(top, "caption_area") else None
        if area is None:
            w, h = self.surface.get_size()
            area = pygame.Rect(0, self.theme.px(8), w, h // 3)
        return area

    def _draw_banners(self, top) -> None:
        """The announcement and the caption, one above the other, centred at the top of their area;
        their rectangle is kept in `caption_rect` (layout checks keep it off the controls)."""
        banners = [b for b in (self.notice, self.caption) if b is not None]
        if not banners:
            self.caption_rect = pygame.Rect(0, 0, 0, 0)
            return
        area = self.banner_area(top)
        y = area.top
        rects = []
        for banner in banners:
            if banner.image is None:
                banner.image = self._banner_image(banner.text, area.width)
            rect = banner.image.get_rect(midtop=(area.centerx, y))
            self.surface.blit(banner.image, rect)
            rects.append(rect)
            y = rect.bottom + self.theme.gap
        self.caption_rect = rects[0].unionall(rects[1:])

    def _banner_image(self, text: str, width: int) -> pygame.Surface:
        theme, pal = self.theme, self.theme.palette
        inner = max(40, min(width, theme.px(760)) - 2 * theme.pad)
        text_layout = layout(self.fonts, [Span(text, theme.body, pal.text, True)], inner)
        widest = max((line.get_width() for line, *_rest in text_layout.lines), default=0)
        image = pygame.Surface((widest + 2 * theme.pad, text_layout.height + theme.pad), pygame.SRCALPHA)
        rect = image.get_rect()
        pygame.draw.rect(image, pal.panel[:3] + (245,), rect, border_radius=theme.radius)
        pygame.draw.rect(image, pal.accent, rect, width=theme.border, border_radius=theme.radius)
        text_layout.draw(image, theme.pad, theme.pad // 2)
        return image

    def run(self) -> int:
        """Run frames until the window closes; Ctrl-C keeps every session's record, then propagates."""
        clock = pygame.time.Clock()
        announce = bool(os.environ.get("PARLEY_ANNOUNCE_READY"))  # tests: say when the loop runs
        try:
            while self.running:
                if announce and self.frames:
                    announce = False
                    print("parley: window ready", flush=True)
                dt = clock.tick(FPS) / 1000.0
                self.step(min(dt, 0.25))  # a stalled frame never skips a timer by more than a quarter second
        except KeyboardInterrupt:
            self.abandon_all("interrupted (Ctrl-C)")
            raise
        return self.status


class _Captured:
    keep = False


@contextlib.contextmanager
def _native_stderr_captured():
    """Hold back what native code (SDL, libwayland) writes to file descriptor 2 while displays are
    probed: with no display, libwayland prints "XDG_RUNTIME_DIR is invalid" before SDL moves on, and
    the user should read one line from us instead. Passed on unless the probe ends in NoDisplay."""
    captured = _Captured()
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real fd 2 (e.g. a GUI launcher): nothing to hold back
        yield captured
        return
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield captured
        except NoDisplay:
            raise  # our one line says what happened
        except BaseException:
            captured.keep = True  # something unexpected: SDL's own words may explain it
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            if captured.keep:
                held.seek(0)
                os.write(2, held.read())


def window_icon() -> pygame.Surface:
    """Two overlapping speech bubbles, drawn in code (the title art's motif), for the window and taskbar."""
    icon = pygame.Surface((64, 64), pygame.SRCALPHA)
    pygame.draw.rect(icon, (96, 196, 214), (4, 8, 38, 28), border_radius=10)
    pygame.draw.polygon(icon, (96, 196, 214), [(12, 34), (12, 46), (24, 34)])
    pygame.draw.rect(icon, (236, 240, 246), (22, 24, 38, 28), border_radius=10)
    pygame.draw.polygon(icon, (236, 240, 246), [(52, 50), (52, 60), (42, 50)])
    pygame.draw.rect(icon, (16, 24, 38), (22, 24, 38, 28), width=2, border_radius=10)
    return icon


def first_frame(surface: pygame.Surface, fonts: Fonts, theme: Theme) -> None:
    """The title drawn in code: on screen within milliseconds, before any SVG or scenario is loaded."""
    from .art import gradient
    gradient(surface, (12, 26, 48), (20, 70, 92))
    font = fonts.get(theme.title, True)
    text = font.render("Parley", True, (236, 240, 246))  # the name, never translated
    surface.blit(text, text.get_rect(center=(surface.get_width() // 2, round(surface.get_height() * 0.3))))
    pygame.display.flip()


def run_app(scenario_path=None, seed: int | None = None, size: tuple[int, int] | None = None,
            no_timers: bool = False, authored_order: bool = False, variants: dict | None = None,
            database_url: str | None = None, mode: str | None = None, instructor: str | None = None,
            console_window: bool = True, research=None) -> int:
    """Open the simulator window (optionally straight to one scenario) and run until it closes.
    `variants` maps scenario ids to the variant of who the people are to play (`parley play --variant`).
    `research(app)`, when given, makes a research participant's run (ui/research.py), which the
    window shows instead of the title.

    Raises NoDisplay, before anything is shown, when no display can show the window.
    """
    start = time.perf_counter()
    settings, warnings = load_settings()
    if settings.recent_trainees and not settings.remember_names:
        # Names stored before remembering them became a setting (off by default): forget them now.
        settings.recent_trainees = []
        save_settings(settings)
    try:
        app = App(settings, size=size, scenario_path=scenario_path, seed=seed, settings_warnings=warnings,
                  no_timers=no_timers, authored_order=authored_order, database_url=database_url,
                  instructor=instructor, console_window=console_window)
    except pygame.error as exc:
        pygame.quit()
        raise NoDisplay(_("cannot open a window ({why})").format(why=exc)) from exc
    app.variants.update(variants or {})
    if mode in MODES:
        app.mode = mode  # `parley play --mode`: the mode screen starts on it
    first_frame(app.surface, app.fonts, app.theme)
    bench = os.environ.get("PARLEY_FIRST_FRAME_EXIT")  # benchmarks/bench_ui.py: "1" or "title"
    if bench == "1":
        print(f"first-frame {time.time():.6f} {time.perf_counter() - start:.6f}")
        pygame.quit()
        return 0
    if research is not None:
        app.research = research(app)
        app.mode, app.trainee = "research", app.research.code
        app.research.next()
    else:
        app.push(app.flow.title())
    app.ensure_catalog()
    if bench == "title":
        app.step(0.0)
        print(f"title-frame {time.time():.6f} {time.perf_counter() - start:.6f}")
        pygame.quit()
        return 0
    for warning in warnings:
        print("parley: " + warning, file=sys.stderr)
    try:
        return app.run()
    finally:
        app.stop_watching()
        pygame.quit()
