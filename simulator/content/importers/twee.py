"""Twine's Twee 3 source turned into the derivable skeleton of a Parley scenario.

What is converted (Twee 3 spec: iftechfoundation/twine-specs, twee-3-specification.md):
- `StoryTitle` -> `title`, and its slug -> `id` (else the file name's slug); `StoryData.start` (else a
  passage named "Start", Twine's default) -> `start`. The IFID and story format go in a comment.
- Every story passage -> a node (narrative + choices) when it links anywhere, else an ending (text).
  Its name and tags are kept as a YAML comment above it: the schema has no field for them, and a
  Parley choice's `tags` are technique tags that the loader would refuse.
- Links `[[t]]`, `[[t|P]]`, `[[t->P]]`, `[[P<-t]]` (Twine's own rules: rightmost `->`, leftmost
  `<-`, last `|`; a SugarCube setter `][...]` is dropped with a warning) -> choices: link text ->
  `text`, the target's node id -> `next`. Links macros make (SugarCube `<<link>>`, `<<button>>`,
  `<<goto>>`, `<<actions>>`, `<<choice>>`; Harlowe `(link-goto:)`, `(go-to:)`, `(link:)[(go-to:)]`)
  become choices too, each with a warning. A link alone on its line leaves the narrative; a link
  inside a sentence keeps its text there, so the sentence still reads.
- Ids are slugs of passage names (ASCII-folded, lowercase, `-`), unique, at most 64 characters;
  a name with no Latin letters gets `passage-` and a hash of the name, so re-importing is stable.
  People never see ids. Choice ids are `<node>-<target>`.

What is not converted is a warning at its line and column, never silently dropped: story-format
macros (their human-readable text is kept: every branch of an `<<if>>` / `(if:)[...]`, the body of
a changer; the macro itself is removed), variables printed in text, `<script>`/`<style>`, HTML and
wiki markup, `script`/`stylesheet`/`widget`/`startup`... passages and special passages (StoryInit,
PassageHeader...). Comments (`/* */`, `<!-- -->`, `/% %/`) are dropped without a word: Twine never
shows them either. Passage positions and sizes, tag colours and zoom are the Twine editor's layout.

Training content is never invented. Twee has no grades, feedback, technique tags, perspective,
ending outcomes or titles, debriefs, characters, state, audience, learning objectives, content
notes, authors, reviewers, summary, version or language. They are left out, not filled with
placeholders, so that Parley's loader (which `parley import` runs on the result) lists every one
the author must add, all at once: the loader checks the whole derivable structure even when
top-level keys are missing, so emitting nodes, choices and endings yields a to-do list at the exact
lines (a missing `grade` per choice, `outcome`/`title`/`debrief` per ending...). A passage with no
text of its own gets no `narrative`/`text`, for the same reason. `format: 1` is written because it
is the format of the file produced, not a fact about the story.

Untrusted input: any bytes give diagnostics, never a traceback (size capped as the loader's, NUL
bytes, non-UTF-8, CRLF, BOM handled; every scan is linear, nesting is bounded). The YAML is written
by PyYAML's emitter: every text is double-quoted or a literal block, so passage text cannot add
structure; comments carry names with line breaks and controls escaped.

The schema line is an absolute `file:` URI of this installation's scenario.schema.json: the
importer does not know where the output will be written (a relative path cannot be computed), the
schema's `$id` (parley.invalid) is not published anywhere, and an absolute URI works for an editor
wherever on this machine the file is saved.
"""
from __future__ import annotations

import bisect
import difflib
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ...i18n import _
from ..diagnostics import Diagnostic, DiagnosticSink, escape_controls
from ..loader import read_file
from ..schema import SCHEMA_PATH
from ..yamlsafe import MAX_TEXT
from . import ImportResult

MAX_NESTING = 100  # hooks and container macros inside one another; deeper ones are read as text
_ID_MAX = 64

# Passages that are code, style or story-format machinery, not scenes (Twee 3, SugarCube, Harlowe,
# Twine 1). They never become nodes.
_SPECIAL_NAMES = frozenset({
    "StoryInit", "StoryCaption", "StoryMenu", "StoryBanner", "StorySubtitle", "StoryAuthor",
    "StoryInterface", "StoryShare", "StorySettings", "StoryIncludes", "StoryDisplayTitle",
    "PassageReady", "PassageDone", "PassageHeader", "PassageFooter", "MenuOptions", "MenuShare",
    "MenuStory",
})
_SPECIAL_TAGS = frozenset({
    "script", "stylesheet", "widget", "init", "startup", "header", "footer", "debug-startup",
    "debug-header", "debug-footer", "Twine.image", "Twine.audio", "Twine.video", "Twine.vtt",
})

