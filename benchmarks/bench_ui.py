"""Window benchmark: frame times of real screens at 1920x1080, the scene's at 3840x2160 too, and process
start to the first title frame, checked against the targets below.

Runs under SDL's dummy video driver (no GPU, no compositor: it measures Parley's own drawing).

    python benchmarks/bench_ui.py                 # frames, 4K scene frames, then 7 process starts
    python benchmarks/bench_ui.py --frames 1200 --runs 11
    python benchmarks/bench_ui.py --size 3840x2160 --runs 0   # every screen at 4K, no process starts
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PARLEY_CONFIG_DIR", str(ROOT / "benchmarks" / "out" / "config"))
os.environ.setdefault("PARLEY_DATA_DIR", str(ROOT / "benchmarks" / "out" / "data"))

SIZE = (1920, 1080)
UHD = (3840, 2160)
DT = 1 / 60
SCENE_P99_TARGET_MS = 4.0  # the scene's frame while choosing, at 1920x1080
FIRST_FRAME_TARGET_MS = 300.0  # process start to the first frame (median)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def time_frames(app, frames: int) -> list[float]:
    """Milliseconds per app.step (events, update, draw, flip), after 10 warm-up frames."""
    for _ in range(10):
        app.step(DT)
    times = []
    for _ in range(frames):
        start = time.perf_counter()
        app.step(DT)
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(label: str, times: list[float]) -> None:
    print(f"  {label:<44} mean {statistics.fmean(times):6.3f} ms   median {statistics.median(times):6.3f}   "
          f"p99 {percentile(times, 99):6.3f}   max {max(times):6.3f}   ({len(times)} frames)")


def frame_benchmark(frames: int, size: tuple[int, int] = SIZE) -> list[float]:
    """Time each screen; returns the scene's frame times while choosing (compared with the peer)."""
    from simulator.content.loader import bundled_scenarios
    from simulator.ui.app import App
    from simulator.ui.screens.briefing import BriefingScreen
    from simulator.ui.screens.debrief import DebriefScreen
    from simulator.ui.screens.ending import EndingScreen
    from simulator.ui.screens.menus import TitleScreen
    from simulator.ui.screens.scene import SceneScreen
    from simulator.ui.settings import Settings

    app = App(Settings(), size=size, seed=1)
    app.push(TitleScreen(app))
    catalog = app.ensure_catalog()
    catalog.wait(60)
    print(f"Frame times at {size[0]}x{size[1]}, dummy video driver, sound off:")
    app.settings.sound = False
    report("title screen", time_frames(app, frames))
    entry = next(e for e in catalog.entries if e.path == bundled_scenarios()[1])  # the Deaf driver: timers
    sc = entry.scenario
    briefing = BriefingScreen(app, entry, sc.language)
    app.push(briefing)
    while briefing.jobs:  # the art the scene will need, loaded one image per frame
        app.step(DT)
    briefing.begin()
    scene = app.top
    reading, choosing, timed = scene_frames(app, scene, frames)
    report(f"scene '{timed.id}', text appearing", reading)
    report(f"scene '{timed.id}', choosing, timer running", choosing)
    from simulator.engine.session import Session
    session = scene.session = Session(sc, seed=1)  # a whole playthrough: grading checks that the log replays
    while not session.ended:
        session.choose(session.view().choices[0].id)
    ending = EndingScreen(app, scene)
    app.replace_top(ending)
    ending.wait(60)
    report("ending", time_frames(app, frames))
    debrief = DebriefScreen(app, scene, ending.report)
    app.replace_top(debrief)
    debrief.page = 1
    debrief.build()
    report("debrief page 2 (chart)", time_frames(app, frames))
    build = []
    for page in range(7):
        start = time.perf_counter()
        debrief.page = page
        debrief.build()
        build.append((time.perf_counter() - start) * 1000)
    print(f"  debrief page turn (layout, once per page): median {statistics.median(build):.1f} ms, "
          f"max {max(build):.1f} ms")
    moves = []
    scene2 = SceneScreen(app, entry, sc.language)
    app.replace_top(scene2)
    for node in sc.nodes:
        start = time.perf_counter()
        scene2.session.state = scene2.session.state._replace(at=node.index)
        scene2._new_moment()
        scene2.build()
        scene2.draw(app.surface)  # includes flattening the still parts into one surface
        moves.append((time.perf_counter() - start) * 1000)
    print(f"  scene change (layout and first draw of a new moment, once per decision): median {statistics.median(moves):.1f} ms, "
          f"max {max(moves):.1f} ms over {len(moves)} nodes")
    return choosing


