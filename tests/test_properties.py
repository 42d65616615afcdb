"""Property tests: random playthroughs end, save/restore/replay are exact, mangled YAML never crashes."""
import json
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.content.loader import load_scenario_bytes
from simulator.engine.session import Session, SessionOptions

from .conftest import FIXTURES, ROOT, bundled_paths, load_ok

SCENARIOS = {p.stem: load_ok(p) for p in bundled_paths()}
SCENARIOS["minimal"] = load_ok(FIXTURES / "minimal.yaml")
NAMES = sorted(SCENARIOS)
MAX_STEPS = 2000


def play(session: Session, picks: random.Random, timers: bool = True):
    """Play to an ending with random picks (sometimes letting a timer run out)."""
    steps = 0
    while not session.ended:
        steps += 1
        assert steps < MAX_STEPS, "a random playthrough did not end"
        choices = session.available()
        assert choices or session.timer_seconds() is not None, f"stuck at {session.view().node_id}"
        if timers and session.timer_seconds() is not None and picks.random() < 0.2:
            session.expire_timer()
        else:
            session.choose(picks.choice(choices).id, round(picks.uniform(0.5, 20), 3))
    return steps


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(NAMES), seed=st.integers(0, 2**32 - 1), pick_seed=st.integers(0, 2**32 - 1))
def test_random_playthroughs_end_at_an_ending(name, seed, pick_seed):
    session = Session(SCENARIOS[name], seed=seed)
    play(session, random.Random(pick_seed))
    assert session.log[-1]["type"] == "ending_reached"
    assert 0 <= session.escalation <= 6 and 0 <= session.rapport <= 5
    seqs = [e["seq"] for e in session.log]
    assert seqs == list(range(len(seqs)))
    json.dumps(session.log)  # serialisable


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(NAMES), seed=st.integers(0, 2**32 - 1), pick_seed=st.integers(0, 2**32 - 1),
       cut=st.floats(0, 1), undo=st.booleans())
def test_save_restore_at_any_step_is_exact(name, seed, pick_seed, cut, undo):
    scenario = SCENARIOS[name]
    options = SessionOptions(allow_undo=undo)
    full = Session(scenario, seed=seed, options=options)
    picks = random.Random(pick_seed)
    inputs = []
    while not full.ended and len(inputs) < MAX_STEPS:
        choices = full.available()
        if undo and full.state.steps and picks.random() < 0.1:
            full.undo()
            inputs.append(("undo", None))
        elif full.timer_seconds() is not None and picks.random() < 0.2:
            full.expire_timer()
            inputs.append(("timer", None))
        else:
            cid = picks.choice(choices).id
            full.choose(cid, 1.5)
            inputs.append(("choose", cid))
    stop = int(cut * len(inputs))
    first = Session(scenario, seed=seed, options=options)
    for kind, cid in inputs[:stop]:
        {"undo": lambda: first.undo(), "timer": lambda: first.expire_timer(),
         "choose": lambda: first.choose(cid, 1.5)}[kind]()
    restored = Session.restore(scenario, json.loads(json.dumps(first.save())))
    for kind, cid in inputs[stop:]:
        {"undo": lambda: restored.undo(), "timer": lambda: restored.expire_timer(),
         "choose": lambda: restored.choose(cid, 1.5)}[kind]()
    assert restored.log_json() == full.log_json()
    replayed = Session.replay(scenario, [json.loads(line) for line in full.log_json().splitlines()])
    assert replayed.state == full.state


def _mutations(text: str, rnd: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rnd.randint(1, 4)):
        op = rnd.randrange(7)
        i = rnd.randrange(len(lines))
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[rnd.randrange(len(lines))])
        elif op == 2 and lines[i]:
            j = rnd.randrange(len(lines[i]))
            lines[i] = lines[i][:j] + rnd.choice([":", "-", "[", "{", "'", '"', "&a ", "*a", "!!", "\t", "  ", "#", "ü"]) + lines[i][j + 1:]
        elif op == 3:
            lines[i] = " " + lines[i]
        elif op == 4:
            lines[i] = lines[i].lstrip()
        elif op == 5:
            lines[i] = lines[i].replace("next:", "next: nowhere-" if rnd.random() < .5 else "next:")
        else:
            lines[i] = lines[i][: rnd.randrange(len(lines[i]) + 1)]
    return "\n".join(lines)


SOURCES = {p.stem: p.read_text(encoding="utf-8") for p in bundled_paths()}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(SOURCES)), seed=st.integers(0, 2**32 - 1))
def test_mangled_scenarios_give_diagnostics_never_a_traceback(name, seed):
    text = _mutations(SOURCES[name], random.Random(seed))
    result = load_scenario_bytes(text.encode("utf-8"), f"{name}.yaml", asset_dirs=[ROOT / "assets"])
    if result.scenario is None:
        assert result.errors, "a rejected file must say why"
        for d in result.errors:
            assert d.line >= 0 and d.column >= 0 and d.message and d.file == f"{name}.yaml"
    else:  # still valid: it must also play
        play(Session(result.scenario, seed=seed), random.Random(seed))


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_the_loader(data):
    result = load_scenario_bytes(data, "junk.yaml")
    assert result.scenario is None and result.errors