# SugarCube macros that hold a body up to `<</name>>`, besides any whose closer the passage uses.
_SC_CONTAINERS = frozenset({
    "if", "for", "link", "button", "linkappend", "linkprepend", "linkreplace", "nobr", "silently",
    "script", "switch", "widget", "capture", "repeat", "timed", "type", "append", "prepend",
    "replace", "createaudiogroup", "createplaylist", "done", "do", "cycle", "listbox", "click",
})
_SC_CONDITIONS = frozenset({"if", "switch"})
_SC_BRANCHES = frozenset({"else", "elseif", "case", "default"})  # parts of an if/switch block
_SC_LINKS = frozenset({"link", "button", "linkappend", "linkprepend", "linkreplace", "click"})
_SC_HIDDEN = frozenset({"silently", "widget", "done", "createaudiogroup", "createplaylist"})
# Harlowe macro names compare without case, `-` or `_` ("link-goto" is "linkgoto").
_HL_CONDITIONS = frozenset({"if", "elseif", "else", "unless", "hidden", "cond", "when"})
_HL_LINKS = frozenset({"link", "linkreveal", "linkrepeat", "linkrerun", "click", "clickreplace",
                       "clickappend", "clickprepend", "mouseover", "mouseout"})


@dataclass
class _Node:
    """One piece of a parsed passage: text, a link, a macro (with its body), a hook or a drop."""

    kind: str  # text, link, macro, hook, var, drop
    offset: int  # in the whole (normalised) file text
    text: str = ""  # text; a link's inside; a macro's name; a drop's reason
    args: str = ""  # a macro's arguments, a link's setter
    fmt: str = ""  # "sc" or "hl" for macros
    body: list | None = None  # a container macro's or hook's contents
    raw: str = ""  # a Harlowe macro's name as written ("link-goto")


@dataclass
class _Choice:
    text: str
    target: str
    offset: int


class _Gap:
    """Where something was removed: a line holding only gaps and spaces leaves the narrative."""


_GAP = _Gap()


@dataclass
class _Inline:
    """A link's text inside the narrative: kept when the link sits in a sentence."""

    text: str


@dataclass
class _Passage:
    name: str
    tags: list[str]
    line: int  # the header's line
    header: int  # offset of the header's `::` in the file text
    start: int  # offset of the content in the file text
    content: str
    pieces: list = field(default_factory=list)
    choices: list[_Choice] = field(default_factory=list)


class _Finder:
    """`text.find(needle, pos)` that remembers its last answer, so scanning stays linear even when
    a needle never comes (a thousand unclosed `/*` cost one search, not a thousand)."""

    def __init__(self, text: str):
        self.text = text
        self.cache: dict[str, int] = {}

    def find(self, needle: str, pos: int) -> int:
        last = self.cache.get(needle)
        if last is not None and (last == -1 or last >= pos):
            return last
        found = self.text.find(needle, pos)
        self.cache[needle] = found
        return found


def _pairs(text: str, open_ch: str, close_ch: str) -> dict[int, int]:
    """{offset of an opener: offset of its matching closer} in one pass (strings are not tracked:
    an apostrophe in prose would otherwise swallow the rest of the passage)."""
    stack, found = [], {}
    for index, ch in enumerate(text):
        if ch == open_ch:
            stack.append(index)
        elif ch == close_ch and stack:
            found[stack.pop()] = index
    return found


_STRING = re.compile(r'"((?:\\.|[^"\\])*)"|\'((?:\\.|[^\'\\])*)\'')
_ARG_LINK = re.compile(r"\[\[(.*?)\]\]")
_SC_MACRO = re.compile(r"<<(/?)([A-Za-z][\w-]*|=|-)")
_HL_MACRO = re.compile(r"\(([A-Za-z][\w-]*)\s*:")
_HTML_TAG = re.compile(r"</?([A-Za-z][\w-]*)(?:\s[^<>]{0,2000})?/?>")
_VARIABLE = re.compile(r"\$[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*")
_NAMED_HOOK_START = re.compile(r"\|[A-Za-z_][\w-]*>(?=\[)")
_NAMED_HOOK_END = re.compile(r"<[A-Za-z_][\w-]*\|")
_EXTERNAL = re.compile(r"^\w+://")
_CLOSERS_SC = re.compile(r"<</([A-Za-z][\w-]*)>>")


def _strings(args: str) -> list[str]:
    """The string literals in macro arguments, unescaped, and `[[...]]` links as passage names."""
    return [re.sub(r"\\(.)", r"\1", m.group(1) if m.group(1) is not None else m.group(2))
            for m in _STRING.finditer(args)]


def _split_link(inside: str) -> tuple[str, str, str]:
    """(text, target, setter) of a link's inside, by Twine's rules: a setter after `][`; the
    rightmost `->`, else the leftmost `<-`, else the last `|`, else the whole is both."""
    setter = ""
    if "][" in inside:
        inside, setter = inside.split("][", 1)
    if "->" in inside:
        text, target = inside.rsplit("->", 1)
    elif "<-" in inside:
        target, text = inside.split("<-", 1)
    elif "|" in inside:
        text, target = inside.rsplit("|", 1)
    else:
        text = target = inside
    return text.strip(), target, setter


