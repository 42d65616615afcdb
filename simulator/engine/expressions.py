"""The condition language: parse `escalation >= 4 and rapport < 3` into closures, never eval.

Conditions come from untrusted scenario files, so their size is bounded before they are parsed
(`check_limits`): at most MAX_LENGTH characters, MAX_DEPTH levels of `(`, `not` and unary `-`
inside one another, MAX_TERMS operands and whole numbers up to MAX_NUMBER. Within those bounds
parsing, compiling, evaluating and the interval analysis never come near Python's recursion limit:
`and`, `or` and sums are n-ary nodes, handled in loops, so only nesting costs stack frames.
"""
from __future__ import annotations

import operator
import re
from collections.abc import Callable
from functools import lru_cache

# AST nodes are tuples: ("num", int) ("var", name, offset) ("not", a) ("neg", a) ("cmp", op, a, b)
# and the n-ary ("and", a, b, ...) ("or", a, b, ...) ("add", a, b, ...), at least two operands each;
# `a - b` is ("add", a, ("neg", b)).

MAX_LENGTH = 2000  # characters in one condition
MAX_DEPTH = 32  # levels of parentheses, `not` and unary `-` inside one another
MAX_TERMS = 128  # operands: numbers, variables, `true` and `false`
MAX_NUMBER = 10**9  # the largest whole number a condition may contain
_MAX_DIGITS = len(str(MAX_NUMBER))

_TOKEN = re.compile(r"\s*(?:(\d+)|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|<=|>=|<|>|\(|\)|\+|-)|(\S))")
_KEYWORDS = {"and", "or", "not", "true", "false"}
_CMP = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
        ">": operator.gt, ">=": operator.ge}
_OPERANDS = ("num", "name", "true", "false")
# After these tokens (or at the start) a `-` is unary: it negates what follows.
_BEFORE_UNARY = {None, "(", "not", "and", "or", "+", "-", *_CMP}


class ExpressionError(ValueError):
    """A condition that cannot be parsed; `offset` is the 0-based character position."""

    def __init__(self, message: str, offset: int, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.hint = hint


def _number(digits: str, start: int) -> int:
    """A number token's value, refusing (before converting) numbers above MAX_NUMBER."""
    significant = digits.lstrip("0") or "0"
    if len(significant) > _MAX_DIGITS or int(significant) > MAX_NUMBER:
        shown = digits if len(digits) <= 12 else f"{digits[:12]}... ({len(digits)} digits)"
        raise ExpressionError(f"the number {shown} is too large", start,
                              f"numbers in conditions are whole numbers up to {MAX_NUMBER:,}")
    return int(significant)


def _tokenize(source: str) -> list[tuple[str, object, int]]:
    tokens: list[tuple[str, object, int]] = []
    pos = 0
    source = source.rstrip()
    while pos < len(source):
        m = _TOKEN.match(source, pos)
        if m is None:  # only trailing whitespace is left
            break
        start = m.start(m.lastindex)
        number, name, symbol, bad = m.groups()
        if number is not None:
            tokens.append(("num", _number(number, start), start))
        elif name is not None:
            tokens.append((name, name, start) if name in _KEYWORDS else ("name", name, start))
        elif symbol is not None:
            tokens.append((symbol, symbol, start))
        else:
            hint = "use `and`, `or`, `not` and `==`" if bad in "&|!=" else ""
            raise ExpressionError(f"unexpected character {bad!r}", start, hint)
        pos = m.end()
    tokens.append(("end", None, len(source)))
    return tokens


def check_limits(source: str) -> list[tuple[str, object, int]]:
    """Tokenise `source` and enforce the size limits before any parsing; returns the tokens.

    Nesting is measured on the tokens as the parser will nest them: each `(` opens a level until
    its `)`, a run of `not` lasts to the end of its `and`/`or` operand, and a run of unary `-`
    lasts for the one operand (or parenthesised group) it negates.
    """
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"the condition is {len(source):,} characters long, more than {MAX_LENGTH:,}",
                              MAX_LENGTH, "split it into simpler conditions, or use a variable set by effects")
    tokens = _tokenize(source)
    frames = [[0, 0]]  # per open group: [`not`s of the current and/or operand, pending unary `-`s]
    terms = 0
    prev = None
    for kind, _value, pos in tokens:
        opened = False
        if kind == "not":
            frames[-1][0] += 1
            opened = True
        elif kind == "-" and prev in _BEFORE_UNARY:
            frames[-1][1] += 1
            opened = True
        elif kind == "(":
            frames.append([0, 0])
            opened = True
        elif kind == ")":
            if len(frames) > 1:  # an unbalanced `)` is the parser's to report
                frames.pop()
            frames[-1][1] = 0  # the group was the operand of the pending `-`s
        elif kind in ("and", "or"):
            frames[-1][0] = frames[-1][1] = 0
        elif kind in _OPERANDS:
            terms += 1
            if terms > MAX_TERMS:
                raise ExpressionError(f"more than {MAX_TERMS} numbers and variables in one condition", pos,
                                      "split it into simpler conditions, or use a variable set by effects")
            frames[-1][1] = 0
        if opened and len(frames) - 1 + sum(n + m for n, m in frames) > MAX_DEPTH:
            raise ExpressionError(f"nesting deeper than {MAX_DEPTH} levels of `(`, `not` and `-`", pos,
                                  "remove redundant parentheses and double negations")
        prev = kind
    return tokens


