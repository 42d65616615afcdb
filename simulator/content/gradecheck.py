"""Meaning checks for grading: every decision graded, scenes named and described, and the tells that
let a trainee pass without reading (the best option always longest or first, options that justify
themselves)."""
from __future__ import annotations

import re

from ..engine.model import BEHAVIOURS, GRADES

LABEL_LIMIT = 40  # characters: a label names a scene in a debrief list, it does not describe it
# A tell is systematic when the best option holds the position at more than this share of the nodes
# where the position means something (two or more options), over at least TELL_MIN_NODES nodes.
TELL_SHARE = 0.5
TELL_MIN_NODES = 4
MIDDLE_SHARE = 0.8  # best option strictly between the shortest and the longest at more than this share
LENGTH_RATIO = 2.0  # longest option over shortest at one node: beyond this the length itself is a cue
THREATS = ("assaultive", "life-threatening")

# Words and phrases that put the option's justification or its fault into its own text. Matched as
# whole words, case-insensitive. The feedback explains a choice; the option only says what you do.
_TELL_WORDS = (
    "calmly", "gently", "respectfully", "politely", "patiently", "kindly", "warmly", "compassionately",
    "empathetically", "sensitively", "carefully", "aggressively", "rudely", "impatiently", "harshly",
    "angrily", "dismissively", "sarcastically", "roughly", "so that", "in order to", "to build rapport",
    "to de-escalate", "to show respect", "to reassure", "to calm", "because",
)
_TELL_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in _TELL_WORDS) + r")\b", re.IGNORECASE)


def _tell(value: str):
    """The first tell-tale word or phrase in `value` (a match of _TELL_RE), else None.

    The regular expression costs about 15 us per option text; ASCII text with none of the words in
    it (nearly all) is ruled out first by plain substring tests on its lower case, which are exact
    for ASCII. Other text always goes to the regular expression (Unicode case rules differ).
    """
    if value.isascii():
        lower = value.lower()
        if not any(word in lower for word in _TELL_WORDS):
            return None
    return _TELL_RE.search(value)