class _Parser:
    """Parses one passage's content into `_Node`s for the story format `fmt` ("sc", "hl", "both")."""

    def __init__(self, content: str, base: int, fmt: str):
        self.s = content
        self.base = base
        self.sc = fmt in ("sc", "both")
        self.hl = fmt in ("hl", "both")
        self.find = _Finder(content)
        self.brackets = _pairs(content, "[", "]") if self.hl else {}
        self.parens = _pairs(content, "(", ")") if self.hl else {}
        self.sc_closers = {m.group(1).lower() for m in _CLOSERS_SC.finditer(content)} if self.sc else set()
        self.closers = sorted(m.start() for m in re.finditer(">>", content)) if self.sc else []
        special = [r"\[\[", r"/\*", "<!--", r"\\\n", "<", r"\$", "''", "(?<!:)//", "~~", r"\^\^"]
        if self.sc:
            special += ["/%", "__", "=="]
        if self.hl:
            special += [r"\(", r"\[", r"\]", r"\*\*", r"\{", r"\}", r"\|"]
        self.special = re.compile("|".join(special))

    def parse(self) -> list[_Node]:
        nodes, _end, _closed = self._parse(0, len(self.s), (), 0)
        return nodes

    def _close_of(self, pos: int) -> int:
        """The offset of the first `>>` at or after `pos`, or -1."""
        k = bisect.bisect_left(self.closers, pos)
        return self.closers[k] if k < len(self.closers) else -1

    def _parse(self, i: int, end: int, open_sc: tuple, depth: int) -> tuple[list[_Node], int, str | None]:
        """Nodes from `i` to `end`; stops early at the closer of a SugarCube macro in `open_sc`
        (returning its name, and consuming it only when it closes the innermost one)."""
        s, out, text_start = self.s, [], i

        def flush(upto: int) -> None:
            if upto > text_start:
                out.append(_Node("text", self.base + text_start, s[text_start:upto]))

        while i < end:
            m = self.special.search(s, i, end)
            if m is None:
                break
            j, tok = m.start(), m.group()
            nxt = None  # (new i, node or None) when the token is consumed
            if tok == "[[":
                # Twine's `\[\[.*?\]\]`: up to the first `]]` on the same line (found through the
                # finder, so a line of a thousand `[[` is not scanned a thousand times)
                k = self.find.find("]]", j + 2)
                eol = self.find.find("\n", j)
                if k != -1 and k + 2 <= end and (eol == -1 or k < eol):
                    nxt = (k + 2, _Node("link", self.base + j, s[j + 2:k]))
                elif self.hl and j in self.brackets:
                    nxt = self._hook(j, end, depth)
            elif tok in ("/*", "<!--", "/%"):
                closer = {"/*": "*/", "<!--": "-->", "/%": "%/"}[tok]
                k = self.find.find(closer, j + len(tok))
                if k != -1 and k < end:
                    nxt = (k + len(closer), None)
            elif tok == "\\\n":  # line continuation (SugarCube and Harlowe)
                nxt = (j + 2, None)
            elif tok == "<":
                nxt = self._angle(j, end, open_sc, depth)
                if nxt == "close":
                    m2 = _SC_MACRO.match(s, j)
                    name = m2.group(2).lower()
                    name = name if m2.group(1) else name[3:]
                    after = self._close_of(j) + 2
                    if name in open_sc:
                        flush(j)
                        # the innermost's closer is consumed; an outer one's ends the inner too
                        return out, (after if name == open_sc[-1] else j), name
                    nxt = (after, _Node("macro", self.base + j, "/" + name, "", "sc"))
            elif tok == "$":
                var = _VARIABLE.match(s, j, end)
                if var:
                    nxt = (var.end(), _Node("var", self.base + j, var.group()))
            elif tok == "(":
                nxt = self._harlowe(j, end, depth)
            elif tok == "[":
                if j in self.brackets and self.brackets[j] < end:
                    nxt = self._hook(j, end, depth)
            elif tok == "]":
                pass  # an unmatched `]` is shown as written by Harlowe too
            elif tok == "|":
                named = _NAMED_HOOK_START.match(s, j, end)
                if named:
                    nxt = (named.end(), None)
            else:  # wiki markup: '' // ~~ ^^ __ == ** { } ]
                nxt = (j + len(tok), _Node("drop", self.base + j, "markup", tok))
            if nxt is None:
                i = j + 1
                continue
            flush(j)
            if nxt[1] is not None:
                out.append(nxt[1])
            i = text_start = nxt[0]
        flush(end)
        return out, end, None

    def _hook(self, j: int, end: int, depth: int):
        """A Harlowe hook `[...]` at `j` (with an optional `<name|` after it)."""
        close = self.brackets.get(j)
        if close is None or close >= end or depth >= MAX_NESTING:
            return None
        body, _e, _c = self._parse(j + 1, close, (), depth + 1)
        after = close + 1
        named = _NAMED_HOOK_END.match(self.s, after, end)
        if named:
            after = named.end()
        return after, _Node("hook", self.base + j, body=body)

    def _harlowe(self, j: int, end: int, depth: int):
        """A Harlowe macro `(name: args)` at `j`, with the hook attached to it if there is one."""
        if not self.hl:
            return None
        m = _HL_MACRO.match(self.s, j, end)
        close = self.parens.get(j)
        if not m or close is None or close >= end:
            return None
        name = m.group(1).lower().replace("-", "").replace("_", "")
        node = _Node("macro", self.base + j, name, self.s[m.end():close], "hl", raw=m.group(1))
        after = close + 1
        k = after
        while k < end and self.s[k] in " \t":
            k += 1
        if k < end and self.s[k] == "[" and k in self.brackets and self.brackets[k] < end:
            hook = self._hook(k, end, depth)
            if hook is not None:
                after, node.body = hook[0], hook[1].body
        return after, node

    def _angle(self, j: int, end: int, open_sc: tuple, depth: int):
        """What starts with `<` at `j`: a SugarCube macro, `<script>`/`<style>`, an HTML tag."""
        s = self.s
        low = s[j:j + 8].lower()
        for tag in ("script", "style"):
            if low.startswith("<" + tag) and (j + len(tag) + 1 >= len(s) or not s[j + len(tag) + 1].isalnum()):
                k = self.find.find(f"</{tag}", j)  # case-sensitive: the usual lowercase closer
                stop = self.find.find(">", k) if k != -1 else -1
                if stop == -1 or stop >= end:
                    stop = end - 1
                return stop + 1, _Node("drop", self.base + j, tag)
        if self.sc and s.startswith("<<", j):
            m = _SC_MACRO.match(s, j, end)
            close = self._close_of(j + 2)
            if not m or close == -1 or close + 2 > end:
                return None
            slash, name = m.group(1), m.group(2).lower()
            if slash or (name.startswith("end") and name[3:] in open_sc):
                return "close"
            node = _Node("macro", self.base + j, name, s[m.end():close], "sc")
            after = close + 2
            if name == "script":  # JavaScript: skip it raw, whatever it contains
                k = self.find.find("<</script>>", after)
                k = end if k == -1 or k > end else k
                node.body = []
                return min(k + len("<</script>>"), end), node
            if (name in _SC_CONTAINERS or name in self.sc_closers) and depth < MAX_NESTING:
                body, after, closed = self._parse(after, end, open_sc + (name,), depth + 1)
                node.body = body
                if closed != name:
                    node.args += "\0unclosed"  # reported by the converter
            return after, node
        tag = _HTML_TAG.match(s, j, end)
        if tag:
            node = _Node("drop", self.base + j, "markup", tag.group())
            if tag.group(1).lower() == "br":
                return tag.end(), _Node("text", self.base + j, "\n")
            return tag.end(), node
        return None


