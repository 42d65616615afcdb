"""Screenshot tour: every screen of the window at a given size, on a real X display (e.g. under Xvfb).

    Xvfb :99 -screen 0 3840x2160x24 &
    DISPLAY=:99 python benchmarks/screenshots.py --size 1280x720 --out benchmarks/out/shots
    DISPLAY=:99 python benchmarks/screenshots.py --size 1920x1080 --text-size largest --contrast
    DISPLAY=:99 python benchmarks/screenshots.py --interface-language es --text-size largest

The tour: title, quit confirmation, who is training, mode, settings, credits, library, briefing, the
scene (text appearing, choices, a second moment, a timer that ran out, a timed decision), pause,
workshop mode's vote and step-back prompt, the ending and every debrief page. The settings are written to a
settings.json in $PARLEY_CONFIG_DIR (default benchmarks/out/shots-config), which the window reads as
it would a user's. Each PNG is taken from the display with ImageMagick's `import` when available
(what a person would see), else from the window's own surface (named `-surface.png`).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PARLEY_CONFIG_DIR", str(ROOT / "benchmarks" / "out" / "shots-config"))
os.environ.setdefault("PARLEY_DATA_DIR", str(ROOT / "benchmarks" / "out" / "shots-data"))

import pygame  # noqa: E402

DT = 1 / 60


def write_settings(args, size: tuple[int, int]) -> None:
    """The tour's settings as a settings.json in the config folder (the window reads it on start)."""
    from simulator.paths import config_dir
    settings = {"text_size": args.text_size, "high_contrast": args.contrast, "window_size": list(size),
                "sound": False, "timers": "x1"}
    if args.interface_language:
        settings["interface_language"] = args.interface_language
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "settings.json").write_text(json.dumps(settings, indent=2), encoding="utf-8")


class Tour:
    """Drives one App with posted keys and saves what the display shows."""

    def __init__(self, app, out: Path, tag: str):
        self.app, self.out, self.tag = app, out, tag
        self.grab = shutil.which("import") and os.environ.get("DISPLAY")
        self.taken: list[Path] = []

    def frames(self, count: int) -> None:
        for _frame in range(count):
            self.app.step(DT)

    def key(self, k, times: int = 1) -> None:
        for _time in range(times):
            pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode="", scancode=0))
            pygame.event.post(pygame.event.Event(pygame.KEYUP, key=k, mod=0, unicode="", scancode=0))
            self.app.step(DT)
        if os.environ.get("PARLEY_TOUR_TRACE"):
            print("  key", pygame.key.name(k), "->", [screen.name for screen in self.app.stack])

    def text(self, value: str) -> None:
        pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=value))
        self.app.step(DT)

    def shot(self, name: str) -> None:
        self.frames(3)
        path = self.out / f"{self.tag}-{name}.png"
        window = None
        if self.grab and shutil.which("xdotool"):
            found = subprocess.run(["xdotool", "search", "--pid", str(os.getpid())], capture_output=True, text=True)
            window = found.stdout.split()[0] if found.stdout.split() else None
        if window:  # what the X server shows in Parley's window
            subprocess.run(["import", "-window", window, str(path)], check=True)
        else:
            path = path.with_name(path.stem + "-surface.png")  # named so nobody mistakes it for the display
            pygame.image.save(self.app.surface, str(path))
        self.taken.append(path)
        print(path, flush=True)


