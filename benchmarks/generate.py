"""Deterministic generator of synthetic but valid Parley scenarios, for benchmarks and tests.

    python benchmarks/generate.py                 # writes benchmarks/out/synthetic-{100,1000,10000}.yaml
    python benchmarks/generate.py 250 3000 --seed 7

`generate(n_nodes, seed=0)` returns the YAML text. Same arguments, same bytes.

Shape (see benchmarks/README.md): `n_nodes` nodes in forward layers (widths 1, 3, 9, ... up to
about n/15, so a playthrough takes 10-20 decisions), 3 choices per node, every node reachable from
the start and able to reach one of 5 endings (nodes of the last layer lead to the endings), some
back edges so the graph is not a tree. Realistic text lengths (narrative ~300 characters, choice
~80, feedback ~150, behaviour ~100, perspective ~150), 1-3 technique tags per choice taken from the
real tag list in simulator/engine/behaviour.yaml (helpful and harmful mixed, so the escalation
rules fire), signed +1/-1 effects on some choices, two custom variables, satisfiable conditions on
about 20% of choices, weighted `outcomes` on about 10%, timers on about 5% of nodes, `reveals: true`
on about 3% of choices and a hidden factor. No portraits or backgrounds, so no asset files are
needed. The text is built as strings (no YAML emitter), in block style with flow lists for tags,
the way an author writes by hand.

Grading (docs/scoring.md): every node has a `label` and says what the person `shows`; every choice
and timer expiry has a `grade` that follows its tags: a harmful tag makes it a `mistake`, force
above what the node's `shows` allows (with this scenario's Graham factors: a minor offence, no
weapon) makes it `critical`, anything else is `good`. Every node has at least one good and one
poor option, one good option is never behind a condition, and options are arranged so that the
best one is neither systematically written first nor the longest (validate's `best-is-first` and
`best-is-longest` warnings).
"""
from __future__ import annotations

import argparse
import math
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT_DIR = HERE / "out"
DEFAULT_SIZES = (100, 1_000, 10_000)

# Technique tags grouped by polarity. Kept in step with simulator/engine/behaviour.yaml by
# tests/test_benchmark_generator.py (every tag used here must exist there).
HELPFUL = ("information-gathering", "threat-assessment", "create-distance", "use-cover", "tactical-pause",
           "open-question", "emotion-labelling", "paraphrasing", "mirroring", "summarising",
           "minimal-encourager", "effective-pause", "i-message", "single-clear-request", "offer-choices",
           "one-voice", "empathy", "rapport-building", "introduce-self", "reassurance", "explain-reason",
           "give-voice", "respect", "neutrality", "accommodate-communication", "qualified-interpreter",
           "telephone-interpreter", "check-understanding", "cultural-respect", "crisis-recognition",
           "call-specialist", "hold-scene", "coordinate-partner", "request-backup", "intervene")
HARMFUL = ("close-distance", "rush", "repeated-commands", "competing-commands", "shouting", "disrespect",
           "threaten", "dismiss", "touch-without-explanation", "child-interpreter", "family-interpreter",
           "ignore-communication-need", "treat-as-defiance", "treat-norm-as-threat", "assumption",
           "fail-to-intervene")
NEUTRAL = ("request",)
REVEAL_TAGS = ("check-understanding", "accommodate-communication", "information-gathering", "open-question")
FORCES = ("verbal", "soft-empty-hand", "hard-empty-hand")

# What the person shows at a node (simulator/engine/behaviour.yaml `behaviours`), with weights, and
# the highest force in proportion to each for this scenario's Graham factors (a minor offence, no
# weapon): scoring/default_rubric.yaml's proportionality table, kept in step by
# tests/test_benchmark_generator.py. A force choice above it is graded critical.
SHOWS = ("compliant", "not-responding", "pulling-away", "assaultive")
SHOWS_WEIGHTS = (4, 4, 2, 1)
FORCE_RANK = {"presence": 0, "verbal": 1, "soft-empty-hand": 2, "hard-empty-hand": 3, "less-lethal": 4, "lethal": 5}
ALLOWED_FORCE = {"compliant": "verbal", "not-responding": "verbal", "pulling-away": "soft-empty-hand",
                 "assaultive": "less-lethal"}