class _Converter:
    """Turns parsed passages into nodes, choices, endings and warnings for one file."""

    def __init__(self, sink: DiagnosticSink, lines: list[int]):
        self.sink = sink
        self.line_starts = lines
        self.markup_warned: set[str] = set()

    def pos(self, offset: int) -> tuple[int, int]:
        """(line, column), 1-based, of an offset in the file text."""
        k = bisect.bisect_right(self.line_starts, offset) - 1
        return k + 1, offset - self.line_starts[k] + 1

    def warn(self, offset: int, code: str, message: str, hint: str = "") -> None:
        self.sink.warning(self.pos(offset), code, message, hint)

    def passage(self, passage: _Passage, nodes: list[_Node]) -> None:
        """Fill `passage.pieces` and `passage.choices` from its parsed content."""
        self.current = passage
        self.walk(nodes, None)

    def walk(self, nodes: list[_Node], cond: str | None) -> None:
        for node in nodes:
            handler = getattr(self, "_" + node.kind)
            handler(node, cond)

    def _text(self, node: _Node, cond: str | None) -> None:
        self.current.pieces.append(node.text)

    def _hook(self, node: _Node, cond: str | None) -> None:
        self.walk(node.body or [], cond)

    def _var(self, node: _Node, cond: str | None) -> None:
        self.current.pieces.append(_GAP)
        self.warn(node.offset, "twee-variable-dropped",
                  _("the story variable {name} is printed here; Parley has no story variables, "
                    "so it was removed").format(
                      name=node.text),
                  _("write the words it stands for in the narrative"))

    def _drop(self, node: _Node, cond: str | None) -> None:
        self.current.pieces.append(_GAP)
        if node.text in ("script", "style"):
            self.warn(node.offset, "twee-html-dropped",
                      _("a <{tag}> element was removed: Parley runs no scripts or styles from scenarios").format(
                          tag=node.text),
                      _("describe in the narrative anything it showed"))
        elif self.current.name not in self.markup_warned:
            self.markup_warned.add(self.current.name)
            self.warn(node.offset, "twee-markup-removed",
                      _("formatting markup ({markup}) was removed from this passage: Parley shows plain text").format(
                          markup=node.args[:40]),
                      _("check that the narrative still reads as meant"))

    def _link(self, node: _Node, cond: str | None) -> None:
        text, target, setter = _split_link(node.text)
        if _EXTERNAL.match(target):
            self.warn(node.offset, "twee-external-link",
                      _("the link to {url} leaves the story; it was kept as text").format(url=target[:200]))
            self.current.pieces.append(text)
            return
        if setter:
            self.warn(node.offset, "twee-setter-dropped",
                      _("the link's setter [{setter}] was dropped: Parley has no story variables").format(
                          setter=setter[:200]),
                      _("use `effects:` on the choice if it changes escalation or rapport"))
        self.choice(text, target, node.offset, cond)
        self.current.pieces.append(_Inline(text))

    def choice(self, text: str, target: str, offset: int, cond: str | None) -> None:
        """Record a choice; warn when the condition around it was dropped."""
        if cond:
            self.warn(offset, "twee-condition-dropped",
                      _("this link is inside {condition}; the condition was dropped "
                        "and the choice is always offered").format(
                          condition=cond),
                      _("add a `condition:` on Parley's variables if the choice must depend on the state"))
        self.current.choices.append(_Choice(text, target, offset))

    def _macro(self, node: _Node, cond: str | None) -> None:
        self.current.pieces.append(_GAP)
        if node.fmt == "sc":
            self._sugarcube(node, cond)
        else:
            self._harlowe(node, cond)
        if node.args.endswith("\0unclosed"):
            self.warn(node.offset, "twee-unclosed-macro",
                      _("<<{name}>> has no <</{name}>>; its text up to the end of the passage was kept").format(
                          name=node.text))

    def _alternative(self) -> None:
        """Mark where another branch's text begins: ` / ` when the branches share a line, so
        "a dog / a cat" reads as the choice the author must make."""
        texts = [p for p in self.current.pieces if isinstance(p, (str, _Inline))]
        last = texts[-1] if texts else ""
        last = last.text if isinstance(last, _Inline) else last
        if last and not last.endswith("\n"):
            self.current.pieces.append(" / ")

    def _dropped(self, node: _Node, shown: str, kept_text: bool) -> None:
        message = (_("the macro {macro} was removed and the text inside it kept: Parley cannot run story-format macros")
                   if kept_text else _("the macro {macro} was removed: Parley cannot run story-format macros"))
        self.warn(node.offset, "twee-macro-dropped", message.format(macro=shown),
                  _("rewrite what it did with Parley's own fields (conditions, effects) or in the text"))

    def _links_in(self, args: str) -> list[tuple[str, str]]:
        """(text, target) of each `[[...]]` in macro arguments."""
        return [_split_link(m.group(1))[:2] for m in _ARG_LINK.finditer(args)]

    def _gotos(self, body: list[_Node]) -> list[str]:
        """Passage names that macros in `body` go to (`<<goto>>`, `(go-to:)`), depth first."""
        found = []
        stack = list(reversed(body))
        while stack:
            node = stack.pop()
            if node.kind == "macro" and node.text == "goto":  # SugarCube <<goto>>, Harlowe (go-to:)
                found += [t for _t, t in self._links_in(node.args)] or _strings(node.args)[:1]
            stack.extend(reversed(node.body or []))
        return found

    def _macro_choice(self, node: _Node, shown: str, text: str, target: str | None, cond: str | None) -> None:
        if target is None:
            self.warn(node.offset, "twee-macro-dropped",
                      _("{macro} goes to no passage Parley can find (a variable or code decides); "
                        "it was removed").format(
                          macro=shown),
                      _("add the choice by hand, with `next:` naming the scene it leads to"))
            return
        self.warn(node.offset, "twee-macro-link",
                  _("{macro} became a choice; anything it ran on the way was dropped").format(macro=shown),
                  _("check the choice's text and add `effects:` if the macro changed the state"))
        self.choice(text, target, node.offset, cond)
        if text and node.text != "goto":  # a link's words in a sentence keep the sentence whole
            self.current.pieces.append(_Inline(text))

    def _drop_condition(self, node: _Node, shown: str, body, cond: str | None, message: str) -> None:
        """A condition macro (SugarCube or Harlowe): warn that it was dropped, keep its text, and pass
        where it was to the links inside it, whose own warnings say that their condition was dropped."""
        here = _("{macro} at line {line}").format(macro=shown, line=self.pos(node.offset)[0])
        self.warn(node.offset, "twee-condition-dropped", message.format(macro=shown),
                  _("keep one branch's text, or split the scene with conditions on choices"))
        self.walk(body or [], cond or here)

    def _sugarcube(self, node: _Node, cond: str | None) -> None:
        name, args, body = node.text, node.args.split("\0")[0], node.body
        shown = f"<<{name}>>"
        if name in _SC_CONDITIONS:
            self._drop_condition(node, shown, body, cond, _("{macro} was removed and the text of every branch "
                                                            "kept: Parley shows narrative without conditions"))
        elif name in _SC_BRANCHES:  # part of the enclosing <<if>>/<<switch>>, reported there
            self._alternative()
        elif name in _SC_LINKS:
            links = self._links_in(args)
            strings = _strings(args)
            gotos = self._gotos(body or [])
            if links:
                text, target = links[0]
            else:
                text = strings[0] if strings else ""
                target = strings[1] if len(strings) > 1 else (gotos[0] if gotos else None)
            self._macro_choice(node, shown, text, target, cond)
        elif name in ("goto", "actions", "choice"):
            links = self._links_in(args)
            strings = _strings(args)
            if links:
                pairs = links
            elif name == "choice" and strings:
                pairs = [(strings[1] if len(strings) > 1 else strings[0], strings[0])]
            else:  # <<goto "P">>, <<actions "P" "Q">>: the passage name is what Twine would show
                pairs = [(s, s) for s in strings]
            for text, target in pairs or [("", None)]:
                self._macro_choice(node, shown, text, target, cond)
        elif name in _SC_HIDDEN or name == "script":
            self._dropped(node, shown, False)
        elif body is not None:
            self._dropped(node, shown, True)
            self.walk(body, cond)
        else:
            self._dropped(node, shown, False)

    def _harlowe(self, node: _Node, cond: str | None) -> None:
        name, args, body = node.text, node.args, node.body
        shown = f"({node.raw}:)"
        strings = _strings(args)
        if name in _HL_CONDITIONS:
            if name in ("else", "elseif"):
                self._alternative()
            self._drop_condition(node, shown, body, cond, _("{macro} was removed and the text of its hook "
                                                            "kept: Parley shows narrative without conditions"))
        elif name in ("linkgoto", "linkrevealgoto"):
            text = strings[0] if strings else ""
            target = strings[1] if len(strings) > 1 else (strings[0] if strings else None)
            self._macro_choice(node, shown, text, target, cond)
        elif name in ("goto",):
            target = strings[0] if strings else None
            self._macro_choice(node, shown, target or "", target, cond)
        elif name in _HL_LINKS:
            gotos = self._gotos(body or [])
            if gotos:
                self._macro_choice(node, shown, strings[0] if strings else "", gotos[0], cond)
            else:
                self._dropped(node, shown, body is not None)
                if strings and name.startswith("link"):
                    self.current.pieces.append(strings[0])
                self.walk(body or [], cond)
        elif body is not None:
            self._dropped(node, shown, True)
            self.walk(body, cond)
        else:
            self._dropped(node, shown, False)


