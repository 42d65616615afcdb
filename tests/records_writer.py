"""A child process for the kill test (tests/test_records_kill.py): plays sessions into a records database
and prints `ack <uid> <events>` after each write is committed, until it is killed."""
from __future__ import annotations

import random
import sys
from pathlib import Path


def main(url: str, seed: int) -> None:
    from simulator.content.loader import load_scenario
    from simulator.engine.session import Session
    from simulator.records.recorder import SessionRecorder
    from simulator.records.store import Store
    root = Path(__file__).resolve().parent.parent
    scenario = load_scenario(root / "scenarios" / "crisis-knife-parking-lot.yaml").scenario
    store = Store.open(url)
    rng = random.Random(seed)
    print("ready", flush=True)
    while True:
        session = Session(scenario, seed=rng.randrange(1 << 30))
        recorder = SessionRecorder(store, session, trainee=f"T{rng.randrange(5)}", mode="academy", source="k.yaml")
        assert recorder.uid is not None
        print("ack", recorder.uid, len(session.log), flush=True)
        while not session.ended:
            session.choose(rng.choice(session.presented()).id, elapsed=0.5)
            recorder.sync()
            if recorder.uid is None:
                raise SystemExit("the database failed")
            print("ack", recorder.uid, len(session.log), flush=True)
        recorder.finish()
        print("done", recorder.uid, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