class _Parser:
    """Recursive descent; recursion only through parentheses, which check_limits has bounded."""

    def __init__(self, tokens: list[tuple[str, object, int]]):
        self.tokens = tokens
        self.i = 0

    def peek(self) -> tuple[str, object, int]:
        return self.tokens[self.i]

    def take(self, kind: str | None = None):
        tok = self.tokens[self.i]
        if kind is not None and tok[0] != kind:
            shown = "the end" if tok[0] == "end" else repr(tok[1])
            raise ExpressionError(f"expected {kind!r} but found {shown}", tok[2])
        self.i += 1
        return tok

    def parse(self):
        if self.peek()[0] == "end":
            raise ExpressionError("the condition is empty", 0, "write e.g. `escalation >= 3`")
        node = self.or_expr()
        tok = self.peek()
        if tok[0] != "end":
            raise ExpressionError(f"unexpected {tok[1]!r}", tok[2],
                                  "join conditions with `and` or `or`")
        return node

    def or_expr(self):
        items = [self.and_expr()]
        while self.peek()[0] == "or":
            self.take()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else ("or", *items)

    def and_expr(self):
        items = [self.not_expr()]
        while self.peek()[0] == "and":
            self.take()
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else ("and", *items)

    def not_expr(self):
        count = 0
        while self.peek()[0] == "not":
            self.take()
            count += 1
        node = self.comparison()
        for _ in range(count):
            node = ("not", node)
        return node

    def comparison(self):
        node = self.sum()
        kind = self.peek()[0]
        if kind in _CMP:
            self.take()
            node = ("cmp", kind, node, self.sum())
            if self.peek()[0] in _CMP:
                tok = self.peek()
                raise ExpressionError("comparisons cannot be chained", tok[2],
                                      "write `a < b and b < c`")
        return node

    def sum(self):
        items = [self.unary()]
        while self.peek()[0] in ("+", "-"):
            op = self.take()[0]
            term = self.unary()
            items.append(term if op == "+" else ("neg", term))
        return items[0] if len(items) == 1 else ("add", *items)

    def unary(self):
        count = 0
        while self.peek()[0] == "-":
            self.take()
            count += 1
        node = self.atom()
        for _ in range(count):
            node = ("neg", node)
        return node

    def atom(self):
        kind, value, pos = self.peek()
        if kind == "num":
            self.take()
            return ("num", value)
        if kind in ("true", "false"):
            self.take()
            return ("num", 1 if kind == "true" else 0)
        if kind == "name":
            self.take()
            return ("var", value, pos)
        if kind == "(":
            self.take()
            node = self.or_expr()
            self.take(")")
            return node
        shown = "the end" if kind == "end" else repr(value)
        raise ExpressionError(f"expected a number, a variable or '(' but found {shown}", pos)