def _text_of(value, language: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        text = value.get(language)
        if isinstance(text, str):
            return text
        return next((v for v in value.values() if isinstance(v, str)), "")
    return ""


def check_grades(checker) -> None:
    """Run on a SemanticChecker: grades, labels, behaviour shown, and the tells (warnings)."""
    data, sink, pos = checker.data, checker.sink, checker.pos
    polarity = {tag: info.get("polarity") for tag, info in checker.model.tags.items()}
    language = data.get("language") if isinstance(data.get("language"), str) else "en"
    nodes = data.get("nodes") if isinstance(data.get("nodes"), dict) else {}
    best_longest = best_first = positional = best_middle = three_or_more = 0
    for node_id, node in nodes.items():
        if not isinstance(node, dict):
            continue
        path = ("nodes", node_id)
        choices = [c for c in node.get("choices", ()) if isinstance(c, dict)] if isinstance(node.get("choices"), list) else []
        timer = node.get("timer") if isinstance(node.get("timer"), dict) else {}
        expire = timer.get("expire") if isinstance(timer.get("expire"), dict) else None
        label = _text_of(node.get("label"), language)
        if "label" not in node:
            sink.warning(pos(path, key=True), "no-label", f"node {node_id!r} has no label",
                         "add `label:`, a short scene name (\"At the driver's window\"); the debrief shows it instead of the id")
        elif len(label) > LABEL_LIMIT:
            sink.warning(pos(path + ("label",)), "long-label", f"the label is {len(label)} characters long",
                         f"keep a label to {LABEL_LIMIT} characters; the narrative describes the scene")
        shows = node.get("shows")
        has_force = any(isinstance(c.get("force"), str) and c.get("force") != "presence"
                        for c in choices + ([expire] if expire else []))
        if shows is None:
            if has_force:
                sink.error(pos(path, key=True), "force-without-shows",
                           f"node {node_id!r} offers force but does not say what the person is doing",
                           "add `shows:` (" + ", ".join(BEHAVIOURS) + "); force is judged against it")
            else:
                sink.warning(pos(path, key=True), "no-shows", f"node {node_id!r} does not say what the person is doing",
                             "add `shows:` (" + ", ".join(BEHAVIOURS) + ")")
        if "toward" in node and shows not in THREATS:
            sink.warning(pos(path + ("toward",)), "toward-without-threat",
                         f"`toward` only means something for {' or '.join(THREATS)} behaviour",
                         "remove it, or correct `shows`")
        for i, choice in enumerate(choices):
            _check_choice(checker, path + ("choices", i), choice, polarity, False)
        if expire is not None:
            _check_choice(checker, path + ("timer", "expire"), expire, polarity, True)
        graded = [(c, GRADES.index(c["grade"])) for c in choices if c.get("grade") in GRADES]
        texts = [_text_of(c.get("text"), language) for c, _ in graded]
        if len(graded) >= 2 and len(graded) == len(choices):
            top = min(rank for _, rank in graded)
            lengths = [len(t) for t in texts]
            longest = max(lengths)
            positional += 1
            best_longest += any(rank == top and length == longest for (_, rank), length in zip(graded, lengths))
            best_first += graded[0][1] == top
            shortest = min(lengths)
            if len(graded) >= 3:
                three_or_more += 1
                best_middle += all(rank != top or shortest < length < longest
                                   for (_, rank), length in zip(graded, lengths))
            if shortest and longest / shortest > LENGTH_RATIO:
                sink.warning(pos(path + ("choices",)), "unbalanced-lengths",
                             f"the longest option here is {longest / shortest:.1f} times the shortest "
                             f"({longest} and {shortest} characters)",
                             "write options of similar length: trainees learn that the longest one is best")
    if three_or_more >= TELL_MIN_NODES and best_middle > MIDDLE_SHARE * three_or_more:
        sink.warning(pos(("nodes",), key=True), "best-is-middle",
                     f"the best-graded option is neither the longest nor the shortest at {best_middle} of "
                     f"{three_or_more} nodes with three or more options",
                     "vary it: a trainee who rules out the longest and the shortest option passes by elimination")
    if positional >= TELL_MIN_NODES:
        for count, what, code in ((best_longest, "the longest", "best-is-longest"),
                                  (best_first, "written first", "best-is-first")):
            if count > TELL_SHARE * positional:
                sink.warning(pos(("nodes",), key=True), code,
                             f"the best-graded option is {what} at {count} of {positional} nodes",
                             "vary it: a trainee who notices can pass without reading")


def _check_choice(checker, path, choice: dict, polarity: dict, is_timeout: bool) -> None:
    sink, pos = checker.sink, checker.pos
    grade = choice.get("grade")
    cid = choice.get("id")
    if grade is None:
        sink.error(pos(path), "ungraded", f"choice {cid!r} has no grade",
                   "add `grade:` (" + ", ".join(GRADES) + "); every decision, a timer running out included, is graded")
        return
    tags = [t for t in choice.get("tags") if isinstance(t, str)] if isinstance(choice.get("tags"), list) else []
    harmful = any(polarity.get(t) == "harmful" for t in tags)
    if grade in ("mistake", "major", "critical") and not harmful and "against" not in choice:
        sink.error(pos(path + ("grade",)), "grade-without-competency",
                   f"choice {cid!r} is graded {grade} but nothing says which competency it lowers",
                   "add a harmful technique tag, or `against: [competency-id, ...]`")
    if grade == "good" and "against" in choice:
        sink.warning(pos(path + ("against",)), "against-on-good", "a choice graded good counts against nothing",
                     "remove `against`, or grade the choice lower")
    if grade in ("good", "acceptable") and harmful:
        bad = [t for t in tags if polarity.get(t) == "harmful"]
        sink.warning(pos(path + ("grade",)), "harmful-tag-on-good",
                     f"choice {cid!r} is graded {grade} but carries harmful tag{'s' if len(bad) > 1 else ''} "
                     + ", ".join(bad), "grade it lower, or remove the tag")
    text = None if is_timeout else choice.get("text")
    for value in ([text] if isinstance(text, str) else list(text.values()) if isinstance(text, dict) else []):
        if isinstance(value, str):
            found = _tell(value)
            if found:
                sink.warning(pos(path + ("text",)), "self-justifying-text",
                             f"the option says {found.group(0)!r}: it announces its own quality or fault",
                             "say only what the officer does; put the why in `feedback`")
                break
