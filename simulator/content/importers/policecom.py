"""Turn one POL-COM scenario (JSON, "Police De-escalation Training") into Parley scenario YAML.

POL-COM (github.com/policecom/police-deescalation-training, CC BY 4.0) plays a scenario's `stages`
in order. A stage shows a scene (`sceneUpdate`), NPC lines (`npcDialogue`), a `prompt` and four
`options`; the first stage without options (normally the one marked `finalScene`) is the debrief.
Its game (game-controller.js) scores by an option's `type`, not its `points`: `positive` and
`partially_positive` advance to the next stage and count as de-escalations; `neutral` and
`negative` make the trainee retry the stage, and `negative` counts as an escalation. Options carry
no references to stages, so there are no stage links to resolve; the order of `stages` is the graph.

What each part becomes (`TYPE_MAP` below is the grading table; the rest is in `_Converter`):

| POL-COM | Parley |
|---|---|
| stage *n* with options | node `stage-n`: `label` = stage title; `narrative` = scene title, scene text and prompt |
| `npcDialogue` | the node's `lines` (`officer` speaks as `you`, `dispatcher` as `dispatch`) |
| option *k* | choice `stage-n-k`: `text`, `feedback` = the whole feedback, `grade` and effects from its type |
| the feedback's middle part (Why: ... \\| CONSEQUENCES: ... \\| Reflection: ...) | the reaction shown after the choice (one outcome's `text`) |
| positive / partially_positive | `next`: the following stage (or the ending) |
| neutral / negative | `next`: the same stage again (POL-COM's retry) |
| the first stage without options | the ending `end`: `text` = its scene, `debrief` = its `dialogueSequence` |
| `finalMessage.revelation` | the ending's `perspective` (what was really going on) |
| `finalMessage.keyLessons` | `learning_objectives`, `reveal: after-play` (POL-COM shows them after play) |
| `title`, `description`, `instructor.introduction`, `duration` | `title`, `summary`, `dispatch`, `minutes` (mean of the range) |
| `characters` | characters; the NPC with most lines is the `subject`, the others `bystander`s |

| POL-COM type | usual points | in POL-COM's game | grade | effects | why |
|---|---|---|---|---|---|
| positive | 10 or 12 | advances, full stage score, a de-escalation | good | escalation -1, rapport +1 | the option POL-COM holds up as best practice |
| partially_positive | 5 | advances with 75 of 100, a de-escalation | acceptable | escalation -1 | reasonable but not the best: it passes, with a cost |
| neutral | 2 | retry the stage, no credit | mistake | none | the trainer sends the trainee back: poor practice corrected |
| negative | -8 or -10 | retry the stage, an escalation | mistake | escalation +1, rapport -1 | corrected too; POL-COM never fails a run on one option, so not major |

Nothing in POL-COM says which competency an option shows, what the person is doing (`shows`), how
distressed they are at the start, who the subject is, how the encounter ends (`outcome`), or what
content needs a warning. The importer then writes the plainest value the format accepts
(`against: [procedural-justice]`, no `shows`, escalation 1 and rapport 0, the NPC with most lines,
`resolved`, no content notes, no reviewers) and says so in a warning, so that an author reviews it.
Every diagnostic points into the JSON file (line and column); the YAML starts with the schema line
and the CC BY 4.0 attribution, and `authors` carries the attribution, licence, link and changes.
"""
from __future__ import annotations

import bisect
import difflib
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ...i18n import N_, _, ngettext
from ..diagnostics import DiagnosticSink
from ..loader import read_file
from . import ImportResult

SOURCE_REPOSITORY = "https://github.com/policecom/police-deescalation-training"
LICENCE_NAME = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
ATTRIBUTION = ("Based on \"Police De-escalation Training\" by the POL-COM project "
               "(Erasmus+ 2023-1-CZ01-KA220-VET-000167148), licensed under CC BY 4.0")


@dataclass(frozen=True)
class Grading:
    """How one POL-COM option type is played and graded in Parley."""

    grade: str
    effects: tuple[tuple[str, str], ...]  # signed Parley effects, in order
    advances: bool  # to the next stage (True) or back to the same one (False: POL-COM's retry)
    usual_points: tuple[int, ...]  # POL-COM's own validator warns outside these


# The grading table (see the module docstring for the reasons, row by row).
TYPE_MAP: dict[str, Grading] = {
    "positive": Grading("good", (("escalation", "-1"), ("rapport", "+1")), True, (10, 12)),
    "partially_positive": Grading("acceptable", (("escalation", "-1"),), True, (5,)),
    "neutral": Grading("mistake", (), False, (2,)),
    "negative": Grading("mistake", (("escalation", "+1"), ("rapport", "-1")), False, (-8, -10)),
}

# Placeholders for what POL-COM does not say; each comes with a warning naming it.
PLACEHOLDER_AGAINST = "procedural-justice"
INITIAL_STATE = {"escalation": 1, "rapport": 0}  # the example start in docs/scenario-format.md
DEFAULT_OUTCOME = "resolved"  # the only outcome that claims no arrest, force, injury or referral
DEFAULT_DURATION = "10-15"  # POL-COM's own default (custom-validator.js deriveMeta)
DEFAULT_AUDIENCE = ["recruit"]  # POL-COM is vocational (VET) training for police students

