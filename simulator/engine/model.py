"""The loaded scenario: immutable, compiled once (ids to indexes, conditions to closures)."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Mapping

# Built-in state slots. Custom variables follow from CUSTOM_START.
ESCALATION, RAPPORT, RECOVERY, FACTOR_REVEALED = 0, 1, 2, 3
CUSTOM_START = 4
BUILTIN_VARIABLES = ("escalation", "rapport", "recovery", "factor_revealed")

OUTCOME_CLASSES = ("resolved", "referred", "arrest", "force-used", "injury")

# How a trainer grades a decision, best first (docs/scoring.md). The rubric gives each tier's deduction.
GRADES = ("good", "acceptable", "mistake", "major", "critical")
# What the person is doing, as a reasonable officer on scene perceives it, least to most threatening
# (docs/behaviour-model.md). Distress (the `escalation` variable) is a different thing.
BEHAVIOURS = ("compliant", "not-responding", "pulling-away", "assaultive", "life-threatening")
# How a portrait looks (docs/scenario-format.md, "Staging"): a scene can set any character's expression.
EXPRESSIONS = ("calm", "anxious", "upset", "angry")
# Where a present character is, as the scene stages them.
PLACES = ("here", "in-car", "on-phone")


@dataclass(frozen=True, slots=True)
class Text:
    """Text in one or more languages; `get` falls back to the scenario's default language."""

    values: Mapping[str, str]

    def get(self, language: str, default: str) -> str:
        """The text in `language`, else in `default`, else in any language given."""
        values = self.values
        if language in values:
            return values[language]
        if default in values:
            return values[default]
        return next(iter(values.values()), "")


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    slot: int
    initial: int
    minimum: int
    maximum: int
    description: str = ""


@dataclass(frozen=True, slots=True)
class Effect:
    """One change to a variable: `relative` adds `amount`, otherwise it sets the value."""

    slot: int
    name: str
    relative: bool
    amount: int


@dataclass(frozen=True, slots=True)
class RuleCase:
    when: str
    test: Callable[[tuple], object]
    escalation: int
    rapport: int
    why: str  # in the scenario's default language: what the event log records
    why_text: Text | None = None  # every language the scenario gives it in (None: `why` only)


@dataclass(frozen=True, slots=True)
class Rule:
    """A behaviour-model rule: for choices carrying any of `tags`, the first case that holds."""

    id: str
    tags: frozenset
    cases: tuple[RuleCase, ...]
    source: str  # "default" or the scenario id that added or replaced it


@dataclass(frozen=True, slots=True)
class Recovery:
    trigger_level: int
    duration: int
    rise_bonus: int


@dataclass(frozen=True, slots=True)
class BehaviourModel:
    """Level names, tag vocabulary and escalation rules (see simulator/engine/behaviour.yaml)."""

    name: str
    version: int
    level_names: tuple[str, ...]
    level_ids: tuple[str, ...]
    rapport_names: tuple[str, ...]
    force_levels: Mapping[str, int]  # id -> rank
    force_names: Mapping[str, str]
    recovery: Recovery
    tags: Mapping[str, Mapping[str, str]]  # tag -> {"polarity": ..., "description": ...}
    rules: tuple[Rule, ...]
    behaviour_names: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # id -> name

    def why_in(self, cause: Mapping, language: str, default: str) -> str | None:
        """The `why` of a logged cause ({"rule": id, "why": ...}) in `language` when its rule gives it
        there; else the logged text (the log keeps the default language, so it is the same whoever plays)."""
        why = cause.get("why")
        rule = next((r for r in self.rules if r.id == cause.get("rule")), None)
        if rule is not None:
            for case in rule.cases:
                if case.why == why and case.why_text is not None:
                    return case.why_text.get(language, default)
        return why


@dataclass(frozen=True, slots=True)
class Outcome:
    index: int
    weight: float
    target: int
    effects: tuple[Effect, ...]
    text: Text | None
    condition: str | None
    test: Callable[[tuple], object] | None


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    node: int  # index of the node it belongs to
    text: Text | None
    condition: str | None
    test: Callable[[tuple], object] | None
    effects: tuple[Effect, ...]
    tags: tuple[str, ...]
    force: str | None
    reveals: bool
    feedback: Text | None
    target: int | None  # next node or ending index; None when `outcomes` decide
    outcomes: tuple[Outcome, ...]
    rules: tuple[Rule, ...]  # behaviour rules whose tags meet this choice's tags
    is_timeout: bool = False
    grade: str | None = None  # one of GRADES; None only in a scenario that failed validation's `ungraded` check
    against: tuple[str, ...] = ()  # competencies a non-good grade counts against, when the scenario names them
    discuss: Text | None = None  # a discussion prompt a workshop facilitator can show after this choice


@dataclass(frozen=True, slots=True)
class Line:
    """A spoken line. With `said`, the speaker uses a language the officer does not share: `said` is
    shown as spoken (in `said_in`), and its meaning `text` only once `understood` holds."""

    speaker: str
    text: Text
    said: str | None = None
    said_in: str | None = None
    understood_when: str | None = None
    understood: Callable | None = None  # compiled `understood_when`


@dataclass(frozen=True, slots=True)
class Inject:
    """An event the scenario lets an instructor bring into a scene (`injects:` on a node): it is
    shown as `text` and applies `effects`; the scene, its options and the decisions count stay."""

    id: str
    node: int
    text: Text
    label: Text | None  # the operator's short name for it (default: `text`)
    effects: tuple[Effect, ...]


@dataclass(frozen=True, slots=True)
class Timer:
    seconds: float
    expire: Choice


