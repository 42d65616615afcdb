"""`parley new`'s pure part: an author's answers -> the YAML text of a new scenario that validates.

The answers are untrusted text (a workshop types them): `clean_answer` folds every line break and
run of white space to one space, drops control and bidirectional-override characters and turns a
`{word}` (a placeholder in scenario text) into `(word)`; `quoted` then writes each answer as one
double-quoted YAML scalar, escaping `\\` and `"`, so no answer can end its value, add a key or
a comment, or be read as anything but text. The answers never appear in a YAML comment.

The skeleton (5 scenes, 3 endings: referred, resolved, force-used) is sound practice when played as
it is: every [Draft] text is an instruction to the author, and the options, grades and feedback
already say what a trainer would say, so nothing it teaches is wrong before it is rewritten.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..content.variants import PLACEHOLDER
from ..i18n import _
from ..paths import scenarios_dir

AUDIENCES = ("recruit", "in-service", "community")
FACTOR_KINDS = ("deafness", "limited-english", "autism", "crisis", "trauma", "article-of-faith",
                "peer-audience", "other")
MINUTES_RANGE = (1, 240)  # the schema's `minutes`
LIMITS = {"title": 120, "location": 200, "name": 80, "description": 600, "language": 40, "factor": 600}
SCHEMA_NAME = "scenario.schema.json"

_SPACES = re.compile(r"[\s\x85\u2028\u2029]+")  # line breaks and runs of white space of every kind
_DROP = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff\ud800-\udfff]")
# YAML 1.1's printable characters (what the loader accepts in a file); anything else is escaped
_PRINTABLE = re.compile("[\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Answers:
    """What `parley new` asks. Texts are as typed (cleaned when written); `person_language` is the
    language the person speaks (free text, e.g. "Vietnamese"); `factor_kind` one of FACTOR_KINDS;
    `audience` a tuple of AUDIENCES; `minutes` the estimated length."""

    title: str
    location: str
    person_name: str
    person_description: str
    person_language: str
    factor_kind: str
    factor: str
    audience: tuple[str, ...] = ("recruit",)
    minutes: int = 15


def clean_answer(text: str) -> str:
    """`text` as one clean line: NFC, white space folded, control and bidi-override characters
    dropped, `{word}` turned into `(word)` (scenario text would read it as a placeholder)."""
    text = unicodedata.normalize("NFC", str(text))
    text = _DROP.sub("", _SPACES.sub(" ", text)).strip()
    return PLACEHOLDER.sub(r"(\1)", text)


def answer_problem(field: str, text: str) -> str | None:
    """Why `text` cannot be the answer for `field` (a key of LIMITS), or None when it can."""
    cleaned = clean_answer(text)
    if not cleaned:
        return _("an answer is needed here")
    if len(cleaned) > LIMITS[field]:
        return _("keep it to {limit} characters (this is {length})").format(limit=LIMITS[field], length=len(cleaned))
    return None


def parse_audience(text: str) -> tuple[str, ...]:
    """"recruit, community" (commas or spaces) -> ("recruit", "community") in AUDIENCES' order;
    raises ValueError naming the word that is not an audience, or when none is given."""
    words = [w for w in re.split(r"[\s,;/]+", text.strip().lower()) if w]
    if not words:
        raise ValueError(_("name at least one audience: {choices}").format(choices=", ".join(AUDIENCES)))
    for word in words:
        if word not in AUDIENCES:
            raise ValueError(_("audience must be one or several of {choices}, not {word!r}").format(
                choices=", ".join(AUDIENCES), word=clean_answer(word)[:40]))
    return tuple(a for a in AUDIENCES if a in words)


def parse_minutes(text: str) -> int:
    """A whole number of minutes within MINUTES_RANGE; raises ValueError saying what is allowed."""
    low, high = MINUTES_RANGE
    value = text.strip()
    if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
        raise ValueError(_("minutes must be a whole number from {low} to {high}").format(low=low, high=high))
    return int(value)


def parse_kind(text: str) -> str:
    """A hidden factor's kind, one of FACTOR_KINDS; raises ValueError listing them."""
    value = text.strip().lower()
    if value not in FACTOR_KINDS:
        raise ValueError(_("the kind must be one of {choices}").format(choices=", ".join(FACTOR_KINDS)))
    return value


