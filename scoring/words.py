"""Words for people: what a debrief calls a scene, a choice and a grade (never an id), and how it quotes."""
from __future__ import annotations

from simulator import i18n
from simulator.engine.model import Scenario
from simulator.i18n import N_, _, ngettext

GRADE_WORDS = {"good": N_("good practice"), "acceptable": N_("acceptable, not the best here"),
               "mistake": N_("a mistake"), "major": N_("a major error"), "critical": N_("a critical error")}
# How an objective's `why` begins when it was missed (the window replaces it with its own heading).
MISSED = N_("Missed: ")
# Straight and typographic quotation marks (English, German, French): a text that already opens or
# closes with one of these is quoting someone itself, so wrapping it again would show them doubled.
QUOTE_MARKS = "\"'“”‘’„‚«»‹›"


def grade_words(tier: str) -> str:
    """A grade in words, in the interface language ("a major error"); the tier itself when unknown."""
    return _(GRADE_WORDS[tier]) if tier in GRADE_WORDS else tier


def clip(text: str, limit: int) -> str:
    """`text` on one line, cut at `limit` characters with an ellipsis (as the report quotes a choice)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def quoted(text: str) -> str:
    """`text` between quotation marks, unless it already begins or ends with one: “I'll wait” but never
    “I'll say: 'Turn around!'” with the marks doubled at the end."""
    text = " ".join(str(text).split())
    if not text or text[0] in QUOTE_MARKS or text[-1] in QUOTE_MARKS:
        return text
    return _("“{text}”").format(text=text)


def closed(text: str) -> str:
    """A quoted option that ends a sentence: “I'll wait.”, and no second full stop after a text that ends
    with its own (“Stop!” stays so; “... 'Now!'” gets no period)."""
    text = " ".join(str(text).split())
    ending = text.rstrip(QUOTE_MARKS)[-1:]
    return quoted(text) + ("" if not text or ending in ".!?…" else ".")


def times(n: int) -> str:
    """How often, in words: "never", "once", "twice", "3 times"."""
    if n == 0:
        return _("never")
    if n == 1:
        return _("once")
    if n == 2:
        return _("twice")
    return ngettext("{n} time", "{n} times", n).format(n=n)


def raised_lowered(rises: int, falls: int) -> str:
    """How the trainee's own choices moved the person's distress, whatever the counts: "Your own choices
    raised it twice and never lowered it." """
    if not rises and not falls:
        return _("Your own choices neither raised nor lowered it.")
    if not falls:
        return _("Your own choices raised it {times} and never lowered it.").format(times=times(rises))
    if not rises:
        return _("Your own choices never raised it and lowered it {times}.").format(times=times(falls))
    return _("Your own choices raised it {raised} and lowered it {lowered}.").format(raised=times(rises),
                                                                                   lowered=times(falls))


def filled(text: str) -> str:
    """Scenario text as a debrief shows it: `{officer}` (the trainee's name in play) as "(your name)",
    since a grading record does not keep names."""
    return text.replace("{officer}", _("(your name)")) if "{officer}" in text else text


def person_words(scenario: Scenario, values: tuple, lang: str) -> str:
    """The subject as a sentence names them at a moment, mid-sentence: their first name once the
    officer knows it there, else what the officer calls them ("the driver"), never a name not yet
    learned."""
    try:
        subject = scenario.subject()
    except StopIteration:
        return _("the person")
    shown = subject.shown_name(values, lang, scenario.language)
    if subject.known_as is not None and shown == subject.known_as.get(lang, scenario.language):
        return shown[:1].lower() + shown[1:]
    return shown.split()[0] if shown.split() else _("the person")


def scene_label(scenario: Scenario, node_id: str, lang: str) -> str:
    """What people call a scene: its label, else the ending's title, else a neutral phrase (never the id)."""
    index = scenario.target_index.get(node_id)
    if index is None:
        return _("a scene")
    if scenario.is_ending(index):
        return scenario.ending_at(index).title.get(lang, scenario.language)
    node = scenario.nodes[index]
    if node.label is not None:
        return node.label.get(lang, scenario.language)
    return _("decision point {number}").format(number=index + 1)


def choice_label(choice, lang: str, default: str) -> str:
    """A choice as people see it: its text (a timer's expiry: "You waited")."""
    if choice.text is not None:
        return filled(choice.text.get(lang, default))
    return _("You waited: the time to decide ran out") if choice.is_timeout else _("an option")


def counts_line(counts: dict) -> str:
    """ "No critical error, 1 major error, 2 mistakes." from a report summary's `counts`, each count in
    its right number (the debrief's first page and the HTML report say it the same way)."""
    critical, major, mistakes = (int(counts.get(key) or 0) for key in ("critical", "major", "mistake"))
    # each form is written out, so that the extractor finds both forms of every count
    parts = [ngettext("{n} critical error", "{n} critical errors", critical).format(n=critical)
             if critical else _("no critical error"),
             ngettext("{n} major error", "{n} major errors", major).format(n=major) if major else _("no major error"),
             ngettext("{n} mistake", "{n} mistakes", mistakes).format(n=mistakes) if mistakes else _("no mistake")]
    line = _("{critical}, {major}, {mistakes}.").format(critical=parts[0], major=parts[1], mistakes=parts[2])
    return line[:1].upper() + line[1:]


class Labels:
    """What people call a scenario's scenes and choices (and a choice's feedback), in one content
    language and the interface language in use: each worked out once per scene or choice, since the
    scenario determines them, instead of once per decision graded."""

    __slots__ = ("scenario", "lang", "_scenes", "_choices", "_feedback", "_filled", "derived")

    def __init__(self, scenario: Scenario, lang: str):
        self.scenario, self.lang = scenario, lang
        self.derived: dict = {}  # other phrases built only from these (a quoted choice at its scene...)
        self._scenes: dict = {}
        self._choices: dict = {}
        self._feedback: dict = {}
        self._filled: dict = {}

    def scene(self, node_id: str) -> str:
        """`scene_label(scenario, node_id, lang)`."""
        hit = self._scenes.get(node_id)
        if hit is None:
            hit = self._scenes[node_id] = scene_label(self.scenario, node_id, self.lang)
        return hit

    def choice(self, choice) -> str:
        """`choice_label(choice, lang, scenario.language)`."""
        hit = self._choices.get(choice.id)
        if hit is None:
            hit = self._choices[choice.id] = choice_label(choice, self.lang, self.scenario.language)
        return hit

    def feedback(self, choice) -> str:
        """The choice's feedback as the scenario wrote it ("" when it has none)."""
        hit = self._feedback.get(choice.id)
        if hit is None:
            value = choice.feedback
            hit = self._feedback[choice.id] = value.get(self.lang, self.scenario.language) if value is not None else ""
        return hit

    def feedback_filled(self, choice) -> str:
        """The choice's feedback with `{officer}` filled as a grading record shows it."""
        hit = self._filled.get(choice.id)
        if hit is None:
            hit = self._filled[choice.id] = filled(self.feedback(choice))
        return hit


def labels(memo: dict, scenario: Scenario, lang: str) -> Labels:
    """The `Labels` of `scenario` in content language `lang` and the interface's current translations,
    kept in `memo` (a per-scenario cache: scoring.context.Context.memo)."""
    key = ("labels", lang, i18n._translations)  # a language change (or a test's catalogue) gets its own
    hit = memo.get(key)
    if hit is None:
        hit = memo[key] = Labels(scenario, lang)
    return hit
