"""Per-scenario scoring context: the merged rubric compiled against one scenario, built once and cached."""
from __future__ import annotations

from dataclasses import dataclass, field

from simulator.engine.expressions import compile_expr, parse
from simulator.engine.model import BEHAVIOURS, GRADES, Choice, Scenario

from .rubric import Rubric, scenario_rubric

_CACHE: dict[tuple[int, int], tuple[Scenario, Rubric, "Context"]] = {}
_CACHE_SIZE = 16


@dataclass
class ForceCheck:
    """The proportionality verdict on one force choice in one state."""

    force: str
    rank: int
    shows: str  # what the person was doing at that node (one of BEHAVIOURS)
    allowed: str
    allowed_rank: int
    proportionate: bool
    lower: list  # ids of available choices using less force (non-force choices first)
    why: str
    lower_choices: tuple = ()  # the same, as Choice objects


@dataclass
class Context:
    """Everything grading needs that depends only on (scenario, rubric)."""

    scenario: Scenario
    rubric: Rubric
    comp_index: dict
    contributions: dict  # choice id -> tuple of (competency index, weight, tag)
    allowed: dict  # behaviour id -> highest force rank in proportion
    allowed_why: dict
    ranks: dict
    decision_errors: list  # (CriticalErrorDef, compiled when or None)
    memo: dict = field(default_factory=dict)  # caches shared by debrief and path search
    # behaviour id -> the Graham factors that moved its allowance, as (kind, value) pairs: ("severity",
    # (offence severity, lowers?)), ("weapon", weapon), ("no-danger", None); `allowed_why` in English,
    # scoring.grade in the interface language
    allowed_notes: dict = field(default_factory=dict)
    _tests: dict = field(default_factory=dict, repr=False)  # choice id -> the tests `state_key` runs
    _varies: dict = field(default_factory=dict, repr=False)  # choice id -> whether its grade depends on the state
    _grades: dict = field(default_factory=dict, repr=False)  # choice id -> its grade, where it never varies

    # -- what a decision's grading depends on -----------------------------------------------------
    def state_key(self, choice: Choice, pre: tuple) -> tuple:
        """The part of state `pre` that grading `choice` can depend on: whether each conditional
        option at its node is available (force alternatives, restraint) and whether the `when` of
        each critical error that could apply to it holds. Per-state results are memoised on this key,
        so their number is bounded by the scenario's graph, not by the states sessions visit."""
        tests = self._tests.get(choice.id)
        if tests is None:
            tests = self._tests[choice.id] = self._relevant_tests(choice)
        if not tests:
            return ()
        return tuple([bool(test(pre)) for test in tests])

    def _relevant_tests(self, choice: Choice) -> tuple:
        node = self.scenario.nodes[choice.node]
        tests = [c.test for c in node.choices if c.test is not None]
        tests += [test for ce, test in self.decision_errors
                  if test is not None and ce.check == "decision" and self._may_apply(ce, choice, node.id)]
        return tuple(tests)

    @staticmethod
    def _may_apply(ce, choice: Choice, node_id: str) -> bool:
        """Whether decision check `ce` can apply to `choice` at all (its `when` aside)."""
        if choice.id in ce.except_choices or node_id in ce.except_nodes:
            return False
        return choice.id in ce.choices or bool(set(choice.tags) & ce.tags)

    def grade_varies(self, choice: Choice) -> bool:
        """Whether the choice's effective grade depends on the state: only through the `when` of a
        critical error that could apply to it (a force verdict is the node's, not the state's)."""
        hit = self._varies.get(choice.id)
        if hit is None:
            node_id = self.scenario.nodes[choice.node].id
            hit = self._varies[choice.id] = any(
                test is not None and ce.check == "decision" and self._may_apply(ce, choice, node_id)
                for ce, test in self.decision_errors)
        return hit

    # -- proportionality -------------------------------------------------------------------------
    def force_check(self, choice: Choice, pre: tuple) -> ForceCheck | None:
        """Check a force choice against what the person was doing at its node (the node's `shows`,
        never their distress), the Graham factors, and the alternatives then available."""
        if choice.force is None:
            return None
        key = ("force", choice.id, self.state_key(choice, pre))
        hit = self.memo.get(key)
        if hit is not None:
            return hit
        sc = self.scenario
        node = sc.nodes[choice.node]
        shows = node.shows or "compliant"
        rank = self.ranks[choice.force]
        allowed_rank = self.allowed[shows]
        options = [c for c in node.choices if c.id != choice.id and (c.test is None or c.test(pre))]
        lower = sorted((c for c in options if (self.ranks[c.force] if c.force else -1) < rank
                        and c.grade in ("good", "acceptable")),
                       key=lambda c: (GRADES.index(c.grade), self.ranks[c.force] if c.force else -1, c.id))
        names = sc.behaviour.force_names
        allowed_name = next((f for f, r in self.ranks.items() if r == allowed_rank), "verbal")
        ok = rank <= allowed_rank
        doing = sc.behaviour.behaviour_names.get(shows, shows)
        try:
            who = sc.subject().name.get(sc.language, sc.language).split()[0]
        except StopIteration:
            who = "The person"
        verdict = "within" if ok else "beyond"
        why = (f"{who} was {doing[0].lower() + doing[1:]}; that allows at most {names[allowed_name].lower()}, "
               f"and {names[choice.force].lower()} is {verdict} it. {self.allowed_why[shows]}")
        check = ForceCheck(choice.force, rank, shows, allowed_name, allowed_rank, ok, [c.id for c in lower], why,
                           tuple(lower))
        self.memo[key] = check
        return check

    # -- critical errors -------------------------------------------------------------------------
    def decision_errors_for(self, choice: Choice, node_id: str, pre: tuple) -> list:
        """Critical-error definitions this decision triggers (force checks included)."""
        key = ("crit", choice.id, self.state_key(choice, pre))
        hit = self.memo.get(key)
        if hit is not None:
            return hit
        found = []
        tags = set(choice.tags)
        for ce, test in self.decision_errors:
            if ce.check == "decision":
                if choice.id in ce.except_choices or node_id in ce.except_nodes:
                    continue
                if not (choice.id in ce.choices or tags & ce.tags):
                    continue
                if test is not None and not test(pre):
                    continue
                found.append((ce, None))
            elif choice.force is not None:
                fc = self.force_check(choice, pre)
                if ce.check == "disproportionate-force" and not fc.proportionate:
                    found.append((ce, fc))
                elif (ce.check == "deadly-force-danger-to-self" and choice.force == "lethal"
                      and self.scenario.graham is not None and not self.scenario.graham.danger_to_others):
                    found.append((ce, fc))
        self.memo[key] = found
        return found

    def effective_grade(self, choice: Choice, pre: tuple) -> str:
        """The decision's grade: the scenario's, or critical when it triggers a critical error (a
        disproportionate force check or a critical error the rubric or scenario defines)."""
        hit = self._grades.get(choice.id)
        if hit is not None:
            return hit
        tier = ("critical" if self.decision_errors_for(choice, self.scenario.nodes[choice.node].id, pre)
                else choice.grade or "good")
        if not self.grade_varies(choice):
            self._grades[choice.id] = tier
        return tier

    def counts_against(self, choice: Choice) -> tuple:
        """Indexes of the competencies a decision graded below good counts against: the scenario's
        `against` list, else the competencies its harmful tags count against; force above officer
        presence always counts against proportionality."""
        hit = self.memo.get(("against", choice.id))
        if hit is not None:
            return hit
        found: list[int] = []
        if choice.against:
            found = [self.comp_index[c] for c in choice.against if c in self.comp_index]
        else:
            found = [i for i, w, _ in self.contributions[choice.id] if w < 0]
        prop = self.comp_index.get("proportionality")
        if choice.force not in (None, "presence") and prop is not None:
            found.append(prop)
        hit = self.memo[("against", choice.id)] = tuple(dict.fromkeys(found))
        return hit

    def ending_errors(self, ending_id: str) -> list:
        """Critical-error definitions triggered by reaching `ending_id`."""
        return [ce for ce, _ in self.decision_errors if ending_id in ce.endings]