def scene_frames(app, scene, frames: int):
    """(text appearing, choosing) frame times of `scene` at its busiest timed moment, and that node."""
    sc = scene.scenario
    timed = max((n for n in sc.nodes if n.timer is not None), key=lambda n: len(n.present))
    scene.session.state = scene.session.state._replace(at=timed.index)
    scene.session.options = scene.session.options.__class__(timers=True, timer_scale=1000.0)
    scene._new_moment()
    scene.build()
    scene.phase, scene.reveal = "reading", 0.0
    reading = []
    for _frame in range(10):
        app.step(DT)
    while scene.phase == "reading" and len(reading) < frames:
        start = time.perf_counter()
        app.step(DT)
        reading.append((time.perf_counter() - start) * 1000)
    scene.skip()
    return reading, time_frames(app, frames), timed


def scene_app(size: tuple[int, int], mode: str = "academy", **options):
    """An app at `size` in `mode` on the Deaf-driver scenario's scene (art preloaded); returns (app, scene).
    `options` go to App (console_window for instructor-operated mode)."""
    from simulator.content.loader import bundled_scenarios
    from simulator.ui.app import App
    from simulator.ui.screens.briefing import BriefingScreen
    from simulator.ui.screens.menus import TitleScreen
    from simulator.ui.settings import Settings

    app = App(Settings(sound=False), size=size, seed=1, **options)
    app.mode = mode
    app.push(TitleScreen(app))
    catalog = app.ensure_catalog()
    catalog.wait(60)
    entry = next(e for e in catalog.entries if e.path == bundled_scenarios()[1])
    briefing = BriefingScreen(app, entry, entry.scenario.language)
    app.push(briefing)
    while briefing.jobs:
        app.step(DT)
    briefing.begin()
    return app, app.top


def uhd_scene_benchmark(frames: int) -> list[float]:
    """The scene's frame times at 3840x2160 (a 4K projector or screen); returns the choosing frames."""
    app, scene = scene_app(UHD)
    reading, choosing, timed = scene_frames(app, scene, frames)
    print(f"Scene frame times at {UHD[0]}x{UHD[1]}, dummy video driver, sound off:")
    report(f"scene '{timed.id}', text appearing", reading)
    report(f"scene '{timed.id}', choosing, timer running", choosing)
    return choosing


def operated_benchmark(frames: int, size: tuple[int, int] = SIZE) -> dict:
    """The same timed scene in instructor-operated mode (docs/classroom.md): the trainee's window with the
    operator console as a Tab panel over it, and with the console in a second window (both drawn and
    flipped every frame); returns {label: choosing frame times}."""
    out = {}
    for label, second_window in (("operated, console panel over the scene", False),
                                 ("operated, console in a second window", True)):
        app, scene = scene_app(size, "operated", console_window=second_window)
        _reading, choosing, _timed = scene_frames(app, scene, frames)
        out[label] = choosing
        scene.close_console()
    return out


def peer_frames(frames: int) -> list[float]:
    """The peer: a bare pygame-ce dialogue frame with no Parley code (background, two translucent
    panels, 14 pre-rendered lines, four button rectangles), timed the same way."""
    import pygame
    screen = pygame.display.set_mode(SIZE)
    bg = pygame.image.load_sized_svg(str(ROOT / "assets/backgrounds/roadside-dusk.svg"), SIZE).convert()
    panel = pygame.Surface((1100, 500), pygame.SRCALPHA)
    panel.fill((14, 22, 36, 226))
    side = pygame.Surface((700, 900), pygame.SRCALPHA)
    side.fill((14, 22, 36, 226))
    font = pygame.font.Font(str(ROOT / "assets/fonts/DejaVuSans.ttf"), 28)
    lines = [font.render(f"A line of dialogue text for the bare comparison frame {i}", True, (230, 230, 230))
             for i in range(14)]
    times = []
    for n in range(frames + 10):
        start = time.perf_counter()
        pygame.event.pump()
        screen.blit(bg, (0, 0))
        screen.blit(panel, (30, 550))
        screen.blit(side, (1190, 150))
        for i, line in enumerate(lines):
            screen.blit(line, (50, 570 + i * 34) if i < 12 else (1210, 170 + i * 40))
        for i in range(4):
            pygame.draw.rect(screen, (34, 52, 78), (1210, 300 + i * 140, 660, 120), border_radius=8)
        pygame.display.flip()
        if n >= 10:
            times.append((time.perf_counter() - start) * 1000)
    return times