def scene_at(app, entry, node, mode: str, timeout: bool = False):
    """A scene pushed straight at `node` (reached only on some paths), its text shown."""
    from simulator.i18n import language
    from simulator.ui.screens.scene import SceneScreen
    app.mode = mode
    played_in = language() if language() in entry.scenario.languages else entry.scenario.language
    scene = SceneScreen(app, entry, played_in)
    app.push(scene)
    scene.session.state = scene.session.state._replace(at=node.index)
    if timeout:  # as if the previous decision's clock had run out
        import dataclasses
        real = scene.session.view
        scene.session.view = lambda: dataclasses.replace(real(), timeout="You hesitate, and the moment passes.")
    scene._new_moment()
    scene.build()
    scene.skip()
    return scene


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--text-size", default="medium", choices=("small", "medium", "large", "largest"))
    parser.add_argument("--contrast", action="store_true", help="high contrast")
    parser.add_argument("--interface-language", default=None, help="the interface's language (en, es)")
    parser.add_argument("--scenario", type=int, default=1, help="library card number to play")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "shots")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    write_settings(args, size)
    from simulator.ui.app import App
    from simulator.ui.screens.menus import TitleScreen
    from simulator.ui.settings import load_settings
    settings, warnings = load_settings()
    for warning in warnings:
        print("settings:", warning)
    app = App(settings, size=size, seed=11)
    app.push(TitleScreen(app))
    app.ensure_catalog().wait(60)
    args.out.mkdir(parents=True, exist_ok=True)
    tag = (f"{size[0]}x{size[1]}-{args.text_size}{'-contrast' if args.contrast else ''}"
           f"{'-' + args.interface_language if args.interface_language else ''}")
    t = Tour(app, args.out, tag)
    k = pygame

    t.shot("01-title")
    t.key(k.K_ESCAPE)
    t.shot("02-quit-confirmation")
    t.key(k.K_ESCAPE)  # stay
    t.key(k.K_2)
    t.shot("03-settings")
    t.key(k.K_ESCAPE)
    t.key(k.K_3)
    t.shot("04-credits")
    t.key(k.K_ESCAPE)
    t.key(k.K_1)  # Start training
    t.text("Jordan Lee")
    t.shot("05-trainee")
    t.key(k.K_RETURN)
    t.shot("06-mode")
    t.key(k.K_1)
    t.shot("07-library")
    t.key(getattr(k, f"K_{args.scenario}"))
    t.shot("08-library-chosen")
    t.key(k.K_RETURN)
    t.shot("09-briefing")
    while app.top.jobs:
        app.step(DT)
    t.key(k.K_1)
    t.frames(40)
    t.shot("10-scene-text-appearing")
    t.key(k.K_SPACE)
    t.shot("11-scene-choices")
    t.key(k.K_DOWN)
    t.key(k.K_1)
    t.key(k.K_SPACE)
    t.shot("12-scene-second")
    t.key(k.K_ESCAPE)
    t.shot("13-pause")
    t.key(k.K_ESCAPE)
    decisions = 0
    while app.top.name == "scene" and decisions < 60:
        t.key(k.K_SPACE)
        scene = app.top
        t.key(k.K_1 if decisions > 1 else getattr(k, f"K_{len(scene.view.choices)}"))
        decisions += 1
    t.shot("14-ending")
    app.top.wait(60)
    t.frames(60)  # past the ending's quiet time, in which keys are ignored
    t.shot("15-ending-ready")
    t.key(k.K_RETURN)
    from simulator.ui.screens.debrief import PAGES
    for page in range(len(PAGES)):
        t.shot(f"{16 + page:02d}-debrief-page{page + 1}")
        t.key(k.K_RIGHT)
    t.key(k.K_ESCAPE)  # to the library
    # moments reached only on some paths, shown directly
    entries = [e for e in app.catalog.entries if e.ok]
    entry = next(e for e in entries if any(n.timer for n in e.scenario.nodes))
    timed = next(n for n in entry.scenario.nodes if n.timer is not None)
    scene = scene_at(app, entry, timed, "in-service")
    t.frames(150)
    t.shot("30-scene-timed-in-service")
    app.pop()
    busiest = max((n for e in entries for n in e.scenario.nodes), key=lambda n: len(n.present))
    owner = next(e for e in entries if busiest in e.scenario.nodes)
    scene_at(app, owner, busiest, "academy", timeout=True)
    t.shot("31-scene-after-a-timeout")
    app.pop()
    placed = [(e, n) for e in entries for n in e.scenario.nodes
              if any(s.where != "here" for s in n.staging.values())]
    for i, (e, n) in enumerate(placed[:2]):
        scene_at(app, e, n, "academy")
        t.shot(f"{32 + i}-scene-{n.id}")
        app.pop()
    scene = scene_at(app, entries[0], entries[0].scenario.nodes[entries[0].scenario.start], "workshop")
    scene.choose(scene.view.choices[0].id)  # the room votes first (screens/workshop.py)
    t.key(k.K_1)
    t.key(k.K_1)
    t.key(k.K_2)
    t.shot("34-workshop-vote")
    t.key(k.K_RETURN)
    t.key(k.K_SPACE)
    t.key(k.K_BACKSPACE)
    t.text("To try the written note")
    t.shot("35-workshop-step-back")
    t.key(k.K_RETURN)
    t.shot("36-workshop-after-step-back")
    from simulator import i18n
    print("interface language:", i18n.language())
    print("audit problems:", app.audit.problems)
    pygame.quit()


if __name__ == "__main__":
    main()