def graham_notes_english(notes) -> str:
    """The Graham factors behind an allowance, as the English report has always said them."""
    words = []
    for kind, value in notes:
        if kind == "severity":
            severity, lowers = value
            words.append(f"the offense is {severity}" + (", which lowers it" if lowers else ", which raises it"))
        elif kind == "weapon":
            words.append(f"a weapon is involved ({value})")
        else:
            words.append("the person is no danger to anyone else")
    return "Graham factors: " + ("; ".join(words) if words else "no adjustment") + "."


def _allowed(scenario: Scenario, rubric: Rubric, ranks: dict) -> tuple[dict, dict, dict]:
    """Per behaviour: the highest force rank in proportion, the Graham factors that set it in English,
    and the same factors as (kind, value) notes."""
    prop = rubric.proportionality
    g = scenario.graham
    floor = ranks[prop["floor"]]
    severity_upto = BEHAVIOURS.index(prop["severity_applies_up_to"])
    weapon_from = BEHAVIOURS.index(prop["weapon_applies_from"])
    allowed, why, all_notes = {}, {}, {}
    for position, shows in enumerate(BEHAVIOURS):
        rank = ranks[prop["max_force_by_behaviour"][shows]]
        notes = []
        if g is not None:
            if position <= severity_upto:
                adj = prop["severity_adjust"].get(g.offence_severity, 0)
                if adj:
                    rank += adj
                    notes.append(("severity", (g.offence_severity, adj < 0)))
            if g.weapon and position >= weapon_from and prop["weapon_adjust"]:
                rank += prop["weapon_adjust"]
                notes.append(("weapon", g.weapon))
            if not g.danger_to_others:
                notes.append(("no-danger", None))
        allowed[shows] = max(floor, min(rank, max(ranks.values())))
        why[shows] = graham_notes_english(notes)
        all_notes[shows] = tuple(notes)
    return allowed, why, all_notes