# Speakers POL-COM names by convention, and who they are in Parley.
OFFICER_KEY = "officer"
DISPATCH_KEYS = ("dispatcher", "dispatch")

# Parley's limits (docs/scenario-format.md, "Limits"), checked here so that errors point into the JSON.
MAX_STAGES = 5000
MAX_OPTIONS = 30
MAX_TEXT = 10_000
MAX_DIGITS = 15

# Fields Parley has no place for: reported once each, never dropped silently.
NOT_CONVERTED = {
    "icon": N_("an emoji"), "difficulty": N_("POL-COM's difficulty"), "timedChoices": N_("POL-COM's timer setting"),
    "completionBadges": N_("POL-COM's badges"), "perfectBadge": N_("POL-COM's badges"),
    "performanceReviews": N_("Parley grades the run itself"), "metrics": N_("options are not linked to them"),
    "lawContext": N_("law links"), "emoji": N_("an emoji"), "avatar": N_("an emoji"), "autoDialogue": "",
}
KNOWN_KEYS = {
    (): {"id", "title", "description", "icon", "difficulty", "duration", "instructor", "timedChoices",
         "completionBadges", "perfectBadge", "finalMessage", "stages", "characters", "performanceReviews",
         "metrics", "lawContext", "lang"},
    ("stages", "*"): {"id", "title", "sceneUpdate", "npcDialogue", "prompt", "options", "autoDialogue",
                      "finalScene", "dialogueSequence"},
    ("stages", "*", "options", "*"): {"text", "feedback", "type", "points"},
}

_ID_BAD = re.compile(r"[^a-z0-9_-]+")
_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")  # what Parley would fill in (variants.PLACEHOLDER)
_LABEL = re.compile(r"^\s*[^\W\d_][^:|\n]{0,30}:\s*")  # "CONSEQUENCES: " before a feedback part
_LANG_IN_NAME = re.compile(r"-([a-z]{2,3})\.json$", re.IGNORECASE)
_DURATION = re.compile(r"^\s*(\d{1,3})\s*(?:[-–]\s*(\d{1,3}))?\s*$")
# Plain scalars YAML 1.1 and 1.2 read differently (the loader refuses them): always quote these.
_AMBIGUOUS = re.compile(r"^(?:[-+]?\.?[0-9]|[-+]?\.(?:inf|nan)$|(?:y|n|yes|no|on|off|true|false|null|~)$)",
                        re.IGNORECASE)
# Characters YAML 1.1 treats as line breaks, and controls: never let source text into a comment.
_COMMENT_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Line breaks a block scalar would turn into "\n": such text is written double-quoted, exactly.
_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")


def import_policecom(path: Path) -> ImportResult:
    """Convert the POL-COM JSON file at `path` into Parley YAML.

    Never raises for bad content: unreadable, malformed or oversized input, wrong types and
    unsupported structure give diagnostics positioned in the JSON file (`text` is None when an
    error leaves nothing usable). Warnings name everything an author must review.
    """
    path = Path(path)
    sink = DiagnosticSink(str(path))
    raw = read_file(path, str(path))
    if not isinstance(raw, bytes):  # a Diagnostic: not a file, too large, unreadable
        return ImportResult(None, [raw])
    source = _parse(raw, sink)
    if source is None:
        return ImportResult(None, sink.sorted())
    data = _Converter(source, sink, path.name).convert()
    if data is None or sink.has_errors:
        return ImportResult(None, sink.sorted())
    text = _emit(data, _header(source, path.name))
    return ImportResult(text, sink.sorted(), suggested_name=f"{data['id']}.yaml")


# --- reading JSON with positions --------------------------------------------------------------------

class _TooLong(str):
    """A JSON integer with more digits than Parley keeps exact (kept as its text, never converted)."""


@dataclass
class _Source:
    """The parsed JSON, where each value starts (by path), and the diagnostics sink."""

    data: object
    starts: dict[tuple, int]
    line_starts: list[int]
    sink: DiagnosticSink

    def pos(self, path: tuple) -> tuple[int, int] | None:
        """(line, column) of the value at `path`, or of its nearest ancestor that exists."""
        while path not in self.starts and path:
            path = path[:-1]
        offset = self.starts.get(path)
        return None if offset is None else _line_col(self.line_starts, offset)


def _line_col(line_starts: list[int], offset: int) -> tuple[int, int]:
    line = bisect.bisect_right(line_starts, offset)
    return line, offset - line_starts[line - 1] + 1