_BULLETS = re.compile(r"[\s\-*•·|>]*")


def _narrative(pieces: list) -> str:
    """The narrative from text pieces and inline links: a line holding only links (and bullets)
    is removed, a link inside a sentence keeps its text; runs of blank lines become one."""
    lines, current = [], []
    for piece in pieces:
        if not isinstance(piece, str):
            current.append(piece)
            continue
        parts = piece.split("\n")
        for k, part in enumerate(parts):
            if k:
                lines.append(current)
                current = []
            if part:
                current.append(part)
    lines.append(current)
    text_lines = []
    for line in lines:
        plain = "".join(p for p in line if isinstance(p, str))
        if any(isinstance(p, _Inline) for p in line) and _BULLETS.fullmatch(plain):
            continue
        if any(p is _GAP for p in line) and not plain.strip():
            continue
        text_lines.append("".join(p.text if isinstance(p, _Inline) else p for p in line
                                  if p is not _GAP).rstrip())
    text = "\n".join(text_lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def _slug(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if not slug:
        return "passage-" + hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    if not slug[0].isalpha():
        slug = "p-" + slug
    return slug[:_ID_MAX].rstrip("-")


class _Ids:
    """Unique ids from names: the slug, then `-2`, `-3`... (cut to fit 64 characters)."""

    def __init__(self):
        self.taken: set[str] = set()

    def new(self, base: str) -> str:
        candidate, n = base, 1
        while candidate in self.taken:
            n += 1
            suffix = f"-{n}"
            candidate = base[:_ID_MAX - len(suffix)].rstrip("-") + suffix
        self.taken.add(candidate)
        return candidate


def _header(line: str) -> tuple[str, list[str], str]:
    """(name, tags, metadata text) of a header line without its `::`, unescaping `\\x` to `x`."""
    i, n, name = 0, len(line), []
    while i < n and line[i] not in "[{":
        if line[i] == "\\" and i + 1 < n:
            i += 1
        name.append(line[i])
        i += 1
    tags: list[str] = []
    rest = line[i:]
    if rest.startswith("["):
        k, raw = 1, []
        while k < len(rest) and rest[k] != "]":
            if rest[k] == "\\" and k + 1 < len(rest):
                k += 1
            raw.append(rest[k] if rest[k] not in " \t" else "\0")
            k += 1
        tags = [t for t in "".join(raw).split("\0") if t]
        rest = rest[k + 1:].lstrip()
    rest = re.sub(r"\s*<\d+,\d+>\s*$", "", rest)  # Twee2's position block
    return "".join(name).strip(), tags, rest.strip()


def _decode(raw: bytes, sink: DiagnosticSink) -> str | None:
    """The file's text (UTF-8, BOM removed, line ends made `\\n`), or None after an error."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw:
        sink.error(None, "twee-not-text",
                   _("this is not a Twee text file (it holds NUL bytes: binary data or UTF-16)"),
                   _("export the story from Twine as Twee (Build > Export as Twee), saved as UTF-8"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[start:exc.start].decode("utf-8", "replace")) + 1
        sink.error((line, column), "twee-encoding",
                   _("the file is not valid UTF-8 (byte 0x{byte:02x})").format(byte=raw[exc.start]),
                   _("save the file as UTF-8, as Twine and Tweego write it"))
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _safe_comment(text: str) -> str:
    """`text` for a YAML comment: controls, YAML line breaks and non-printables escaped."""
    text = escape_controls(text)
    return re.sub("[^\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]",
                  lambda m: f"\\u{ord(m.group()):04x}", text)


class _Dumper(yaml.SafeDumper):
    """Writes ids plainly and every other text double-quoted or as a literal block, so no text can
    be read back as structure or as a number or boolean (YAML 1.1 or 1.2)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        # lists indented under their key, as in scenarios/*.yaml (the loader also places a
        # diagnostic on an item of an indentless list at the list's first item)
        return super().increase_indent(flow, False)


_PLAIN_ID = re.compile(r"[a-z][a-z0-9_-]*")


def _represent_str(dumper: yaml.SafeDumper, value: str):
    if _PLAIN_ID.fullmatch(value):
        style = None  # the emitter still quotes `yes`, `null`... which would resolve to non-text
    elif "\n" in value and not re.search("[\r\x85\u2028\u2029\t]", value):
        style = "|"  # the emitter falls back to double quotes when a literal block cannot hold it
    else:
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _dump(data: dict, indent: int = 0) -> list[str]:
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10 ** 9,
                     default_flow_style=False)
    return [" " * indent + line if line else line for line in text.splitlines()]


def import_twee(path: Path) -> ImportResult:
    """Convert the Twee 3 file at `path` into the YAML text of a Parley scenario.

    Returns the text (None when nothing usable could be read) and every diagnostic, positioned in
    the Twee file. Never raises for bad content.
    """
    path = Path(path)
    sink = DiagnosticSink(str(path))
    try:
        text, name = _import(path, sink)
    except Exception as exc:  # noqa: BLE001 - a bug must still give a diagnostic, never a traceback
        sink.error(None, "twee-internal-error",
                   _("the importer failed on this file ({error})").format(error=type(exc).__name__),
                   _("please report it with the file"))
        text, name = None, ""
    return ImportResult(text, sink.sorted(), name)


def _import(path: Path, sink: DiagnosticSink) -> tuple[str | None, str]:
    raw = read_file(path, sink.file)
    if isinstance(raw, Diagnostic):
        sink.items.append(raw)
        return None, ""
    source = _decode(raw, sink)
    if source is None:
        return None, ""
    conv = _Converter(sink, [0] + [m.end() for m in re.finditer("\n", source)])
    read = _read_passages(source, conv)
    if read is None:
        return None, ""
    passages, special = read
    data, fmt_name, fmt = _story_data(special, conv)
    for passage in passages.values():
        conv.passage(passage, _Parser(passage.content, passage.start, fmt).parse())
    ids = _Ids()
    node_ids = {name: ids.new(_slug(name)) for name in passages}
    missing_ids = _check_links(passages, special, ids, conv)
    start_name = _start(data, passages, special, conv)

    title = special["StoryTitle"].content.strip() if "StoryTitle" in special else ""
    scenario_id = _slug(title) if title else _slug(path.stem or "imported")
    top: dict = {"format": 1, "id": scenario_id}
    if title:
        top["title"] = _text_value(title, special["StoryTitle"].start, conv)
    if start_name in node_ids:
        top["start"] = node_ids[start_name]
    else:  # still written, so that the loader also points at it
        if start_name not in missing_ids:
            missing_ids[start_name] = ids.new(_slug(start_name))
        top["start"] = missing_ids[start_name]
    about = f"# Imported from Twine (Twee 3): {path.name}"
    if fmt_name:
        about += f"; story format {fmt_name} {data.get('format-version', '')}".rstrip()
    if isinstance(data.get("ifid"), str):
        about += f"; IFID {data['ifid']}"
    out = [f"# yaml-language-server: $schema={SCHEMA_PATH.resolve().as_uri()}", _safe_comment(about),
           "# Parley needs what Twine does not hold (grades, feedback, endings' outcomes, characters, state...):",
           "# `python main.py validate` on this file lists everything still to add.",
           *_dump(top), *_scenes(passages, {**node_ids, **missing_ids}, conv)]
    return "\n".join(out) + "\n", scenario_id + ".yaml"


def _read_passages(source: str, conv: _Converter) -> tuple[dict, dict] | None:
    """({name: story passage}, {name: special passage}) in file order; None when there are none.

    A header is a line starting with `::`; its content runs to the next header, trailing blank
    lines left out (Twee 3). A later passage of the same name replaces an earlier one, as in Tweego.
    """
    headers = [m.start() for m in re.finditer(r"(?m)^::", source)]
    if not headers:
        conv.sink.error(None, "twee-no-passages", _("no passage found: a Twee passage starts with a line `:: Name`"),
                        _("export the story from Twine as Twee (Build > Export as Twee)"))
        return None
    if source[:headers[0]].strip():
        conv.warn(0, "twee-text-before-passage", _("the text before the first passage header was ignored"))
    passages: dict[str, _Passage] = {}
    special: dict[str, _Passage] = {}
    for k, start in enumerate(headers):
        eol = source.find("\n", start)
        eol = len(source) if eol == -1 else eol
        end = headers[k + 1] if k + 1 < len(headers) else len(source)
        name, tags, meta = _header(source[start + 2:eol])
        if meta:
            try:
                if not isinstance(json.loads(meta), dict):
                    raise ValueError
            except ValueError:  # Twee 3: warn, discard the metadata, go on
                conv.warn(start, "twee-bad-metadata",
                          _("the passage header's metadata is not a JSON object; it was ignored"))
        if not name:
            conv.warn(start, "twee-unnamed-passage", _("this passage has no name; it was skipped"),
                      _("write a name after `::`"))
            continue
        content = source[eol + 1:end].rstrip("\n ") if eol < end else ""
        passage = _Passage(name, tags, conv.pos(start)[0], start, min(eol + 1, len(source)), content)
        if name in passages or name in special:
            conv.warn(start, "twee-duplicate-passage",
                      _("a passage named “{name}” came before; this later one replaces it, as in Tweego").format(
                          name=name),
                      _("rename one of them"))
            passages.pop(name, None)
            special.pop(name, None)
        is_special = (name in _SPECIAL_NAMES or name in ("StoryTitle", "StoryData")
                      or _SPECIAL_TAGS.intersection(tags))
        (special if is_special else passages)[name] = passage
    for name, passage in special.items():
        if name not in ("StoryTitle", "StoryData"):
            tagged = sorted(_SPECIAL_TAGS.intersection(passage.tags))
            what = _("tagged {tags}").format(tags=" ".join(tagged)) if tagged else _("a special passage")
            conv.warn(passage.header, "twee-special-passage",
                      _("the passage “{name}” ({what}) is story-format code or set-up and was not converted").format(
                          name=name, what=what),
                      _("set the scenario's initial state under `state:` and describe the rest in the scenes"))
    return passages, special


def _story_data(special: dict, conv: _Converter) -> tuple[dict, str, str]:
    """(StoryData as a dict, the story format's name, the macro syntax to read: sc, hl or both)."""
    data: dict = {}
    if "StoryData" in special:
        story = special["StoryData"]
        try:
            data = json.loads(story.content)
            if not isinstance(data, dict):
                raise ValueError("not an object")
        except ValueError:  # Twee 3: warn, discard, go on
            conv.warn(story.start, "twee-bad-storydata",
                      _("StoryData is not a JSON object; it was ignored (start passage: \"Start\")"),
                      _("write StoryData as Twine exports it: {\"ifid\": ..., \"start\": ...}"))
            data = {}
    fmt_name = str(data.get("format") or "")
    fmt = {"sugarcube": "sc", "harlowe": "hl"}.get(fmt_name.lower(), "both")
    if not fmt_name:  # Tweego defaults to SugarCube, Twine to Harlowe: look for both
        conv.sink.warning(None, "twee-no-format",
                          _("StoryData names no story format; both SugarCube and Harlowe macros were looked for"))
    elif fmt == "both":
        conv.sink.warning(None, "twee-format-unsupported",
                          _("the story format {format} is not one the importer knows; only links and SugarCube "
                            "or Harlowe macros were converted").format(format=fmt_name[:100]),
                          _("check each narrative for code the story format would have run"))
    return data, fmt_name, fmt


def _check_links(passages: dict, special: dict, ids: _Ids, conv: _Converter) -> dict[str, str]:
    """Report every link to a passage that is not a scene, all at once; returns an id for each
    such target (written as `next`, so the loader points at it in the YAML too)."""
    missing: dict[str, str] = {}
    names = list(passages)[:500]  # "did you mean" stays cheap on huge files
    for passage in passages.values():
        for choice in passage.choices:
            if choice.target in passages:
                continue
            if choice.target in special:
                message = _("the link goes to “{target}”, a special passage that was not converted")
            else:
                message = _("the link goes to “{target}”, and there is no passage of that name")
            close = difflib.get_close_matches(choice.target, names, n=1)
            hint = (_("did you mean “{name}”?").format(name=close[0]) if close
                    else _("add the passage, or correct the link's target"))
            conv.sink.error(conv.pos(choice.offset), "twee-missing-passage",
                            message.format(target=choice.target), hint)
            if choice.target not in missing:
                missing[choice.target] = ids.new(_slug(choice.target))
    return missing


def _start(data: dict, passages: dict, special: dict, conv: _Converter) -> str:
    """The start passage's name: StoryData's `start`, else "Start" (Twine's default)."""
    name = data.get("start") if isinstance(data.get("start"), str) else None
    if name is None:
        if "Start" not in passages:
            conv.sink.error(None, "twee-no-start",
                            _("StoryData names no start passage and there is no passage named \"Start\""),
                            _("add \"start\": \"Passage name\" to StoryData, or name the first passage Start"))
        return "Start"
    if name not in passages:
        where = conv.pos(special["StoryData"].start) if "StoryData" in special else None
        conv.sink.error(where, "twee-missing-start",
                        _("StoryData's start passage “{name}” does not exist").format(name=name),
                        _("name an existing passage as \"start\""))
    return name


def _scenes(passages: dict, ids: dict[str, str], conv: _Converter) -> list[str]:
    """The `nodes:` and `endings:` sections, each scene under a comment naming its passage."""
    choice_ids = _Ids()
    nodes, endings = [], []
    for name, passage in passages.items():
        node_id = ids[name]
        narrative = _text_value(_narrative(passage.pieces), passage.start, conv)
        comment = f"  # Twine passage “{name}” (line {passage.line})"
        if passage.tags:
            comment += ", tags: " + " ".join(passage.tags)
        lines = [_safe_comment(comment)]
        if not passage.choices:
            endings += lines + _dump({node_id: {"text": narrative} if narrative else {}}, 2)
            continue
        body: dict = {"narrative": narrative} if narrative else {}
        body["choices"] = []
        for choice in passage.choices:
            entry = {"id": choice_ids.new(_slug(f"{node_id}-{ids[choice.target]}"))}
            text = _text_value(choice.text, choice.offset, conv)
            if text:
                entry["text"] = text
            entry["next"] = ids[choice.target]
            body["choices"].append(entry)
        nodes += lines + _dump({node_id: body}, 2)
    return ["nodes:" if nodes else "nodes: {}", *nodes, "endings:" if endings else "endings: {}", *endings]


def _text_value(text: str, offset: int, conv: _Converter) -> str:
    """`text` cut to the loader's limit for one value, with an error when it had to be cut."""
    if len(text) <= MAX_TEXT:
        return text
    conv.sink.error(conv.pos(offset), "twee-text-too-long",
                    _("this text has {count:,} characters; Parley's limit for one text is {limit:,}, "
                      "so it was cut").format(
                        count=len(text), limit=MAX_TEXT),
                    _("split the passage into several scenes"))
    return text[:MAX_TEXT]