# The best option is written first, or is the longest, at no more than this share of the nodes.
TELL_SHARE = 0.4

ENDINGS = (("end-resolved", "resolved", "Resolved with a warning"),
           ("end-referred", "referred", "Handed over to the crisis team"),
           ("end-arrest", "arrest", "An arrest that did not need to happen"),
           ("end-force", "force-used", "Force was used"),
           ("end-injury", "injury", "Someone was hurt"))

# Conditions, each with a test on the interval of values reachable at its node (see
# _Intervals). A condition is only written where that test passes, so the loader's dead-condition
# analysis (a sound over-approximation of the same intervals) never rejects it.
CONDITIONS = {
    "escalation <= 5": lambda e: e[0] <= 5,
    "rapport >= 0": lambda e: True,
    "notes_taken >= 0": lambda e: True,
    "escalation - rapport <= 5": lambda e: e[0] - e[3] <= 5,
    "rapport <= 4": lambda e: e[2] <= 4,
    "notes_taken <= 4": lambda e: e[4] <= 4,
    "not backup_called or rapport >= 0": lambda e: True,
    "escalation >= 2": lambda e: e[1] >= 2,
    "rapport >= 1": lambda e: e[3] >= 1,
    "escalation >= 1 and rapport < 4": lambda e: e[1] >= 1 and e[2] < 4,
    "escalation >= 3 or rapport >= 2": lambda e: e[1] >= 3 or e[3] >= 2,
}
OUTCOME_CONDITIONS = {
    "rapport <= 3": lambda e: e[2] <= 3,
    "escalation <= 4": lambda e: e[0] <= 4,
    "escalation >= 3 or rapport == 0": lambda e: e[1] >= 3 or e[2] == 0,
    "escalation >= 2": lambda e: e[1] >= 2,
    "rapport >= 1": lambda e: e[3] >= 1,
}
ALWAYS = ("rapport >= 0", "notes_taken >= 0", "not backup_called or rapport >= 0")
START_VALUES = (1, 1, 0, 0, 0, 0)  # escalation lo, hi; rapport lo, hi; notes_taken lo, hi
RANGES = ((0, 6), (0, 5), (0, 5))
CUSTOM_RULE = ({"shouting"}, [1], [0])  # the scenario's own rule below: shouting-unheard


class _Intervals:
    """The loader's interval analysis (simulator/content/checks.py), restricted to forward edges.

    Following fewer edges than the loader gives narrower intervals, so a condition that can hold
    here can hold for the loader too.
    """

    def __init__(self):
        from simulator.content.behaviour import default_model  # the loader's own reading of the model
        model = default_model()
        self.rise_bonus = model.recovery.rise_bonus
        self.rules = [(set(r.tags), [c.escalation for c in r.cases], [c.rapport for c in r.cases])
                      for r in model.rules]
        self.rules.append(CUSTOM_RULE)
        self.tags = set(model.tags)

    def step(self, env, tags, effects: dict):
        elo, ehi, rlo, rhi, nlo, nhi = env
        de, dr = [0, 0], [0, 0]
        tagset = set(tags)
        for rule_tags, esc, rap in self.rules:
            if tagset & rule_tags:
                de[0] += min(esc + [0]); de[1] += max(esc + [0])
                dr[0] += min(rap + [0]); dr[1] += max(rap + [0])
        if de[1] > 0:
            de[1] += self.rise_bonus
        elo, ehi, rlo, rhi = elo + de[0], ehi + de[1], rlo + dr[0], rhi + dr[1]
        for name, (relative, v) in effects.items():
            if name == "escalation":
                elo, ehi = elo + v, ehi + v + (self.rise_bonus if v > 0 else 0)
            elif name == "rapport":
                rlo, rhi = rlo + v, rhi + v
            elif name == "notes_taken":
                nlo, nhi = (nlo + v, nhi + v) if relative else (v, v)
        out = []
        for (lo, hi), (rmin, rmax) in zip(((elo, ehi), (rlo, rhi), (nlo, nhi)), RANGES):
            out += [min(max(lo, rmin), rmax), min(max(hi, rmin), rmax)]
        return tuple(out)

    @staticmethod
    def merge(old, new):
        if old is None:
            return new
        return tuple(min(a, b) if k % 2 == 0 else max(a, b) for k, (a, b) in enumerate(zip(old, new)))


