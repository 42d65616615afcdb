"""Window benchmark: frame times of real screens at 1920x1080 and process start to the first title frame.

Runs under SDL's dummy video driver (no GPU, no compositor: it measures Parley's own drawing).

    python benchmarks/bench_ui.py                 # frames, then 7 process starts
    python benchmarks/bench_ui.py --frames 1200 --runs 11
    python benchmarks/bench_ui.py --size 3840x2160 --runs 0   # frames only, at 4K
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
DT = 1 / 60


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
    timed = next(n for n in sc.nodes if n.timer is not None and len(n.present) >= 2)
    scene.session.state = scene.session.state._replace(at=timed.index)
    scene.session.options = scene.session.options.__class__(timers=True, timer_scale=1000.0)
    scene._new_moment()
    scene.build()
    scene.phase, scene.reveal = "reading", 0.0
    reading = []
    for _ in range(10):
        app.step(DT)
    while scene.phase == "reading" and len(reading) < frames:
        start = time.perf_counter()
        app.step(DT)
        reading.append((time.perf_counter() - start) * 1000)
    report(f"scene '{timed.id}', text appearing", reading)
    scene.skip()
    choosing = time_frames(app, frames)
    report(f"scene '{timed.id}', choosing, timer running", choosing)
    session = scene.session
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


def startup_benchmark(runs: int) -> None:
    """Wall time from launching `python main.py` to the first frame on screen (and to the title's art)."""
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
    scene = frame_benchmark(args.frames, tuple(int(v) for v in args.size.split("x")))
    peer = peer_frames(args.frames)
    report("peer: bare pygame-ce dialogue frame", peer)
    print(f"  scene (choosing) / peer: mean {statistics.fmean(scene) / statistics.fmean(peer):.2f}x, "
          f"p99 {percentile(scene, 99) / percentile(peer, 99):.2f}x")
    if args.runs:
        startup_benchmark(args.runs)


if __name__ == "__main__":
    main()