def slug(title: str) -> str:
    """A scenario id (and file name) from a title: lowercase ASCII letters, digits and `-`, starting
    with a letter, at most 60 characters; "new-scenario" when the title gives no letters."""
    text = unicodedata.normalize("NFKD", str(title)).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if text and not text[0].isalpha():
        text = "scenario-" + text
    return text[:60].rstrip("-") or "new-scenario"


def schema_reference(output: Path, schema: Path | None = None) -> str:
    """What follows `$schema=` on the first line of a scenario written to `output`.

    Beside the schema (the bundled scenarios folder of a checkout) it is `./scenario.schema.json`,
    like every bundled scenario, so the committed file holds no one's home folder. Anywhere else it
    is the schema's absolute `file://` URI: the exact schema the installed `parley validate` uses
    (in a checkout or an installed wheel, `simulator.paths.scenarios_dir()`), which the YAML language
    server reads as is, wherever the scenario file is opened from. A relative path there would break
    as soon as the file or Parley moved; the URI breaks only if Parley moves, and docs/authoring.md
    says how to point it again."""
    schema = (schema or scenarios_dir() / SCHEMA_NAME).resolve()
    if Path(output).resolve().parent == schema.parent:
        return "./" + schema.name
    return schema.as_uri()


def quoted(text: str) -> str:
    """`text` as one double-quoted YAML scalar on one line: `\\` and `"` escaped, and any character
    YAML does not allow in a file (or that would break the line) written as an escape."""
    out = ['"']
    for ch in text:
        if ch in '\\"':
            out.append("\\" + ch)
        elif _PRINTABLE.fullmatch(ch):
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}")
    out.append('"')
    return "".join(out)


def _sentence(text: str) -> str:
    return text if text[-1] in ".!?\u3002" else text + "."


@dataclass(frozen=True)
class _Kind:
    """What the skeleton says for one kind of hidden factor: what the person is doing while it is
    hidden, the option that seeks it, the accommodation, the poor option once it is known, the
    referral, and who should review."""

    shows: str
    seek: str
    seek_tags: str
    accommodate: str
    accommodate_tags: str
    poor: str
    poor_tags: str
    poor_against: str
    refer: str
    refer_tags: str
    who: str