@lru_cache(maxsize=4096)
def parse(source: str):
    """Parse a condition into an AST (tuples); raises ExpressionError with an offset.

    The limits (length, nesting, operands, number size) are checked first, so any source,
    however hostile, gives an AST or an ExpressionError, never RecursionError or ValueError.
    """
    return _Parser(check_limits(source)).parse()


def _children(node) -> tuple:
    kind = node[0]
    if kind in ("num", "var"):
        return ()
    if kind == "cmp":
        return node[2:]
    return node[1:]


def variables(ast) -> list[tuple[str, int]]:
    """Every variable the expression names, with its character offset."""
    found: list[tuple[str, int]] = []
    stack = [ast]
    while stack:
        node = stack.pop()
        if node[0] == "var":
            found.append((node[1], node[2]))
        else:
            stack.extend(_children(node))
    return sorted(found, key=lambda item: item[1])


def _all(fns: tuple) -> Callable[[tuple], int | bool]:
    def test(v):
        result = True
        for fn in fns:
            result = fn(v)
            if not result:
                return result
        return result
    return test


def _any(fns: tuple) -> Callable[[tuple], int | bool]:
    def test(v):
        result = False
        for fn in fns:
            result = fn(v)
            if result:
                return result
        return result
    return test


# `var OP number`, the commonest condition, as one closure per operator: the comparison is written
# out instead of calling `operator.ge` and the like (the same bool, one call fewer per test).
_VAR_CMP_NUM = {
    "==": lambda slot, const: lambda v: v[slot] == const,
    "!=": lambda slot, const: lambda v: v[slot] != const,
    "<": lambda slot, const: lambda v: v[slot] < const,
    "<=": lambda slot, const: lambda v: v[slot] <= const,
    ">": lambda slot, const: lambda v: v[slot] > const,
    ">=": lambda slot, const: lambda v: v[slot] >= const,
}


_LOWER, _UPPER = (">=", ">"), ("<=", "<")
# `x >= lo and x <= hi` and the like, as one chained comparison: the same bool (each side is a pure
# comparison of the same value), one closure instead of three.
_RANGE = {
    (">=", "<="): lambda slot, lo, hi: lambda v: lo <= v[slot] <= hi,
    (">=", "<"): lambda slot, lo, hi: lambda v: lo <= v[slot] < hi,
    (">", "<="): lambda slot, lo, hi: lambda v: lo < v[slot] <= hi,
    (">", "<"): lambda slot, lo, hi: lambda v: lo < v[slot] < hi,
}


def _range(a, b, index: dict[str, int]) -> Callable[[tuple], bool] | None:
    """A closure for `a and b` when they bound one variable from below and from above, else None."""
    if not (a[0] == b[0] == "cmp" and a[2][0] == b[2][0] == "var" and a[3][0] == b[3][0] == "num"
            and a[2][1] == b[2][1]):
        return None
    if a[1] in _UPPER and b[1] in _LOWER:
        a, b = b, a
    if a[1] not in _LOWER or b[1] not in _UPPER:
        return None
    return _RANGE[a[1], b[1]](index[a[2][1]], a[3][1], b[3][1])


