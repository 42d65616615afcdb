"""Golden transcripts: fixed text-mode playthroughs of the shipped scenarios, compared exactly.

Regenerate after an intended change with:  PARLEY_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
then read the diff before committing it.
"""
import io
import os
from pathlib import Path

import pytest

from simulator.cli.textmode import TextPlayer
from simulator.engine.session import Session, SessionOptions

from .conftest import ROOT, load_ok

GOLDEN = Path(__file__).resolve().parent / "golden"

PLAYTHROUGHS = {
    # name: (scenario, seed, choice ids in order, expected ending)
    "deaf-best": ("deaf-driver-traffic-stop", 1,
                  ["stop-run-plate", "plate-brief-sam", "approach-visible", "contact-ask-preference", "pref-write",
                   "notes-ask-side", "explains-acknowledge", "papers-take-and-write", "check-warning", "warn-write"],
                  "written-warning"),
    "deaf-worst": ("deaf-driver-traffic-stop", 1,
                   ["stop-run-plate", "plate-dismiss-flag", "approach-call-out", "noresp-repeat-louder", "shout-join",
                    "reach-draw-taser", "taser-order-out", "out-pull", "takedown-cuff", "wrist-stay-cuffed"],
                   None),
    "collision-best": ("collision-limited-english", 1,
                       ["arrival-assign-roles", "kyle-ask-what-yes", "minh-open-question", "revealed-phone-line",
                        "online-speak-to-minh", "account-paraphrase", "pain-call-ems", "ems-finish-with-line"], "ems-check"),
    "collision-worst": ("collision-limited-english", 5,
                        ["arrival-straight-to-minh", "minh-papers", "walks-grab-arm", "grabbed-pin", "held-cuff",
                         "cuffed-straight-in"], "wrongful-arrest"),
}


class FixedClock:
    """Every decision takes exactly 4 seconds, so transcripts do not depend on the machine."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        self.now += 2.0
        return self.now


def numbers_for(scenario, seed, picks):
    """Turn choice ids into the numbers a trainee would type: options are shuffled per session, so
    the number of a choice comes from the order this seed shows (a playthrough is fixed by its ids)."""
    session = Session(scenario, seed=seed, options=SessionOptions(timers=False))
    typed = []
    for pick in picks:
        view = session.view()
        number = pick if isinstance(pick, int) else next(c.number for c in view.choices if c.id == pick)
        typed.append(number)
        session.choose(view.choices[number - 1].id)
    return typed, session


@pytest.mark.parametrize("name", sorted(PLAYTHROUGHS))
def test_golden_transcript(name):
    scenario_id, seed, picks, ending = PLAYTHROUGHS[name]
    scenario = load_ok(ROOT / "scenarios" / f"{scenario_id}.yaml")
    typed, dry = numbers_for(scenario, seed, picks)
    assert dry.ended, f"{name}: the fixed playthrough no longer reaches an ending"
    if ending:
        assert dry.view().ending.id == ending
    out = io.StringIO()
    session = Session(scenario, seed=seed, options=SessionOptions(timers=False))
    status = TextPlayer(session, io.StringIO("".join(f"{n}\n" for n in typed)), out, clock=FixedClock()).run()
    assert status == 0
    transcript = out.getvalue() + "\n--- event log ---\n" + session.log_json()
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("PARLEY_UPDATE_GOLDEN") or not path.exists():
        path.write_text(transcript, encoding="utf-8")
        if not os.environ.get("PARLEY_UPDATE_GOLDEN"):
            pytest.fail(f"{path.name} did not exist and was written; check it and commit it")
    assert transcript == path.read_text(encoding="utf-8")