_SUBJECTS = ("The man", "The woman", "The driver", "The caller", "Her brother", "The neighbour",
             "The teenager", "The shop owner", "Your partner", "A bystander")
_VERBS = ("glances at", "steps back from", "points toward", "stares at", "turns away from", "waves at",
          "keeps one hand on", "looks past", "edges closer to", "talks over")
_OBJECTS = ("the open car door", "the phone in his hand", "the crowd by the bus stop", "your partner",
            "the flashing lights", "the shopping bags", "the apartment doorway", "the radio on your vest",
            "the kerb", "a folded letter")
_CLAUSES = ("while the rain picks up", "without saying a word", "as a siren passes two streets away",
            "and repeats the same question", "and you cannot tell whether he heard you",
            "as a neighbour starts filming", "while the dog in the back seat barks",
            "and his voice rises", "and her hands stay visible", "and the conversation stalls")
_LINES = ("I already told the other officer everything.", "Why are you stopping me? I did nothing.",
          "Can you just tell me what is going on?", "Please, I need to get home to my kids.",
          "Do not touch me. I mean it.", "I cannot understand what you are saying.",
          "Nobody listens, nobody ever listens.", "Okay. Okay. What do you need from me?")
_ACTIONS_HELP = ("Ask what happened, in their own words", "Name what you see: they look frightened",
                 "Step back and give them room", "Explain why you stopped them and what comes next",
                 "Offer a notepad and write your question down", "Agree with your partner that you do the talking",
                 "Sum up what you have heard so far", "Wait and let the silence do the work",
                 "Tell them your name and why you are here", "Call the crisis team and hold the scene")
_ACTIONS_HARM = ("Repeat the order, louder this time", "Move in and take hold of the arm",
                 "Tell them to stop now or they will be arrested", "Let the child translate for you",
                 "Give two orders at once over your partner", "Cut them off and finish the paperwork",
                 "Insist they stop stalling and answer now", "Reach for the bag without saying why")
_PLACES = ("By the open car door", "At the kerb", "On the front steps", "By the bus stop",
           "At the apartment door", "Beside the patrol car", "On the pavement", "In the shop doorway",
           "Under the streetlight", "By the parked van")
_WHY_HELP = ("Slowing down buys time and lowers the pressure on the person",
             "Being heard is the first step on the Behavioral Change Stairway",
             "Explaining what happens next turns a threat into a process they can follow",
             "Meeting the communication need removes a source of fear and confusion",
             "One clear voice is easier to follow under stress than several")
_WHY_HARM = ("Louder commands overload a stressed person and read as aggression",
             "Closing distance without need is felt as a threat and leaves you no time",
             "A threat may win compliance for a moment but destroys the trust built so far",
             "A child interpreter is neither neutral nor accurate, and it burdens the child",
             "Treating a difference as defiance turns a misunderstanding into a confrontation")
_FEELINGS = ("They feel cornered and unsure what you want", "They are tired, embarrassed and scared",
             "They think you have already decided against them", "They want to be treated as an adult",
             "They expected to be ignored again", "They are trying hard to keep their hands still")


def _sentence(rng: random.Random) -> str:
    return f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_CLAUSES)}."


def _text(rng: random.Random, target: int, parts) -> str:
    """Sentences drawn from `parts` (a callable or a tuple) until about `target` characters."""
    out: list[str] = []
    size = 0
    while size < target - 20:
        s = parts(rng) if callable(parts) else rng.choice(parts) + "."
        out.append(s)
        size += len(s) + 1
    return " ".join(out)