def _parse(raw: bytes, sink: DiagnosticSink) -> _Source | None:
    """The JSON document in `raw` with a position map, or None after an error diagnostic."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        sink.error((line, col), "policecom-not-utf8", _("the file is not UTF-8 text"),
                   _("save the file as UTF-8, as POL-COM's own files are"))
        return None

    def parse_int(digits: str):
        return _TooLong(digits) if len(digits.lstrip("-")) > MAX_DIGITS else int(digits)

    try:
        data = json.loads(text, parse_int=parse_int)
    except json.JSONDecodeError as exc:
        sink.error((exc.lineno, exc.colno), "policecom-bad-json", _("not valid JSON: {problem}").format(problem=exc.msg),
                   _("fix the JSON syntax at this position (a missing comma, quote or bracket is usual)"))
        return None
    except RecursionError:
        sink.error(None, "policecom-too-deep", _("the JSON is nested too deeply to be a POL-COM scenario"),
                   _("a POL-COM scenario nests about 6 levels deep"))
        return None
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    starts, duplicates, constants = _value_starts(text)
    source = _Source(data, starts, line_starts, sink)
    for offset, key in duplicates:
        sink.warning(_line_col(line_starts, offset), "policecom-duplicate-key",
                     _("the key \"{key}\" appears twice in one object; the last one is used").format(key=key),
                     _("remove one of them"))
    for offset, word in constants:
        sink.error(_line_col(line_starts, offset), "policecom-not-a-number",
                   _("{word} is not a JSON number").format(word=word), _("write a finite number"))
    if not isinstance(data, dict):
        sink.error((1, 1), "policecom-not-a-scenario", _("a POL-COM scenario is a JSON object"),
                   _("the file must start with '{' and hold \"title\", \"stages\" and \"characters\""))
        return None
    return None if sink.has_errors else source


_TOKEN = re.compile(r'[ \t\n\r]*(?:([{}\[\],:])|(")|(-?[0-9][0-9.eE+-]*)|(true|false|null|NaN|-?Infinity))')


def _value_starts(text: str) -> tuple[dict[tuple, int], list[tuple[int, str]], list[tuple[int, str]]]:
    """Where each value of the (already valid) JSON `text` starts, by path; duplicate keys; NaN and
    Infinity. Iterative, so any nesting json accepted is scanned without recursion."""
    starts: dict[tuple, int] = {}
    duplicates, constants = [], []
    stack: list[list] = []  # [path, is_object, next index or current key, keys seen, expecting key]
    offset = 0
    while True:
        match = _TOKEN.match(text, offset)
        if match is None:
            break
        start = match.start(match.lastindex)
        offset = match.end()
        punct, is_string, literal = match.group(1), match.group(2), match.group(3) or match.group(4)
        top = stack[-1] if stack else None
        if punct in ("}", "]"):
            stack.pop()
            continue
        if punct == ",":
            if top[1]:
                top[4] = True
            continue
        if punct == ":":
            top[4] = False
            continue
        if is_string:
            value, offset = json.decoder.scanstring(text, offset)
            if top is not None and top[1] and top[4]:  # an object's key
                if value in top[3]:
                    duplicates.append((start, value))
                top[3].add(value)
                top[2] = value
                continue
        if top is None:
            path = ()
        elif top[1]:
            path = top[0] + (top[2],)
        else:
            path = top[0] + (top[2],)
            top[2] += 1
        starts[path] = start
        if literal in ("NaN", "Infinity", "-Infinity"):
            constants.append((start, literal))
        if punct == "{":
            stack.append([path, True, None, set(), True])
        elif punct == "[":
            stack.append([path, False, 0, None, False])
        if not stack:
            break
    return starts, duplicates, constants


# --- converting ----------------------------------------------------------------------------------------

def _kind(value) -> str:
    """What a JSON value is, in words."""
    if isinstance(value, _TooLong):
        return _("a number with more than {n} digits").format(n=MAX_DIGITS)
    if isinstance(value, bool):
        return _("true or false")
    if isinstance(value, str):
        return _("text")
    if isinstance(value, (int, float)):
        return _("a number")
    if isinstance(value, list):
        return _("a list")
    return _("an object") if isinstance(value, dict) else _("null")


def _expected(types) -> str:
    """What `types` (as given to `_Converter.get`) asks for, in words."""
    names = {str: _("text"), int: _("a number"), float: _("a number"), list: _("a list"), dict: _("an object")}
    words = dict.fromkeys(names[t] for t in (types if isinstance(types, tuple) else (types,)))
    return _(" or ").join(words)


def _to_id(text: str, fallback: str) -> str:
    """A Parley id from a POL-COM key or id: camelCase to kebab-case, lower case, safe characters."""
    text = re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", str(text)).lower()
    text = _ID_BAD.sub("-", text).strip("-_")
    text = re.sub(r"^[^a-z]+", "", text)
    return (text or fallback)[:64].rstrip("-_") or fallback


class _Converter:
    """Builds the Parley scenario as plain data from one parsed POL-COM document."""

    def __init__(self, source: _Source, sink: DiagnosticSink, file_name: str):
        self.src = source
        self.sink = sink
        self.file_name = file_name
        self.data: dict = source.data
        self.dropped: dict[str, list[tuple]] = {}

    # -- small helpers --
    def pos(self, path: tuple):
        return self.src.pos(path)

    def get(self, path: tuple, types, what: str, required: bool = False):
        """The value at `path` if it has one of `types`; otherwise None, with an error when it has
        the wrong type or is required and missing (`what` names the field for people)."""
        value = self.data
        for step in path:
            if isinstance(value, dict) and isinstance(step, str):
                value = value.get(step)
            elif isinstance(value, list) and isinstance(step, int) and step < len(value):
                value = value[step]
            else:
                value = None
            if value is None:
                break
        if value is None:
            if required:
                self.sink.error(self.pos(path), "policecom-missing", _("{what} is missing").format(what=what),
                                _("POL-COM's format requires it; see its editor or an example file"))
            return None
        if not isinstance(value, types) or isinstance(value, (bool, _TooLong)):
            self.sink.error(self.pos(path), "policecom-bad-type",
                            _("{what} should be {expected}, not {actual}").format(
                                what=what, expected=_expected(types), actual=_kind(value)),
                            _("compare with the same field in one of POL-COM's own scenario files"))
            return None
        return value

    def text(self, path: tuple, what: str, required: bool = False) -> str | None:
        """A non-empty string from the source, made safe for Parley's text rules, or None."""
        value = self.get(path, str, what, required)
        if value is None:
            return None
        if not value.strip():
            if required:
                self.sink.error(self.pos(path), "policecom-empty", _("{what} is empty").format(what=what),
                                _("write the text, or remove the entry"))
            return None
        return self.fit(self.safe_text(value, path), path, what)

    def safe_text(self, value: str, path: tuple) -> str:
        """`value` with `{word}` written `[word]`: Parley would fill it in or refuse it."""
        if _PLACEHOLDER.search(value):
            self.sink.warning(self.pos(path), "policecom-braces",
                              _("text in braces would be read by Parley as a placeholder; written with [ ] instead"),
                              _("check the text reads as meant"))
            value = _PLACEHOLDER.sub(r"[\1]", value)
        return value

    def fit(self, value: str, path: tuple, what: str) -> str | None:
        if len(value) > MAX_TEXT:
            self.sink.error(self.pos(path), "policecom-text-too-long",
                            _("{what} has {n} characters; Parley's limit for one text is {limit}").format(
                                what=what, n=f"{len(value):,}", limit=f"{MAX_TEXT:,}"),
                            _("shorten it or split it over two stages"))
            return None
        return value

    def check_keys(self, value: dict, path: tuple, pattern: tuple) -> None:
        """Warn about keys POL-COM does not define (with a suggestion) and note those not converted."""
        known = KNOWN_KEYS[pattern]
        for key in value:
            if key not in known:
                close = difflib.get_close_matches(key, sorted(known), n=1)
                hint = _("did you mean \"{key}\"?").format(key=close[0]) if close else _("remove it, or check the spelling")
                self.sink.warning(self.pos(path + (key,)), "policecom-unknown-key",
                                  _("\"{key}\" is not a POL-COM field; it is not imported").format(key=key), hint)
            elif key in NOT_CONVERTED:
                self.dropped.setdefault(key, []).append(path + (key,))

    # -- the document --
    def convert(self) -> dict | None:
        """The Parley scenario as plain data, or None when an error leaves nothing to build."""
        self.check_keys(self.data, (), ())
        title = self.text(("title",), _("the scenario's \"title\""), required=True)
        stages = self.get(("stages",), list, _("\"stages\""), required=True)
        if stages is not None and not stages:
            self.sink.error(self.pos(("stages",)), "policecom-no-stages", _("\"stages\" is empty"),
                            _("a POL-COM scenario has interactive stages and a final debrief stage"))
        if stages is not None and len(stages) > MAX_STAGES:
            self.sink.error(self.pos(("stages",)), "policecom-too-many",
                            _("{n} stages; Parley's limit is {limit} scenes").format(n=len(stages), limit=MAX_STAGES),
                            _("split the scenario"))
            return None
        if title is None or not stages:
            return None
        people = self.characters(stages)
        nodes, ending = self.stages(stages, people)
        if ending is None or not nodes:
            return None
        summary = self.text(("description",), _("\"description\""))
        if summary is None:
            summary = title
            self.sink.warning(self.pos(()), "policecom-no-description",
                              _("no \"description\": the summary repeats the title"), _("write a summary"))
        scenario = {
            "format": 1,
            "id": _to_id(f"policecom-{self.data.get('id') if isinstance(self.data.get('id'), (str, int)) else ''}",
                         "policecom"),
            "version": "0.1.0",
            "title": title,
            "summary": summary,
            "audience": list(DEFAULT_AUDIENCE),
            "minutes": self.minutes(),
            "topics": [],
            "language": self.language(),
        }
        scenario["languages"] = [scenario["language"]]
        dispatch = self.text(("instructor", "introduction"), _("the instructor's introduction"))
        if dispatch:
            scenario["dispatch"] = dispatch
        scenario["learning_objectives"] = self.objectives()
        scenario["content_notes"] = []
        scenario["authors"] = self.authors(title)
        scenario["reviewers"] = []
        scenario["characters"] = people.characters
        scenario["state"] = dict(INITIAL_STATE)
        scenario["start"] = next(iter(nodes))
        scenario["nodes"] = nodes
        scenario["endings"] = {"end": ending}
        self.review_warnings(people, nodes)
        self.report_dropped()
        return None if self.sink.has_errors else scenario

    def minutes(self) -> int:
        value = self.get(("duration",), (str, int), _("\"duration\""))
        if value is None:
            self.sink.warning(self.pos(()), "policecom-no-duration",
                              _("no \"duration\": minutes taken from POL-COM's default \"{d}\"").format(d=DEFAULT_DURATION),
                              _("set `minutes` to how long the scenario takes"))
            value = DEFAULT_DURATION
        match = _DURATION.match(str(value))
        if not match:
            self.sink.warning(self.pos(("duration",)), "policecom-bad-duration",
                              _("\"duration\" is not minutes or a range of minutes such as \"12-18\""),
                              _("set `minutes` in the imported file"))
            match = _DURATION.match(DEFAULT_DURATION)
        low, high = int(match.group(1)), int(match.group(2) or match.group(1))
        return min(240, max(1, math.floor((low + high) / 2 + 0.5)))

    def language(self) -> str:
        value = self.get(("lang",), str, _("\"lang\""))
        if value and re.fullmatch(r"[a-z]{2,3}", value):
            return value
        match = _LANG_IN_NAME.search(self.file_name)
        if match:
            return match.group(1).lower()
        self.sink.warning(self.pos(()), "policecom-no-language",
                          _("the language is not given (no \"lang\", no \"-en.json\" in the file name): "
                            "written as \"und\" (undetermined)"), _("set `language` and `languages`"))
        return "und"

    def objectives(self) -> list[dict]:
        lessons = self.get(("finalMessage", "keyLessons"), list, _("\"finalMessage.keyLessons\""))
        out = []
        if lessons and len(lessons) > 100:
            self.sink.warning(self.pos(("finalMessage", "keyLessons", 100)), "policecom-too-many",
                              _("only the first 100 key lessons are imported (Parley's limit)"), _("merge some"))
        for i in range(min(len(lessons or []), 100)):
            text = self.text(("finalMessage", "keyLessons", i), _("a key lesson"))
            if text:
                out.append({"id": f"key-lesson-{i + 1}", "text": text, "reveal": "after-play"})
        if out:
            self.sink.warning(self.pos(("finalMessage", "keyLessons")), "policecom-objectives-from-lessons",
                              _("POL-COM's key lessons became the learning objectives; nothing assesses them yet"),
                              _("reword them as objectives and add `scoring: objectives:` to assess them"))
            return out
        self.sink.warning(self.pos(()), "policecom-no-objectives",
                          _("no key lessons: the one learning objective is a note that they are missing"),
                          _("write the scenario's learning objectives"))
        return [{"id": "objectives-missing",
                 "text": "Learning objectives not written yet (imported from POL-COM without key lessons)."}]

    def authors(self, title: str) -> list[dict]:
        """CC BY 4.0: credit, licence name and link, and an indication of the changes."""
        return [
            {"name": "POL-COM project (Erasmus+ 2023-1-CZ01-KA220-VET-000167148)",
             "role": f"original authors of \"{title}\" ({self.file_name}, {SOURCE_REPOSITORY}), part of "
                     f"\"Police De-escalation Training\", licensed under {LICENCE_NAME}: {LICENCE_URL}"},
            {"name": "parley import policecom",
             "role": "Changes were made: converted from POL-COM JSON to the Parley format; grades, effects, "
                     "retries, roles, starting state and ending outcome derived by the importer "
                     "(simulator/content/importers/policecom.py); not reviewed. POL-COM does not endorse "
                     "this adaptation."},
        ]

    # -- people --
    def characters(self, stages: list) -> _People:
        declared = self.get(("characters",), dict, _("\"characters\"")) or {}
        if not declared:
            self.sink.warning(self.pos(()), "policecom-no-characters",
                              _("no \"characters\": speakers are named by their keys"), _("add \"characters\""))
        trainer = self.trainer_key(stages)
        spoken: dict[str, int] = {}
        first_seen: dict[str, tuple] = {}
        for si, stage in enumerate(stages):
            lines = stage.get("npcDialogue") if isinstance(stage, dict) else None
            for li, line in enumerate(lines if isinstance(lines, list) else []):
                key = line.get("character") if isinstance(line, dict) else None
                if isinstance(key, str) and key:
                    spoken[key] = spoken.get(key, 0) + 1
                    first_seen.setdefault(key, ("stages", si, "npcDialogue", li, "character"))
        people = _People(trainer, declared)
        speaking = [k for k in spoken if k != OFFICER_KEY and k not in DISPATCH_KEYS and k != trainer]
        silent = [k for k in declared if k.strip() and k not in spoken and k not in (OFFICER_KEY, trainer)
                  and k not in DISPATCH_KEYS]
        ranked = sorted(speaking, key=lambda k: -spoken[k]) or silent
        if not ranked:
            self.sink.error(self.pos(("characters",)), "policecom-no-subject",
                            _("no person besides the officer, dispatch and the trainer appears, so there is no "
                              "subject for Parley"),
                            _("add the person the officer deals with to \"characters\" and give them a line"))
            return people
        subject = ranked[0]
        for key in ranked + [k for k in silent if k not in ranked]:
            name = self.text(("characters", key, "name"), _("a character's \"name\"")) if key in declared else None
            if name is None:
                name = key.strip()[:200] or "(unnamed)"
                path = ("characters", key) if key in declared else first_seen.get(key, ("characters",))
                message = (_("character \"{key}\" has no name: shown as \"{key}\"") if key in declared else
                           _("character \"{key}\" speaks but is not in \"characters\": added, named \"{key}\""))
                self.sink.warning(self.pos(path), "policecom-unknown-character", message.format(key=key),
                                  _("add it to \"characters\" with a \"name\""))
            people.add(key, name, "subject" if key == subject else "bystander")
        self.sink.warning(self.pos(first_seen.get(subject, ("characters",))), "policecom-subject-guessed",
                          _("POL-COM does not say who the subject is: \"{key}\", who speaks most, was made the "
                            "subject and everyone else a bystander").format(key=subject),
                          _("check `role` in `characters`"))
        return people

    def trainer_key(self, stages: list) -> str | None:
        """The trainer is the first non-officer speaker of the debrief (POL-COM's detectTrainerKey)."""
        for stage in stages:
            if isinstance(stage, dict) and isinstance(stage.get("dialogueSequence"), list):
                for line in stage["dialogueSequence"]:
                    key = line.get("character") if isinstance(line, dict) else None
                    if isinstance(key, str) and key and key != OFFICER_KEY:
                        return key
        return None

    # -- stages --
    def stages(self, stages: list, people: _People) -> tuple[dict, dict | None]:
        final = None
        for si, stage in enumerate(stages):
            path = ("stages", si)
            if not isinstance(stage, dict):
                self.get(path, dict, _("a stage"), required=True)
                return {}, None
            options = stage.get("options")
            if stage.get("finalScene") is True or not options:
                final = si
                break
        if final is None:
            self.sink.error(self.pos(("stages", len(stages) - 1)), "policecom-no-ending",
                            _("every stage has options, so POL-COM never reaches a debrief and neither would Parley"),
                            _("end \"stages\" with a debrief stage: \"finalScene\": true, no options, a \"dialogueSequence\""))
            return {}, None
        if final == 0:
            self.sink.error(self.pos(("stages", 0)), "policecom-no-decisions",
                            _("the first stage is already the debrief: there is no decision to play"),
                            _("put the interactive stages before the debrief stage"))
            return {}, None
        if final + 1 < len(stages):
            self.sink.warning(self.pos(("stages", final + 1)), "policecom-after-ending",
                              ngettext("{n} stage after the debrief stage is never played (POL-COM ends at the "
                                       "first stage without options); not imported",
                                       "{n} stages after the debrief stage are never played (POL-COM ends at the "
                                       "first stage without options); not imported",
                                       len(stages) - final - 1).format(n=len(stages) - final - 1),
                              _("move them before the debrief stage, or remove them"))
        node_ids = [f"stage-{i + 1}" for i in range(final)]
        nodes = {}
        for si in range(final):
            node = self.node(si, stages[si], node_ids, people)
            if node is not None:
                nodes[node_ids[si]] = node
        ending = self.ending(final, stages[final], people)
        return (nodes, ending) if len(nodes) == final else ({}, None)

    def node(self, si: int, stage: dict, node_ids: list[str], people: _People) -> dict | None:
        path = ("stages", si)
        self.check_keys(stage, path, ("stages", "*"))
        what = _("stage {n}").format(n=si + 1)
        label = self.text(path + ("title",), _("the title of {what}").format(what=what))
        parts = [self.text(path + ("sceneUpdate", "title"), _("the scene title of {what}").format(what=what)),
                 self.text(path + ("sceneUpdate", "desc"), _("the scene of {what}").format(what=what)),
                 self.text(path + ("prompt",), _("the prompt of {what}").format(what=what))]
        self.check_nested(stage.get("sceneUpdate"), path + ("sceneUpdate",), {"emoji", "title", "desc"})
        narrative = "\n\n".join(p for p in parts if p)
        if not narrative:
            self.sink.error(self.pos(path), "policecom-no-scene",
                            _("{what} has no scene text and no prompt, so there is nothing to show").format(what=what),
                            _("add \"sceneUpdate\": {\"desc\": ...} or a \"prompt\""))
            return None
        node = {"label": label} if label else {}
        node["narrative"] = self.fit(narrative, path, what)
        lines = self.lines(path + ("npcDialogue",), people)
        if lines:
            node["lines"] = lines
        options = self.get(path + ("options",), list, _("the options of {what}").format(what=what), required=True)
        if options is None:
            return None
        if len(options) > MAX_OPTIONS:
            self.sink.error(self.pos(path + ("options",)), "policecom-too-many",
                            _("{n} options; Parley shows at most {limit} at one scene").format(n=len(options), limit=MAX_OPTIONS),
                            _("POL-COM stages have four options"))
            return None
        here, onward = node_ids[si], (node_ids[si + 1] if si + 1 < len(node_ids) else "end")
        choices = [self.choice(path + ("options", k), f"{here}-{k + 1}", here, onward) for k in range(len(options))]
        if any(c is None for c in choices):
            return None
        if not any(c["grade"] in ("good", "acceptable") for c in choices):
            self.sink.error(self.pos(path + ("options",)), "policecom-no-way-forward",
                            _("{what} has no positive or partially_positive option, so POL-COM never lets a trainee "
                              "past it").format(what=what),
                            _("make the best option \"type\": \"positive\""))
            return None
        node["choices"] = choices
        return node

    def check_nested(self, value, path: tuple, known: set) -> None:
        if isinstance(value, dict):
            for key in value:
                if key in NOT_CONVERTED:
                    self.dropped.setdefault(key, []).append(path + (key,))
                elif key not in known:
                    self.sink.warning(self.pos(path + (key,)), "policecom-unknown-key",
                                      _("\"{key}\" is not a POL-COM field; it is not imported").format(key=key),
                                      _("remove it, or check the spelling"))

    def lines(self, path: tuple, people: _People) -> list[dict]:
        raw = self.get(path, list, _("\"npcDialogue\""))
        out = []
        for li, line in enumerate(raw or []):
            lpath = path + (li,)
            if isinstance(line, str):
                self.sink.warning(self.pos(lpath), "policecom-unnamed-line",
                                  _("a line with no speaker: POL-COM shows it as an unknown person; not imported"),
                                  _("write it as {\"character\": ..., \"text\": ...}"))
                continue
            if self.get(lpath, dict, _("a dialogue line"), required=True) is None:
                continue
            key = self.get(lpath + ("character",), str, _("the line's \"character\""), required=True)
            text = self.text(lpath + ("text",), _("the line's \"text\""), required=True)
            if key is not None and text is not None:
                out.append({"speaker": people.speaker(key), "text": text})
        if len(out) > 100:
            self.sink.error(self.pos(path), "policecom-too-many", _("more than 100 lines at one stage"),
                            _("split the stage"))
        return out

    def choice(self, path: tuple, choice_id: str, here: str, onward: str) -> dict | None:
        option = self.get(path, dict, _("an option"), required=True)
        if option is None:
            return None
        self.check_keys(option, path, ("stages", "*", "options", "*"))
        text = self.text(path + ("text",), _("the option's \"text\""), required=True)
        kind = self.get(path + ("type",), str, _("the option's \"type\""), required=True)
        grading = TYPE_MAP.get(kind) if kind is not None else None
        if kind is not None and grading is None:
            close = difflib.get_close_matches(kind, sorted(TYPE_MAP), n=1)
            self.sink.error(self.pos(path + ("type",)), "policecom-unknown-type",
                            _("\"{kind}\" is not a POL-COM option type").format(kind=kind),
                            _("did you mean \"{close}\"?").format(close=close[0]) if close else
                            _("use one of: {types}").format(types=", ".join(TYPE_MAP)))
        if text is None or grading is None:
            return None
        points = option.get("points")
        if points is not None and (not isinstance(points, (int, float)) or isinstance(points, (bool, _TooLong))):
            self.sink.warning(self.pos(path + ("points",)), "policecom-bad-type",
                              _("the option's \"points\" should be a number, not {actual}; not used").format(
                                  actual=_kind(points)), _("the grade follows the type, as in POL-COM's game"))
        elif points is not None and points not in grading.usual_points:
            self.sink.warning(self.pos(path + ("points",)), "policecom-unusual-points",
                              _("{points} points for a {kind} option (POL-COM's usual: {usual}); the grade follows "
                                "the type, as in POL-COM's game").format(
                                  points=points, kind=kind, usual=_(" or ").join(map(str, grading.usual_points))),
                              _("check the option's \"type\""))
        out = {"id": choice_id, "text": text}
        if grading.effects:
            out["effects"] = dict(grading.effects)
        out["grade"] = grading.grade
        if grading.grade not in ("good", "acceptable"):
            out["against"] = [PLACEHOLDER_AGAINST]
        feedback = self.text(path + ("feedback",), _("the option's \"feedback\""))
        target = onward if grading.advances else here
        reaction = _reaction(feedback)
        if feedback:
            out["feedback"] = feedback
        else:
            self.sink.warning(self.pos(path), "policecom-no-feedback",
                              _("the option has no \"feedback\"; the debrief will say nothing about it"),
                              _("write why it helps or hurts"))
        if reaction:
            out["outcomes"] = [{"weight": 1, "next": target, "text": reaction}]
        else:
            out["next"] = target
        return out

    def ending(self, si: int, stage: dict, people: _People) -> dict:
        path = ("stages", si)
        self.check_keys(stage, path, ("stages", "*"))
        if stage.get("options"):
            self.sink.warning(self.pos(path + ("options",)), "policecom-final-options",
                              _("the debrief stage has options; POL-COM does not show them, nor does Parley"),
                              _("remove them"))
        title = (self.text(path + ("title",), _("the debrief stage's title"))
                 or self.text(path + ("sceneUpdate", "title"), _("the debrief stage's scene title")))
        self.check_nested(stage.get("sceneUpdate"), path + ("sceneUpdate",), {"emoji", "title", "desc"})
        text = self.text(path + ("sceneUpdate", "desc"), _("the debrief stage's scene"))
        sequence = self.get(path + ("dialogueSequence",), list, _("\"dialogueSequence\"")) or []
        said = []
        for li in range(len(sequence)):
            lpath = path + ("dialogueSequence", li)
            if self.get(lpath, dict, _("a debrief line"), required=True) is None:
                continue
            key = self.get(lpath + ("character",), str, _("the line's \"character\""), required=True)
            line = self.text(lpath + ("text",), _("the line's \"text\""), required=True)
            if key and line:
                said.append(f"{people.display_name(key)}: {line}")
        debrief = self.fit("\n\n".join(said), path + ("dialogueSequence",), _("the debrief dialogue")) if said else None
        revelation = self.text(("finalMessage", "revelation"), _("\"finalMessage.revelation\""))
        missing = [name for name, value in (("title", title), ("sceneUpdate.desc", text),
                                            ("dialogueSequence", debrief)) if not value]
        if missing:
            self.sink.warning(self.pos(path), "policecom-thin-ending",
                              _("the debrief stage has no {fields}: the ending says so in its place").format(
                                  fields=", ".join(missing)), _("write the ending's missing text"))
        ending = {"outcome": DEFAULT_OUTCOME,
                  "title": title or "Debrief",
                  "text": text or "(The POL-COM source has no text for its last scene.)",
                  "debrief": debrief or "(The POL-COM source has no debrief dialogue.)"}
        if revelation:
            ending["perspective"] = revelation
        self.sink.warning(self.pos(path), "policecom-ending-outcome",
                          _("POL-COM does not say how the encounter ends: the outcome is written \"{o}\"").format(
                              o=DEFAULT_OUTCOME),
                          _("set `outcome` (resolved, referred, arrest, force-used, injury) from the story"))
        return ending

    # -- what the author must review --
    def review_warnings(self, people: _People, nodes: dict) -> None:
        mistakes = sum(1 for n in nodes.values() for c in n["choices"] if "against" in c)
        if mistakes:
            self.sink.warning(self.pos(("stages",)), "policecom-against-placeholder",
                              ngettext("{n} option graded mistake counts against \"{c}\" as a placeholder: POL-COM "
                                       "does not say which skill an option shows",
                                       "{n} options graded mistake count against \"{c}\" as a placeholder: POL-COM "
                                       "does not say which skill an option shows",
                                       mistakes).format(n=mistakes, c=PLACEHOLDER_AGAINST),
                              _("set `against:` (and technique `tags:`) for each of them"))
        self.sink.warning(self.pos(("stages",)), "policecom-no-shows",
                          _("POL-COM does not say what the person is doing at each stage: no scene has `shows`"),
                          _("add `shows:` (compliant, not-responding, pulling-away, ...) to each node"))
        self.sink.warning(self.pos(()), "policecom-initial-state",
                          _("POL-COM does not model distress: the scenario starts at escalation {e}, rapport {r}").format(
                              e=INITIAL_STATE["escalation"], r=INITIAL_STATE["rapport"]),
                          _("set `state:` from the opening scene"))
        self.sink.warning(self.pos(()), "policecom-no-content-notes",
                          _("POL-COM has no content notes, audience or topics: content_notes and topics are empty, "
                            "audience is \"recruit\""),
                          _("list weapons, injury, self-harm or other difficult content before play"))

    def report_dropped(self) -> None:
        for key, paths in self.dropped.items():
            why = NOT_CONVERTED[key]
            self.sink.warning(self.pos(paths[0]), "policecom-not-converted",
                              _("\"{key}\" ({n}x) has no place in a Parley scenario and is not imported{why}").format(
                                  key=key, n=len(paths), why=f" ({_(why)})" if why else ""),
                              _("nothing to do unless you need it"))