def context_for(scenario: Scenario, rubric: Rubric | None = None) -> Context:
    """The cached Context for (scenario, rubric); the default rubric when `rubric` is None."""
    key = (id(scenario), id(rubric))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is scenario and hit[1] is rubric:
        return hit[2]
    merged = scenario_rubric(scenario, rubric)
    comp_index = {c.id: i for i, c in enumerate(merged.competencies)}
    tag_map: dict[str, list] = {}
    for i, comp in enumerate(merged.competencies):
        for tag, w in comp.tags.items():
            tag_map.setdefault(tag, []).append((i, w))
    contributions = {}
    for cid, choice in scenario.choice_by_id.items():
        contributions[cid] = tuple((i, w, tag) for tag in choice.tags for i, w in tag_map.get(tag, ()))
    ranks = dict(scenario.behaviour.force_levels)
    allowed, allowed_why, allowed_notes = _allowed(scenario, merged, ranks)
    errors = [(ce, compile_expr(parse(ce.when), dict(scenario.var_index)) if ce.when else None)
              for ce in merged.critical_errors]
    ctx = Context(scenario, merged, comp_index, contributions, allowed, allowed_why, ranks, errors,
                  allowed_notes=allowed_notes)
    if rubric is not None:
        ctx.memo["custom-rubric"] = True  # what depends on the rubric is not cached by the file's hash alone
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = (scenario, rubric, ctx)
    return ctx


def clear_cache() -> None:
    """Forget every cached per-scenario context (and its memoised analysis), to release memory."""
    _CACHE.clear()