def _folded(text: str, indent: str, width: int = 96) -> str:
    """A `>-` folded block scalar wrapped at `width` columns, as an author would write prose."""
    lines, line = [], indent
    for word in text.split(" "):
        if len(line) + len(word) + 1 > width and line.strip():
            lines.append(line)
            line = indent
        line += (" " if line.strip() else "") + word
    lines.append(line)
    return ">-\n" + "\n".join(lines)


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _layers(n: int) -> list[int]:
    """Layer widths: 1, 3, 9, ... capped at about n/15; the last layer has at least 2 nodes (n >= 3),
    and no layer is more than 3 times as wide as the one before (so every node is reachable)."""
    cap = max(3, math.ceil(n / 15))
    widths, total, w = [], 0, 1
    while total < n:
        w2 = min(w, cap, n - total)
        widths.append(w2)
        total += w2
        w = min(w * 3, cap)
    if len(widths) > 2 and widths[-1] < 2:
        if widths[-2] > 2:  # one node from the layer before: each layer stays reachable from the last
            widths[-2] -= 1
            widths[-1] += 1
        else:
            tail = widths.pop()  # (not `widths[-2] += widths.pop()`, which indexes before it pops)
            widths[-1] += tail
    return widths


def _tags(rng: random.Random, lean: str) -> list[str]:
    k = rng.choice((1, 1, 2, 2, 3))
    if lean == "help":
        pool = list(rng.sample(HELPFUL, k))
    elif lean == "harm":
        pool = list(rng.sample(HARMFUL, k))
    else:  # mixed: a helpful and a harmful tag, sometimes a request
        pool = [rng.choice(HELPFUL), rng.choice(HARMFUL)]
        if k == 3:
            pool.append(rng.choice(NEUTRAL))
    return pool