def _reaction(feedback: str | None) -> str | None:
    """The consequences part of POL-COM's "Why: ... | CONSEQUENCES: ... | Reflection: ..." feedback,
    without its label: shown in play after the choice, as POL-COM shows the feedback."""
    if not feedback:
        return None
    parts = [p.strip() for p in feedback.split("|")]
    if len(parts) != 3 or not parts[1]:
        return None
    return _LABEL.sub("", parts[1], count=1) or None


class _People:
    """POL-COM character keys and the Parley characters and speakers they become."""

    def __init__(self, trainer: str | None, declared: dict):
        self.trainer = trainer
        self.declared = declared
        self.characters: dict[str, dict] = {}
        self.ids: dict[str, str] = {}

    def add(self, key: str, name: str, role: str) -> None:
        base = _to_id(key, "person")
        cid, n = base, 2
        while cid in self.characters or cid in ("you", "dispatch"):
            cid, n = f"{base[:60]}-{n}", n + 1
        self.ids[key] = cid
        self.characters[cid] = {"name": name, "role": role}

    def speaker(self, key: str) -> str:
        if key == OFFICER_KEY:
            return "you"
        if key in DISPATCH_KEYS:
            return "dispatch"
        if key not in self.ids:  # the trainer speaking in a stage
            self.add(key, self.display_name(key).strip()[:200] or "(unnamed)", "bystander")
        return self.ids[key]

    def display_name(self, key: str) -> str:
        """The declared name of `key`, or the key itself."""
        person = self.declared.get(key)
        name = person.get("name") if isinstance(person, dict) else None
        return name if isinstance(name, str) and name.strip() else key