_KINDS = {
    "deafness": _Kind(
        "not-responding", "Step into their line of sight and point to your ear, then wait.",
        "information-gathering, check-understanding",
        "Offer your notepad and pen and write a short first note.", "accommodate-communication",
        "Say it again, louder and more slowly, from where you are standing.", "repeated-commands, treat-as-defiance",
        "communication-access, command-discipline",
        "Ask in writing if they want a qualified interpreter for the follow-up.", "qualified-interpreter",
        "Deaf community members and a certified sign language interpreter"),
    "limited-english": _Kind(
        "not-responding", "Ask which language they are most comfortable speaking.",
        "information-gathering, check-understanding",
        "Call the telephone interpreter line for their language.", "telephone-interpreter",
        "Carry on in English, slowly, and ask if they understand you.", "ignore-communication-need",
        "communication-access",
        "Book a qualified interpreter for the follow-up visit.", "qualified-interpreter",
        "People who have dealt with police in a second language, and a qualified community interpreter"),
    "autism": _Kind(
        "not-responding", "Ask one short, literal question and wait for the answer.",
        "information-gathering, effective-pause",
        "Lower your voice and give one simple request at a time.",
        "accommodate-communication, single-clear-request",
        "Tell them to look at you and answer while you are speaking.", "treat-as-defiance",
        "communication-access",
        "Ask who they would like you to call: a carer, a friend, a support worker.", "call-specialist, offer-choices",
        "Autistic adults and their families, and an autism advocate"),
    "crisis": _Kind(
        "compliant", "Ask how they are doing today, and listen to the answer.",
        "open-question, crisis-recognition",
        "Keep your distance, speak slowly and ask what would help now.",
        "create-distance, crisis-recognition, open-question",
        "Tell them to pull themselves together so you can sort this out.", "dismiss",
        "crisis-referral, empathy-rapport",
        "Call the crisis team and stay with them until it arrives.", "call-specialist, hold-scene",
        "People with lived experience of a mental-health crisis, and a crisis team clinician"),
    "trauma": _Kind(
        "not-responding", "Ask whether anything about police being here worries them.",
        "open-question, information-gathering",
        "Say who you are, why you came and what happens next.", "explain-reason, reassurance",
        "Tell them that if they did nothing wrong, there is nothing to fear.", "dismiss",
        "procedural-justice, empathy-rapport",
        "Offer the number of a victim-support or community advocate service.", "call-specialist",
        "Community members who share the person's experience, and a trauma-informed advocate"),
    "article-of-faith": _Kind(
        "compliant", "Ask them, away from onlookers, what the item is.",
        "information-gathering, cultural-respect",
        "Explain your concern and ask how they would prefer to show it.",
        "cultural-respect, explain-reason, offer-choices",
        "Tell them to take the item off now and hand it over to you here.", "treat-norm-as-threat",
        "cultural-awareness, procedural-justice",
        "Give them the number of the community liaison office and your card.", "call-specialist, explain-reason",
        "Members of the faith community, including someone who wears the article of faith daily"),
    "peer-audience": _Kind(
        "compliant", "Ask what happened, and take in who is watching.",
        "open-question, information-gathering",
        "Offer to talk a few steps away from the group.", "offer-choices, respect",
        "Tell them, in front of their friends, to stop showing off.", "disrespect",
        "procedural-justice, empathy-rapport",
        "Offer the number of a youth outreach worker they can call.", "call-specialist",
        "Young people from the neighborhood and a youth worker"),
    "other": _Kind(
        "compliant", "Ask what would make it easier to talk with you now.",
        "open-question, information-gathering",
        "Do what they asked and change how you talk with them.", "accommodate-communication",
        "Carry on the way you would with anyone else in this situation.", "ignore-communication-need",
        "communication-access",
        "Offer to put them in touch with a service that can help further.", "call-specialist",
        "People who share the person's experience, and an advocate who works with them"),
}


def scenario_yaml(answers: Answers, schema_ref: str = "./" + SCHEMA_NAME) -> str:
    """The YAML text of a new scenario from `answers`, starting with the schema line pointing at
    `schema_ref` (see `schema_reference`). Raises ValueError for an answer `answer_problem`
    refuses, an unknown kind or audience, or minutes out of range."""
    fields = {"title": answers.title, "location": answers.location, "name": answers.person_name,
              "description": answers.person_description, "language": answers.person_language,
              "factor": answers.factor}
    for field, value in fields.items():
        problem = answer_problem(field, value)
        if problem:
            raise ValueError(f"{field}: {problem}")
    kind = parse_kind(answers.factor_kind)
    audience = parse_audience(" ".join(answers.audience))
    minutes = parse_minutes(str(answers.minutes))
    if "\n" in schema_ref or "\r" in schema_ref:
        raise ValueError("the schema reference must be one line")
    text = {field: clean_answer(value) for field, value in fields.items()}
    k = _KINDS[kind]
    q = quoted
    values = {
        # the id is quoted too: a title "Yes" gives the id `yes`, which YAML 1.1 reads as true
        "schema": schema_ref, "id": q(slug(text["title"])), "title": q(text["title"]),
        "summary": q(f"[Draft: say in two or three sentences what the trainee walks into, without giving "
                     f"the hidden factor away.] {text['name']} at {text['location']}."),
        "audience": ", ".join(audience), "minutes": minutes, "kind": kind,
        "location": q(text["location"]), "name": q(text["name"]),
        "description": q(f"{_sentence(text['description'])} Language: {text['language']}."),
        "factor": q(text["factor"]),
        "known_text": q(f"[Draft: write what the officer now sees or hears that shows it.] What you now "
                        f"know: {text['factor']}"),
        "who": q(k.who), "shows": k.shows,
        "seek": q(k.seek), "seek_tags": k.seek_tags,
        "accommodate": q(k.accommodate), "accommodate_tags": k.accommodate_tags,
        "poor": q(k.poor), "poor_tags": k.poor_tags, "poor_against": k.poor_against,
        "refer": q(k.refer), "refer_tags": k.refer_tags,
    }
    return _TEMPLATE.format(**values)