def _peer_first_frame() -> None:
    """Child process: a bare pygame-ce program's first frame (the startup peer)."""
    os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"
    import pygame
    pygame.display.init()
    pygame.font.init()
    screen = pygame.display.set_mode(SIZE)
    screen.fill((20, 30, 40))
    font = pygame.font.Font(str(ROOT / "assets/fonts/DejaVuSans-Bold.ttf"), 96)
    screen.blit(font.render("Parley", True, (255, 255, 255)), (100, 100))
    pygame.display.flip()
    print(f"peer {time.time():.6f}")


def startup_benchmark(runs: int) -> float:
    """Wall time from launching `python main.py` to the first frame on screen (and to the title's art);
    returns the median to the first frame."""
    env = dict(os.environ)
    results = {"1": [], "title": [], "peer": []}
    for _ in range(runs):
        env.pop("PARLEY_FIRST_FRAME_EXIT", None)
        start = time.time()
        out = subprocess.run([sys.executable, __file__, "--peer-child"], env=env, capture_output=True, text=True,
                             cwd=ROOT, check=True).stdout
        results["peer"].append((float(out.split()[1]) - start) * 1000)
        for mode in ("1", "title"):
            env["PARLEY_FIRST_FRAME_EXIT"] = mode
            start = time.time()
            out = subprocess.run([sys.executable, str(ROOT / "main.py")], env=env, capture_output=True, text=True,
                                 cwd=ROOT, check=True).stdout
            stamp = float(out.split()[1])
            results[mode].append((stamp - start) * 1000)
    print(f"Process start (python main.py) to first frame, {runs} runs:")
    print(f"  first frame (title drawn in code)   median {statistics.median(results['1']):6.1f} ms   "
          f"min {min(results['1']):6.1f}   max {max(results['1']):6.1f}")
    print(f"  title screen with its art           median {statistics.median(results['title']):6.1f} ms   "
          f"min {min(results['title']):6.1f}   max {max(results['title']):6.1f}")
    peer = statistics.median(results["peer"])
    print(f"  peer: bare pygame-ce first frame    median {peer:6.1f} ms   "
          f"(Parley's first frame = {statistics.median(results['1']) / peer:.2f}x the peer)")
    return statistics.median(results["1"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=600)
    parser.add_argument("--runs", type=int, default=7, help="process starts to time (0 skips them)")
    parser.add_argument("--size", default=f"{SIZE[0]}x{SIZE[1]}")
    parser.add_argument("--peer-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peer_child:
        _peer_first_frame()
        return
    size = tuple(int(v) for v in args.size.split("x"))
    scene = frame_benchmark(args.frames, size)
    peer = peer_frames(args.frames)
    report("peer: bare pygame-ce dialogue frame", peer)
    print(f"  scene (choosing) / peer: mean {statistics.fmean(scene) / statistics.fmean(peer):.2f}x, "
          f"p99 {percentile(scene, 99) / percentile(peer, 99):.2f}x")
    print(f"Instructor-operated mode at {size[0]}x{size[1]} (the same scene and moment, choosing):")
    for label, times in operated_benchmark(args.frames, size).items():
        report(label, times)
        print(f"    / the scene in academy mode: median {statistics.median(times) / statistics.median(scene):.2f}x, "
              f"p99 {percentile(times, 99) / percentile(scene, 99):.2f}x")
    if size != UHD:
        uhd_scene_benchmark(args.frames)
    verdicts = []
    if size == SIZE:
        p99 = percentile(scene, 99)
        verdicts.append(f"scene p99 at 1920x1080 {p99:.2f} ms (target <= {SCENE_P99_TARGET_MS:g} ms): "
                        f"{'met' if p99 <= SCENE_P99_TARGET_MS else 'MISSED'}")
    if args.runs:
        first = startup_benchmark(args.runs)
        verdicts.append(f"first frame {first:.1f} ms (target <= {FIRST_FRAME_TARGET_MS:g} ms): "
                        f"{'met' if first <= FIRST_FRAME_TARGET_MS else 'MISSED'}")
    for verdict in verdicts:
        print("Target:", verdict)


if __name__ == "__main__":
    main()