def compile_expr(ast, index: dict[str, int]) -> Callable[[tuple], int | bool]:
    """Compile an AST into a closure over the state's value tuple (`index` maps names to slots).

    `and`, `or` and sums call their operands in a loop, so evaluation nests only as deep as the
    condition's parentheses, `not` and unary `-` (bounded by MAX_DEPTH), whatever its length.
    """
    kind = ast[0]
    if kind == "num":
        value = ast[1]
        return lambda v: value
    if kind == "var":
        slot = index[ast[1]]
        return lambda v: v[slot]
    if kind == "not":
        inner = compile_expr(ast[1], index)
        return lambda v: not inner(v)
    if kind == "neg":
        inner = compile_expr(ast[1], index)
        return lambda v: -inner(v)
    if kind == "cmp":
        op = _CMP[ast[1]]
        left, right = ast[2], ast[3]
        # The common shapes `var OP number` get a single closure: conditions run every step.
        if left[0] == "var" and right[0] == "num":
            slot, const = index[left[1]], right[1]
            return _VAR_CMP_NUM[ast[1]](slot, const)
        lf, rf = compile_expr(left, index), compile_expr(right, index)
        return lambda v: op(lf(v), rf(v))
    if kind == "and" and len(ast) == 3:
        ranged = _range(ast[1], ast[2], index)
        if ranged is not None:
            return ranged
    fns = tuple(compile_expr(child, index) for child in ast[1:])
    if len(fns) == 2:  # the common case, a single closure
        lf, rf = fns
        if kind == "and":
            return lambda v: lf(v) and rf(v)
        if kind == "or":
            return lambda v: lf(v) or rf(v)
        return lambda v: lf(v) + rf(v)  # "add"
    if kind == "and":
        return _all(fns)
    if kind == "or":
        return _any(fns)
    return lambda v: sum(fn(v) for fn in fns)  # "add"


# --- Interval analysis -------------------------------------------------------------------------
# A value is an interval (lo, hi) of integers; booleans are (0, 0), (1, 1) or (0, 1) = unknown.

def _truth(iv: tuple[int, int]) -> tuple[int, int]:
    lo, hi = iv
    if lo == 0 and hi == 0:
        return (0, 0)
    if lo > 0 or hi < 0:
        return (1, 1)
    return (0, 1)


def interval(ast, env: dict[str, tuple[int, int]]) -> tuple[int, int]:
    """Evaluate over intervals of possible values: a sound over-approximation.

    For a condition, (0, 0) means it can never hold, (1, 1) that it always holds.
    """
    kind = ast[0]
    if kind == "num":
        return (ast[1], ast[1])
    if kind == "var":
        return env[ast[1]]
    if kind == "not":
        lo, hi = _truth(interval(ast[1], env))
        return (1 - hi, 1 - lo)
    if kind == "neg":
        lo, hi = interval(ast[1], env)
        return (-hi, -lo)
    if kind == "cmp":
        (alo, ahi), (blo, bhi) = interval(ast[2], env), interval(ast[3], env)
        op = ast[1]
        if op == "<":
            return (1, 1) if ahi < blo else (0, 0) if alo >= bhi else (0, 1)
        if op == "<=":
            return (1, 1) if ahi <= blo else (0, 0) if alo > bhi else (0, 1)
        if op == ">":
            return (1, 1) if alo > bhi else (0, 0) if ahi <= blo else (0, 1)
        if op == ">=":
            return (1, 1) if alo >= bhi else (0, 0) if ahi < blo else (0, 1)
        if op == "==":
            if alo == ahi == blo == bhi:
                return (1, 1)
            return (0, 0) if ahi < blo or bhi < alo else (0, 1)
        if alo == ahi == blo == bhi:  # "!="
            return (0, 0)
        return (1, 1) if ahi < blo or bhi < alo else (0, 1)
    if kind in ("and", "or"):
        # Like Python's, `and` and `or` give one of their operands' values (a condition may add
        # them up), not a bare truth value: `a and b` is a falsy a (0), else b; `a or b` is a
        # truthy a, else b. So the result is the hull of the values it can stop at.
        children = ast[1:]
        lo = hi = None
        for i, child in enumerate(children):
            iv = interval(child, env)
            truth = _truth(iv)
            last = i == len(children) - 1
            if kind == "and":
                stop, stops_surely, skips_surely = (0, 0), truth == (0, 0), truth == (1, 1)
            else:
                stop, stops_surely, skips_surely = iv, truth == (1, 1), truth == (0, 0)
            if last:
                stop, skips_surely, stops_surely = iv, False, True
            if not skips_surely:
                lo = stop[0] if lo is None else min(lo, stop[0])
                hi = stop[1] if hi is None else max(hi, stop[1])
            if stops_surely:
                break
        return (lo, hi)
    lo = hi = 0  # "add"
    for child in ast[1:]:
        clo, chi = interval(child, env)
        lo, hi = lo + clo, hi + chi
    return (lo, hi)