# The skeleton. `{name}`-style fields are filled by `scenario_yaml` (answers always through `quoted`);
# `{{` and `}}` are literal braces. Comments are instructions for the author and stay in the file.
_TEMPLATE = """\
# yaml-language-server: $schema={schema}
#
# A new Parley scenario, made by `parley new`. It already validates and plays to an ending, so you
# can change it one piece at a time and check as you go:
#
#     parley validate THIS-FILE        every error at once, as FILE:LINE:COL: error: ... (hint: ...)
#     parley lint THIS-FILE            fairness, teaching and length warnings (docs/lint.md)
#     parley play THIS-FILE --text     play it in the terminal
#
# Every text that starts with [Draft ...] is an instruction to you: replace the whole text, brackets
# included. The fields and their meaning: docs/scenario-format.md. The way from here to a reviewed
# scenario: docs/authoring.md. Lines starting with # are comments: players never see them.
#
# The first line tells editors with the YAML language server (VS Code with Red Hat's YAML
# extension) where the schema is, for completion and inline errors. Keep it the first line.
format: 1
# The id is the key of saves, logs and translations: never rename it once the scenario has been played.
id: {id}
version: "0.1.0"                   # your scenario's version; raise it when you change what happens
title: {title}
summary: {summary}
# Who it is for: any of recruit, in-service, community.
audience: [{audience}]
# Your estimate for the finished scenario; `parley lint` warns while the text is too short for it.
minutes: {minutes}
# Add a few words (lowercase, joined with -) that a library can filter on.
topics: [{kind}]
language: en                       # the language this file's text is written in
languages: [en]                    # add codes here when translations are added (docs/translating.md)
location: {location}
# What dispatch tells the officer before arrival. Facts only; leave the hidden factor out.
dispatch: >-
  [Draft: the call as dispatch gives it: who called, what they reported, what is known and what is
  not. Officers act on this, so say only what a caller would really have said.]
learning_objectives:
  # One line each: what a trainee should be able to do after playing. `reveal: after-play` keeps an
  # objective that would give the scenario away out of the briefing; the debrief shows it.
  - id: find-out-first
    reveal: after-play
    text: >-
      [Draft: rewrite for this scenario.] Find out what the person needs by asking, before deciding
      what their behaviour means.
  - id: slow-it-down
    text: >-
      [Draft: rewrite for this scenario.] Use time and distance when the moment gets tense, and
      never answer distress with force.
# Shown before play. Name weapons, self-harm, injury, force and anything else difficult, even when
# it happens only on some paths.
content_notes:
  - "Physical force on one path (a hand on the person's arm)"
authors:
  - {{name: "[Draft: your name or your workshop's name]", role: "writer"}}
# Who from the community reviewed this scenario. Empty while it is a draft: validate warns until a
# reviewer is named, and that warning is right until a review has happened (docs/authoring.md).
reviewers: []
review:
  check:
    # What a community review must check, concretely: one question per line.
    - "[Draft] Whether the person, their words and their reactions read as true to people who share their experience."
    - "[Draft] Whether the good options are what a skilled officer would really do here, and the poor ones what officers are really taught or tempted to do."
  who:
    - {who}

characters:
  # A character id is a key used by `present`, `speaker` and `staging`; the name is what players see.
  person:
    name: {name}
    role: subject                  # exactly one subject; others are partner or bystander
    description: {description}
    known_as: "The person"         # what the officer calls them until their name is learned
    name_known_when: "name_known == 1"

state:
  escalation: 1                    # distress at the start: 0 calm ... 6 in crisis
  rapport: 0                       # 0 none ... 5 behavioural change (the Behavioral Change Stairway)
  hidden_factor:
    id: hidden-factor
    kind: {kind}
    # What the trainee does not know at first. Options with `reveals: true` uncover it.
    description: {factor}
  variables:
    name_known: {{initial: 0, min: 0, max: 1, description: "1 once the person has told the officer their name"}}

# Context for judging the proportionality of force (Graham v. Connor). Correct it for your call.
graham:
  offence: "[Draft: what was reported, if anything]"
  offence_severity: none           # none, minor, moderate, serious, violent
  weapon: false                    # false, or text naming the weapon
  danger_to_others: false

start: arrival

nodes:
  # A node is one scene and one decision. Write the narrative from the officer's point of view, in
  # the present tense, with what they can see and hear: "The door opens a hand's width. A man in a
  # bus-garage shirt holds his phone up, filming." A good `perspective` says what the person is
  # living through, in plain words, without judging: the debrief shows it after play.
  arrival:
    label: "Arriving"               # 40 characters or fewer: the debrief names the scene by it
    shows: compliant               # what the person is DOING (not how they feel): compliant,
                                   # not-responding, pulling-away, assaultive, life-threatening
    narrative: >-
      [Draft: what the officer sees and hears on arrival: the place, the light, who is there, what the
      person is doing.] You arrive and see the person a short distance away.
    behaviour: "[Draft: what the person visibly does: posture, hands, voice.]"
    perspective: >-
      [Draft: what the person is thinking and feeling as the officer arrives.]
    choices:
      # Every option has a grade (good, acceptable, mistake, major, critical: docs/scoring.md), tags
      # (what it does: simulator/engine/behaviour.yaml lists them) and feedback (why it helps or
      # hurts, in one or two sentences a trainer would say). A grade below good names, in `against`,
      # the competencies it counts against. Option texts say only what the officer does, at similar
      # lengths: no "calmly" or "because" (validate warns), and poor options should sound like what
      # officers are really taught or tempted to do. Options are shuffled when played.
      - id: arrival-call-over
        text: "Call out across the distance for them to come over to you right away."
        grade: mistake
        against: [time-distance-cover]
        tags: [rush]
        feedback: >-
          [Draft feedback: replace.] Calling the person over before you know what is going on sets
          the pace for them and gives away the time and distance you have.
        next: first-words
      - id: arrival-introduce
        text: "Walk over, say your name and ask what is going on."
        grade: good
        tags: [introduce-self, open-question]
        effects: {{name_known: =1}}   # `=1` sets, `+1` adds: they tell you their name
        feedback: >-
          [Draft feedback: replace.] Giving your name and asking an open question lets the person
          tell you what is happening in their own words.
        next: first-words
      - id: arrival-watch
        text: "Stop short and watch for a moment first."
        grade: good
        tags: [information-gathering, tactical-pause]
        feedback: >-
          [Draft feedback: replace.] A moment of watching from a distance costs nothing and shows you
          where their hands are, what they are doing and who is near.
        next: first-words

  first-words:
    label: "First words"
    # While the hidden factor is unknown, `shows` is what a reasonable officer would see, with what
    # they knew or should have known: not hearing is not refusing.
    shows: {shows}
    narrative: >-
      [Draft: the person does not respond the way the officer expects. Show the cues to the hidden
      factor that a careful officer could notice, without naming it.] The person does not answer
      your question the way you expected.
    behaviour: "[Draft: what the person visibly does now.]"
    perspective: >-
      [Draft: the same moment from the person's side: what they understand of what the officer is
      doing.]
    choices:
      - id: first-louder
        text: "Repeat your question, louder and slower."
        grade: mistake
        against: [command-discipline]
        tags: [repeated-commands]
        effects: {{escalation: +1}}   # a signed number adds; the behaviour model adds its own changes
        feedback: >-
          [Draft feedback: replace.] Repeating the same words louder treats a communication problem
          as defiance and raises the pressure without telling you anything new.
        next: tense-moment
      - id: first-seek
        text: {seek}
        grade: good
        tags: [{seek_tags}]
        reveals: true                # this option uncovers the hidden factor (it sought it)
        feedback: >-
          [Draft feedback: replace.] Finding out what is going on before deciding what the behaviour
          means is the first step of the Critical Decision-Making Model.
        next: factor-known
      - id: first-last-chance
        text: "Tell them this is their last chance to answer."
        grade: mistake
        against: [procedural-justice]
        tags: [threaten]
        feedback: >-
          [Draft feedback: replace.] A threat before you know why they are not answering turns a
          conversation into a contest and tells you nothing.
        next: tense-moment

  factor-known:
    label: "Now you know"
    shows: compliant
    narrative: {known_text}
    behaviour: "[Draft: how the person responds to being asked.]"
    perspective: >-
      [Draft: what it is like for the person to be asked, perhaps for the first time in this
      encounter.]
    choices:
      - id: known-carry-on
        text: {poor}
        grade: mistake
        against: [{poor_against}]
        tags: [{poor_tags}]
        feedback: >-
          [Draft feedback: replace.] Knowing what the person needs and carrying on as before ignores
          it; distress rises and what you learn next is less reliable.
        next: tense-moment
      - id: known-accommodate
        text: {accommodate}
        grade: good
        tags: [{accommodate_tags}]
        feedback: >-
          [Draft feedback: replace.] Meeting the need you found is what lowers distress and lets the
          two of you talk.
        next: tense-moment

  tense-moment:
    label: "A tense moment"
    shows: compliant
    narrative: >-
      [Draft: something changes and the officer must answer it: the person stands up fast, a
      bystander shouts, a phone rings. Keep it something a person in this situation might really
      do.] The person gets to their feet and starts talking quickly.
    behaviour: "[Draft: what the person is doing, hands and voice.]"
    perspective: >-
      [Draft: why the person got up: what they heard, feared or needed at this moment.]
    # A timer makes not deciding a decision too: when it runs out, `expire` is the choice the clock
    # makes, graded like any other. `parley play --text` runs timers only with --timed.
    timer:
      seconds: 25
      expire:
        id: tense-silent
        text: "You say nothing while they grow more upset."
        grade: mistake
        against: [active-listening]
        tags: [dismiss]
        feedback: >-
          [Draft feedback: replace.] Saying nothing leaves the person alone with what is happening;
          a few words about what comes next would have helped.
        next: wrap-up
    choices:
      - id: tense-sit-down
        text: "Tell them firmly to sit back down and stay there."
        grade: mistake
        against: [command-discipline, empathy-rapport]
        tags: [request]
        feedback: >-
          [Draft feedback: replace.] A demand before rapport exists is heard as pressure, and it
          answers a person's distress with an order.
        next: wrap-up
      - id: tense-hold-arm
        text: "Reach out, take hold of their arm and guide them back down to sit."
        grade: critical
        against: [proportionality]
        force: soft-empty-hand       # force options name the level; the node must say what the person `shows`
        tags: [force, touch-without-explanation, close-distance]
        effects: {{escalation: +2}}
        feedback: >-
          [Draft feedback: replace.] Hands on a person who is threatening no one is force without a
          reason: it creates the struggle it claims to prevent.
        next: hands-on
      - id: tense-step-back
        text: "Step back, lower your voice and say what happens next."
        grade: good
        tags: [create-distance, explain-reason]
        feedback: >-
          [Draft feedback: replace.] Distance and a plain account of what comes next give the person
          time, which is what lets distress come down.
        next: wrap-up

  wrap-up:
    label: "Closing the call"
    shows: compliant
    narrative: >-
      [Draft: the situation has settled enough to decide how this call ends.] The person is sitting
      down again and looks at you.
    behaviour: "[Draft: what the person visibly does now.]"
    perspective: >-
      [Draft: what the person hopes, or fears, will happen next.]
    choices:
      - id: wrap-explain
        text: "Explain what happens now and ask if they have questions."
        grade: good
        tags: [explain-reason, give-voice]
        feedback: >-
          [Draft feedback: replace.] Saying what happens next and giving the person a voice is what
          makes a stop feel fair, whatever its outcome.
        next: resolved-on-scene
      - id: wrap-refer
        text: {refer}
        condition: "factor_revealed == 1"   # shown only once the hidden factor is known
        grade: good
        tags: [{refer_tags}]
        feedback: >-
          [Draft feedback: replace.] A referral to the right service is a success, at least as good
          as resolving the call on scene.
        next: referred
      - id: wrap-leave
        text: "Tell them you are done here, get in the car and clear the call."
        grade: mistake
        against: [procedural-justice]
        tags: [premature-closure]
        feedback: >-
          [Draft feedback: replace.] Leaving without a word about what happens next leaves the
          person unsure whether this is over.
        next: resolved-on-scene

endings:
  # An ending's outcome: resolved, referred, arrest, force-used or injury. A referral is a success;
  # an ending reached after force is graded force-used whatever it says here.
  referred:
    outcome: referred
    title: "[Draft] Referred for follow-up"
    text: >-
      [Draft: what happens next, concretely: who comes, what the person agrees to.]
    debrief: >-
      [Draft: for the instructor: why this worked, and a question for discussion.] The hidden factor
      was found by asking and met, and the call ended with the person connected to help.
    perspective: >-
      [Draft: how the person remembers this encounter tonight.]
  resolved-on-scene:
    outcome: resolved
    title: "[Draft] Resolved on scene"
    text: >-
      [Draft: how the call ends and what the officer records.]
    debrief: >-
      [Draft: what went well and what could have gone better; which decision mattered most.] The
      call ended without harm. Ask what the trainee learned about the person, and when.
    perspective: >-
      [Draft: how the person remembers this encounter tonight.]
  hands-on:
    outcome: force-used
    title: "[Draft] Force on a person who threatened no one"
    text: >-
      [Draft: what happens after the force: a supervisor, a report, the person's injuries if any.]
    debrief: >-
      [Draft: name the decision that made force possible.] Force was used on a person who was
      threatening no one. Walk back to the first moment where asking, time or distance was still
      the easy option.
    perspective: >-
      [Draft: what the force meant to the person, then and afterwards.]

# How the debrief decides whether each learning objective was met (docs/scoring.md): by choices,
# tags, endings or the hidden factor. Keep it in step with the objectives and options above.
scoring:
  objectives:
    find-out-first:
      met_by: {{factor_revealed: true}}
      missed_by: {{choices: [first-louder, first-last-chance, known-carry-on]}}
    slow-it-down:
      met_by: {{choices: [tense-step-back]}}
      missed_by: {{choices: [tense-hold-arm, tense-sit-down, tense-silent]}}

debrief:
  takeaways:
    - "[Draft] Ask before you decide what a behaviour means."
  questions:
    - "[Draft] What told you what the person needed, and when?"
"""