@dataclass(frozen=True, slots=True)
class Staging:
    """How one present character is shown at one node: an expression and where they are."""

    expression: str | None = None  # one of EXPRESSIONS; None follows the character's `expression_from`
    where: str = "here"  # one of PLACES


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    index: int
    narrative: Text
    lines: tuple[Line, ...]
    behaviour: Text | None
    perspective: Text | None
    background: str | None
    present: tuple[str, ...]
    timer: Timer | None
    choices: tuple[Choice, ...]
    choice_by_id: Mapping[str, Choice]
    label: Text | None = None  # short scene name for the debrief
    shows: str | None = None  # one of BEHAVIOURS
    toward: str | None = None  # "self", "officers" or "others", for threats
    staging: Mapping[str, Staging] = field(default_factory=lambda: MappingProxyType({}))  # character id -> staging
    injects: tuple[Inject, ...] = ()  # events an instructor may bring in here (instructor-operated mode)


@dataclass(frozen=True, slots=True)
class Ending:
    id: str
    index: int  # target index: len(nodes) + position among endings
    outcome: str
    title: Text
    text: Text
    debrief: Text
    perspective: Text | None
    background: str | None


@dataclass(frozen=True, slots=True)
class Character:
    id: str
    name: Text
    role: str
    description: Text | None
    portrait: str | None
    known_as: Text | None = None  # what the officer calls them until the name is known ("The driver")
    name_known_when: str | None = None  # condition after which `name` is shown; None: known from the start
    name_known: Callable[[tuple], object] | None = None  # compiled `name_known_when`
    expression_slot: int | None = None  # the variable whose level sets the expression (the subject: escalation)

    def shown_name(self, values: tuple, language: str, default: str) -> str:
        """The name a trainee sees now: `known_as` until `name_known_when` holds (if the scenario
        gives a `known_as`), then the name."""
        if self.known_as is not None and (self.name_known is None or not self.name_known(values)):
            return self.known_as.get(language, default)
        return self.name.get(language, default)


@dataclass(frozen=True, slots=True)
class HiddenFactor:
    id: str
    kind: str
    description: Text


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class Objective:
    id: str
    text: Text
    after_play: bool = False  # `reveal: after-play`: it would give the scenario away, so shown only in the debrief


@dataclass(frozen=True, slots=True)
class Variant:
    """One of a scenario's variants of who the people are (never of what they do)."""

    id: str
    label: Text


@dataclass(frozen=True, slots=True)
class Graham:
    offence: Text | None
    offence_severity: str
    weapon: str | None
    danger_to_others: bool


@dataclass(frozen=True, slots=True)
class Scenario:
    """A validated, compiled scenario. Targets: nodes are 0..len(nodes)-1, endings follow."""

    id: str
    version: str
    title: Text
    summary: Text
    audience: tuple[str, ...]
    minutes: int
    topics: tuple[str, ...]
    language: str
    languages: tuple[str, ...]
    location: Text | None
    dispatch: Text | None
    objectives: tuple[Objective, ...]
    content_notes: tuple[Text, ...]
    authors: tuple[Person, ...]
    reviewers: tuple[Person, ...]
    characters: Mapping[str, Character]
    variables: tuple[Variable, ...]  # every slot, built-ins first
    var_index: Mapping[str, int]
    hidden_factor: HiddenFactor | None
    graham: Graham | None
    behaviour: BehaviourModel
    start: int
    nodes: tuple[Node, ...]
    endings: tuple[Ending, ...]
    target_ids: tuple[str, ...]  # target index -> id
    target_index: Mapping[str, int]
    choice_by_id: Mapping[str, Choice]  # every choice and timer expiry in the scenario
    scoring: Mapping = field(default_factory=lambda: MappingProxyType({}))
    takeaways: tuple[Text, ...] = ()  # the debrief's first page, written in the scenario
    questions: tuple[Text, ...] = ()
    # What a community review must check and who should do it (`review:`), for instructors and authors.
    review_checks: tuple[Text, ...] = ()
    review_by: tuple[Text, ...] = ()
    # Variants of who the people are (`variants:`): the one this Scenario shows, and all of them. A
    # variant changes only text and portraits; `simulator.content.loader.with_variant` builds another.
    variant: str | None = None
    variants: tuple[Variant, ...] = ()
    variants_about: Text | None = None
    source_data: Mapping | None = field(default=None, compare=False, repr=False)  # validated file data
    base_model: BehaviourModel | None = field(default=None, compare=False, repr=False)
    source: str = ""  # file path it was loaded from
    content_hash: str = ""  # sha256 of the file's bytes
    # Custom variables no condition reads (a choice's, an outcome's, a rule's or a scoring `when`):
    # they only change what is shown (a name once learned, a face). Exact analyses treat states that
    # differ only in them as one (`canonical`), so showing more never multiplies the states searched.
    display_slots: tuple[int, ...] = ()

    def canonical(self, values: tuple) -> tuple:
        """`values` with every display-only variable at its initial value (see `display_slots`)."""
        if not self.display_slots:
            return values
        out = list(values)
        for slot in self.display_slots:
            out[slot] = self.variables[slot].initial
        return tuple(out)

    @property
    def initial_values(self) -> tuple[int, ...]:
        return tuple(v.initial for v in self.variables)

    def is_ending(self, target: int) -> bool:
        return target >= len(self.nodes)

    def ending_at(self, target: int) -> Ending:
        return self.endings[target - len(self.nodes)]

    def subject(self) -> Character:
        return next(c for c in self.characters.values() if c.role == "subject")