def generate(n_nodes: int, seed: int = 0) -> str:
    """YAML text of a valid synthetic scenario with `n_nodes` nodes (at least 3: the last layer needs
    two nodes to lead to all five endings)."""
    if n_nodes < 3:
        raise ValueError("a synthetic scenario needs at least 3 nodes")
    rng = random.Random(f"parley-bench-{n_nodes}-{seed}")
    widths = _layers(n_nodes)
    starts = [0]
    for w in widths[:-1]:
        starts.append(starts[-1] + w)
    node_ids = [f"scene-{i:05d}" for i in range(n_nodes)]
    layer_of = [layer for layer, w in enumerate(widths) for _ in range(w)]
    last = len(widths) - 1

    # Forward edges: node p of layer L goes to (3p + k) mod w of layer L+1 for k = 0, 1, 2, which
    # reaches every node of the next layer; the last layer goes to the endings.
    targets: list[list[str]] = []
    indegree: dict[str, int] = {}
    for i in range(n_nodes):
        layer = layer_of[i]
        p = i - starts[layer]
        if layer == last:
            outs = [ENDINGS[(3 * p + k) % len(ENDINGS)][0] for k in range(3)]
        else:
            w = widths[layer + 1]
            outs = [node_ids[starts[layer + 1] + (3 * p + k) % w] for k in range(3)]
        for t in outs:
            indegree[t] = indegree.get(t, 0) + 1
        targets.append(outs)
    # Back edges (about 4% of choices): the third choice loops back one or two layers, when its
    # forward target keeps another way in. A few mid-graph choices end the scenario early.
    for i in range(n_nodes):
        layer = layer_of[i]
        if layer < 2 or layer == last:
            continue
        t = targets[i][2]
        roll = rng.random()
        if roll < 0.12 and indegree.get(t, 0) > 1:
            back = rng.choice((1, 2)) if layer >= 3 else 1
            bl = layer - back
            indegree[t] -= 1
            targets[i][2] = node_ids[starts[bl] + rng.randrange(widths[bl])]
        elif roll > 0.99 and indegree.get(t, 0) > 1:
            indegree[t] -= 1
            targets[i][2] = rng.choice(ENDINGS)[0]

    out: list[str] = []
    w = out.append
    w("# yaml-language-server: $schema=../../scenarios/scenario.schema.json\n")
    w(f"# Synthetic benchmark scenario: {n_nodes} nodes, seed {seed}. Generated by benchmarks/generate.py.\n")
    w("format: 1\n")
    w(f"id: synthetic-{n_nodes}-s{seed}\n")
    w('version: "1.0.0"\n')
    w(f'title: "Synthetic benchmark: {n_nodes} scenes"\n')
    w("summary: " + _folded(_text(rng, 200, _sentence), "  ") + "\n")
    w("audience: [recruit, in-service]\n")
    w("minutes: 20\n")
    w("topics: [benchmark, synthetic]\n")
    w("language: en\n")
    w("languages: [en]\n")
    w(f"location: {_q('Corner of Elm Street and Fifth, a busy residential street, 6:15 pm')}\n")
    w("dispatch: " + _folded(_text(rng, 300, _sentence), "  ") + "\n")
    w("learning_objectives:\n")
    w("  - id: listen-first\n    text: \"Listen before you ask for anything; rapport comes before influence.\"\n")
    w("  - id: one-voice\n    text: \"Keep one voice with your partner and one clear request at a time.\"\n")
    w('content_notes: ["Raised voices", "Threat of force on some paths"]\n')
    w('authors: [{name: "Parley benchmark generator", role: "synthetic"}]\n')
    w('reviewers: [{name: "Nobody: synthetic data", role: "benchmark"}]\n')
    w("\ncharacters:\n")
    w("  alex:\n    name: \"Alex Moreno\"\n    role: subject\n")
    w("    description: " + _folded(_text(rng, 150, _FEELINGS), "      ") + "\n")
    w("  jordan:\n    name: \"Officer Jordan Lee\"\n    role: partner\n")
    w("  sam:\n    name: \"Sam Moreno\"\n    role: bystander\n    description: \"Alex's younger brother, 14.\"\n")
    w("\nstate:\n  escalation: 1\n  rapport: 0\n")
    w("  hidden_factor:\n    id: hearing-loss\n    kind: deafness\n")
    w("    description: " + _folded(_text(rng, 160, _FEELINGS), "      ") + "\n")
    w("  variables:\n")
    w('    notes_taken: {initial: 0, min: 0, max: 5, description: "Written notes exchanged with Alex"}\n')
    w('    backup_called: {initial: 0, min: 0, max: 1, description: "1 once backup has been requested"}\n')
    w("\nbehaviour:\n  rules:\n    - id: shouting-unheard\n      tags: [shouting]\n      cases:\n")
    w('        - {when: "factor_revealed == 0", escalation: +1, why: "Alex cannot hear the words, only sees the anger."}\n')
    w("\ngraham:\n  offence: \"Disturbance reported by a neighbour\"\n  offence_severity: minor\n")
    w("  weapon: false\n  danger_to_others: false\n")
    w(f"\nstart: {node_ids[0]}\n\nnodes:\n")

    analysis = _Intervals()
    env_at: list = [None] * n_nodes  # reachable-value intervals per node, forward edges only
    env_at[0] = START_VALUES
    index = {nid: i for i, nid in enumerate(node_ids)}
    best_first = best_longest = 0  # nodes so far where a good option is written first / is the longest
    for i, nid in enumerate(node_ids):
        layer = layer_of[i]
        env = env_at[i]  # final: every forward edge into node i comes from a lower index
        shows = rng.choices(SHOWS, SHOWS_WEIGHTS)[0]
        w(f"  {nid}:\n")
        w(f"    label: {_q(f'{rng.choice(_PLACES)}, scene {i + 1}')}\n")
        w(f"    shows: {shows}\n")
        w("    present: [alex, jordan]\n" if i % 4 else "    present: [alex, jordan, sam]\n")
        w("    narrative: " + _folded(_text(rng, 300, _sentence), "      ") + "\n")
        if rng.random() < 0.3:
            w(f"    lines:\n      - {{speaker: alex, text: {_q(rng.choice(_LINES))}}}\n")
        w(f"    behaviour: {_q(_text(rng, 100, _sentence))}\n")
        w("    perspective: " + _folded(_text(rng, 150, _FEELINGS), "      ") + "\n")
        if rng.random() < 0.05:
            w(f"    timer:\n      seconds: {rng.choice((15, 20, 30))}\n      expire:\n")
            w(f"        id: {nid}-timeout\n        text: \"You hesitate too long.\"\n")
            w("        effects: {escalation: +1}\n        tags: [rush]\n        grade: mistake\n")
            w(f"        feedback: {_q(_text(rng, 150, _WHY_HARM))}\n")
            w(f"        next: {targets[i][0]}\n")
        w("    choices:\n")
        # The three options: leaning helpful (graded good) or harmful (a harmful tag: mistake, or
        # critical for disproportionate force), at least one of each, so every scene is a decision.
        leans = [rng.choices(("help", "harm", "mixed"), (5, 3, 2))[0] for _ in range(3)]
        if "help" not in leans:
            leans[rng.randrange(3)] = "help"
        elif all(lean == "help" for lean in leans):
            leans[rng.randrange(3)] = rng.choice(("harm", "mixed"))
        options = []
        for lean in leans:
            reveals = rng.random() < 0.03
            tags = _tags(rng, lean)
            if reveals and not any(t in REVEAL_TAGS for t in tags):
                if lean == "harm":
                    tags.append(rng.choice(REVEAL_TAGS))  # keeps its harmful tag
                else:
                    tags[0] = rng.choice(REVEAL_TAGS)
            tags = list(dict.fromkeys(tags))
            force = rng.choice(FORCES) if lean == "harm" and rng.random() < 0.05 else None
            if lean == "help":
                grade = "good"
            elif force is not None and FORCE_RANK[force] > FORCE_RANK[ALLOWED_FORCE[shows]]:
                grade = "critical"
            else:
                grade = "mistake"
            action = rng.choice(_ACTIONS_HARM if lean == "harm" else _ACTIONS_HELP)
            options.append({"lean": lean, "reveals": reveals, "tags": tags, "force": force, "grade": grade,
                            "action": action, "clause": rng.choice(_CLAUSES)})
        # Written order: a good option first at no more than TELL_SHARE of the nodes.
        if options[0]["grade"] == "good" and (rng.random() >= 0.5 or (best_first + 1) > TELL_SHARE * (i + 1)):
            j = next(j for j, o in enumerate(options) if o["grade"] != "good")
            options[0], options[j] = options[j], options[0]
        best_first += options[0]["grade"] == "good"
        # Lengths: a good option the longest at no more than TELL_SHARE of the nodes. The lists of
        # actions and clauses make this always possible: the longest good action with the shortest
        # clause is shorter than the shortest poor one with the longest clause.
        length = [len(o["action"]) + len(o["clause"]) for o in options]
        good_longest = any(o["grade"] == "good" and n == max(length) for o, n in zip(options, length))
        if good_longest and (rng.random() >= 0.5 or (best_longest + 1) > TELL_SHARE * (i + 1)):
            poor = max((j for j, o in enumerate(options) if o["grade"] != "good"), key=lambda j: len(options[j]["action"]))
            options[poor]["clause"] = max(_CLAUSES, key=len)
            for o in options:
                if o["grade"] == "good":
                    o["clause"] = rng.choice([c for c in _CLAUSES if len(o["action"]) + len(c)
                                              < len(options[poor]["action"]) + len(options[poor]["clause"])])
            length = [len(o["action"]) + len(o["clause"]) for o in options]
            good_longest = any(o["grade"] == "good" and n == max(length) for o, n in zip(options, length))
        best_longest += good_longest
        open_good = next(k for k, o in enumerate(options) if o["grade"] == "good")
        for k, (nxt, o) in enumerate(zip(targets[i], options)):
            lean, tags = o["lean"], o["tags"]
            cid = f"{nid}-{'abc'[k]}"
            w(f"      - id: {cid}\n")
            w(f"        text: {_q(o['action'] + ', ' + o['clause'] + '.')}\n")
            # Conditions on about 20% of choices, never on the first (a node always has one open)
            # nor on the node's first good option (good play can always go on).
            if k and k != open_good and rng.random() < 0.45:
                pool = [c for c, ok in CONDITIONS.items() if ok(env)] if env else list(ALWAYS)
                w(f"        condition: {_q(rng.choice(pool))}\n")
            effects: dict[str, tuple[bool, int]] = {}
            r = rng.random()
            if r < 0.12:
                effects["escalation"] = (True, 1 if lean != "help" else -1)
            elif r < 0.22:
                effects["rapport"] = (True, 1 if lean != "harm" else -1)
            if rng.random() < 0.06:
                effects["notes_taken"] = (True, 1)
            elif rng.random() < 0.01:
                effects["notes_taken"] = (False, 0)
            if "request-backup" in tags:
                effects["backup_called"] = (False, 1)
            if effects:
                text = ", ".join(f"{name}: {f'{v:+d}' if rel else f'={v}'}" for name, (rel, v) in effects.items())
                w(f"        effects: {{{text}}}\n")
            if env is not None and nxt in index and index[nxt] > i:
                t = index[nxt]
                env_at[t] = analysis.merge(env_at[t], analysis.step(env, tags, effects))
            w(f"        tags: [{', '.join(tags)}]\n")
            w(f"        grade: {o['grade']}\n")
            if o["force"]:
                w(f"        force: {o['force']}\n")
            if o["reveals"]:
                w("        reveals: true\n")
            why = _WHY_HARM if lean == "harm" else _WHY_HELP
            w(f"        feedback: {_q(_text(rng, 150, why))}\n")
            if rng.random() < 0.10:
                # Weighted reactions: the planned target plus another node of the same layer (or
                # another ending); the first outcome never has a condition.
                alts = [nxt]
                if nxt.startswith("end-"):
                    alts.append(rng.choice(ENDINGS)[0])
                else:
                    tl = layer_of[int(nxt[6:])]
                    alts.append(node_ids[starts[tl] + rng.randrange(widths[tl])])
                if rng.random() < 0.4 and not nxt.startswith("end-"):
                    alts.append(node_ids[starts[tl] + rng.randrange(widths[tl])])
                w("        outcomes:\n")
                for j, t in enumerate(alts):
                    parts = [f"weight: {rng.choice((1, 2, 3, 5))}", f"next: {t}"]
                    if j:
                        parts.append(f"text: {_q(rng.choice(_LINES))}")
                        if rng.random() < 0.5:
                            parts.append("effects: {escalation: +1}")
                        if rng.random() < 0.5:
                            pool = [c for c, ok in OUTCOME_CONDITIONS.items() if ok(env)] if env else list(ALWAYS)
                            parts.append(f"condition: {_q(rng.choice(pool))}")
                    w(f"          - {{{', '.join(parts)}}}\n")
            else:
                w(f"        next: {nxt}\n")

    w("\nendings:\n")
    for eid, outcome, title in ENDINGS:
        w(f"  {eid}:\n    outcome: {outcome}\n    title: {_q(title)}\n")
        w("    text: " + _folded(_text(rng, 300, _sentence), "      ") + "\n")
        w("    debrief: " + _folded(_text(rng, 300, _WHY_HELP + _WHY_HARM), "      ") + "\n")
        w("    perspective: " + _folded(_text(rng, 150, _FEELINGS), "      ") + "\n")
    return "".join(out)


def write(n_nodes: int, seed: int = 0, out_dir: Path = OUT_DIR) -> Path:
    """Write the scenario to `out_dir`/synthetic-N[-sSEED].yaml and return the path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / (f"synthetic-{n_nodes}.yaml" if seed == 0 else f"synthetic-{n_nodes}-s{seed}.yaml")
    path.write_text(generate(n_nodes, seed), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=list(DEFAULT_SIZES), help="node counts")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    for n in args.sizes:
        path = write(n, args.seed, args.out)
        size = path.stat().st_size
        note = "  (over the loader's 5 MB limit)" if size > 5 * 1024 * 1024 else ""
        print(f"{path}: {n} nodes, {size:,} bytes{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