# --- writing YAML ------------------------------------------------------------------------------------

class _Dumper(yaml.SafeDumper):
    """Safe YAML that the loader accepts: no anchors or aliases, ambiguous scalars quoted."""

    def ignore_aliases(self, data) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str):
    style = None
    if _AMBIGUOUS.match(value) or _OTHER_BREAKS.search(value):
        style = '"'
    elif "\n" in value:
        style = "|"  # PyYAML falls back to a quoted style where a block scalar cannot hold the text
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_TooLong, _represent_str)


def _comment(text: str) -> str:
    return _COMMENT_UNSAFE.sub(" ", str(text))


def _header(source: _Source, file_name: str) -> str:
    title = source.data.get("title") if isinstance(source.data.get("title"), str) else ""
    return "\n".join([
        "# yaml-language-server: $schema=./scenario.schema.json",
        f"# Imported by `parley import policecom` from {_comment(file_name)}: \"{_comment(title)[:200]}\".",
        f"# {ATTRIBUTION}",
        f"# ({LICENCE_URL}); source: {SOURCE_REPOSITORY}.",
        "# Changes were made: converted to Parley's format; see the `authors` entry and the importer's warnings.",
        "# Review before use: each mistake's `against`, `shows` at each node, `state`, the subject's role,",
        "# the ending's `outcome`, `content_notes`, `audience`, `topics` and the learning objectives.",
        "",
    ])


def _emit(data: dict, header: str) -> str:
    return header + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                              default_flow_style=False)
