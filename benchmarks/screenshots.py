"""Screenshot tour: every screen of the window at a given size, on a real X display (e.g. under Xvfb).

    Xvfb :99 -screen 0 3840x2160x24 &
    DISPLAY=:99 python benchmarks/screenshots.py --size 1280x720 --out benchmarks/out/shots
    DISPLAY=:99 python benchmarks/screenshots.py --size 1920x1080 --text-size largest --contrast

Each PNG is taken twice: from the display with ImageMagick's `import -window root` when available
(what a person would see), else from the window's own surface.
"""
from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--text-size", default="medium")
    parser.add_argument("--contrast", action="store_true")
    parser.add_argument("--scenario", type=int, default=1, help="library card number to play")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "shots")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    from simulator.ui.app import App
    from simulator.ui.screens.menus import TitleScreen
    from simulator.ui.settings import Settings
    app = App(Settings(text_size=args.text_size, high_contrast=args.contrast), size=size, seed=11)
    app.push(TitleScreen(app))
    app.ensure_catalog().wait(60)
    args.out.mkdir(parents=True, exist_ok=True)
    tag = f"{size[0]}x{size[1]}-{args.text_size}{'-contrast' if args.contrast else ''}"
    grab = shutil.which("import") and os.environ.get("DISPLAY")

    def shot(name: str) -> None:
        for _ in range(3):
            app.step(DT)
        path = args.out / f"{tag}-{name}.png"
        window = None
        if grab and shutil.which("xdotool"):
            found = subprocess.run(["xdotool", "search", "--pid", str(os.getpid())], capture_output=True, text=True)
            window = found.stdout.split()[0] if found.stdout.split() else None
        if window:  # what the X server shows in Parley's window
            subprocess.run(["import", "-window", window, str(path)], check=True)
        else:
            path = path.with_name(path.stem + "-surface.png")  # named so nobody mistakes it for the display
            pygame.image.save(app.surface, str(path))
        print(path)

    def key(k, times=1):
        for _ in range(times):
            pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode="", scancode=0))
            app.step(DT)

    shot("01-title")
    key(pygame.K_RETURN)
    pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text="Jordan Lee"))
    shot("02-trainee")
    key(pygame.K_RETURN)
    shot("03-mode")
    key(pygame.K_1)
    shot("04-library")
    key(getattr(pygame, f"K_{args.scenario}"))
    shot("05-library-chosen")
    key(pygame.K_RETURN)
    shot("06-briefing")
    while app.top.jobs:
        app.step(DT)
    key(pygame.K_1)
    for _ in range(40):
        app.step(DT)
    shot("07-scene-text-appearing")
    key(pygame.K_SPACE)
    shot("08-scene-choices")
    key(pygame.K_DOWN)
    key(pygame.K_1)
    key(pygame.K_SPACE)
    shot("09-scene-second")
    key(pygame.K_ESCAPE)
    shot("10-pause")
    key(pygame.K_3)
    shot("11-settings")
    key(pygame.K_ESCAPE)
    key(pygame.K_ESCAPE)
    decisions = 0
    timed_shot = False
    while app.top.name == "scene" and decisions < 60:
        key(pygame.K_SPACE)
        scene = app.top
        if scene.timer_left is not None and not timed_shot:
            for _ in range(90):
                app.step(DT)
            shot("12-scene-timer")
            timed_shot = True
        key(pygame.K_1 if decisions > 1 else getattr(pygame, f"K_{len(scene.view.choices)}"))
        decisions += 1
    shot("13-ending")
    app.top.wait(60)
    shot("14-ending-ready")
    key(pygame.K_RETURN)
    from simulator.ui.screens.debrief import PAGES
    for page in range(len(PAGES)):
        shot(f"{15 + page}-debrief-page{page + 1}")
        key(pygame.K_RIGHT)
    key(pygame.K_ESCAPE)
    key(pygame.K_ESCAPE)
    key(pygame.K_3)
    shot("22-credits")
    # a timed decision (reached only on some paths), shown directly
    from simulator.ui.screens.scene import SceneScreen
    entry = next(e for e in app.catalog.entries if e.ok and any(n.timer for n in e.scenario.nodes))
    timed = next(n for n in entry.scenario.nodes if n.timer is not None)
    app.mode = "in-service"
    scene = SceneScreen(app, entry, entry.scenario.language)
    app.push(scene)
    scene.session.state = scene.session.state._replace(at=timed.index)
    scene._new_moment()
    scene.build()
    scene.skip()
    for _ in range(150):
        app.step(DT)
    shot("12-scene-timer-in-service")
    print("audit problems:", app.audit.problems)
    pygame.quit()


if __name__ == "__main__":
    main()
