"""The condition language: parse `escalation >= 4 and rapport < 3` into closures, never eval."""
from __future__ import annotations

import operator
import re
from functools import lru_cache
from typing import Callable

# AST nodes are tuples: ("num", int) ("var", name) ("not", a) ("neg", a)
# ("and", a, b) ("or", a, b) ("cmp", op, a, b) ("add", a, b) ("sub", a, b)

_TOKEN = re.compile(r"\s*(?:(\d+)|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|<=|>=|<|>|\(|\)|\+|-)|(\S))")
_KEYWORDS = {"and", "or", "not", "true", "false"}
_CMP = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
        ">": operator.gt, ">=": operator.ge}


class ExpressionError(ValueError):
    """A condition that cannot be parsed; `offset` is the 0-based character position."""

    def __init__(self, message: str, offset: int, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.hint = hint


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
            tokens.append(("num", int(number), start))
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


class _Parser:
    def __init__(self, source: str):
        self.tokens = _tokenize(source)
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
        node = self.and_expr()
        while self.peek()[0] == "or":
            self.take()
            node = ("or", node, self.and_expr())
        return node

    def and_expr(self):
        node = self.not_expr()
        while self.peek()[0] == "and":
            self.take()
            node = ("and", node, self.not_expr())
        return node

    def not_expr(self):
        if self.peek()[0] == "not":
            self.take()
            return ("not", self.not_expr())
        return self.comparison()

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
        node = self.unary()
        while self.peek()[0] in ("+", "-"):
            op = self.take()[0]
            node = ("add" if op == "+" else "sub", node, self.unary())
        return node

    def unary(self):
        kind, value, pos = self.peek()
        if kind == "-":
            self.take()
            return ("neg", self.unary())
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
    """Parse a condition into an AST (tuples); raises ExpressionError with an offset."""
    return _Parser(source).parse()


def variables(ast) -> list[tuple[str, int]]:
    """Every variable the expression names, with its character offset."""
    found: list[tuple[str, int]] = []
    stack = [ast]
    while stack:
        node = stack.pop()
        if node[0] == "var":
            found.append((node[1], node[2]))
        elif node[0] in ("not", "neg"):
            stack.append(node[1])
        elif node[0] == "cmp":
            stack.extend((node[2], node[3]))
        elif node[0] != "num":
            stack.extend((node[1], node[2]))
    return sorted(found, key=lambda item: item[1])


def compile_expr(ast, index: dict[str, int]) -> Callable[[tuple], int | bool]:
    """Compile an AST into a closure over the state's value tuple (`index` maps names to slots)."""
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
            return lambda v: op(v[slot], const)
        lf, rf = compile_expr(left, index), compile_expr(right, index)
        return lambda v: op(lf(v), rf(v))
    lf, rf = compile_expr(ast[1], index), compile_expr(ast[2], index)
    if kind == "and":
        return lambda v: lf(v) and rf(v)
    if kind == "or":
        return lambda v: lf(v) or rf(v)
    if kind == "add":
        return lambda v: lf(v) + rf(v)
    return lambda v: lf(v) - rf(v)  # "sub"


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
        a, b = _truth(interval(ast[1], env)), _truth(interval(ast[2], env))
        if kind == "and":
            return (min(a[0], b[0]), min(a[1], b[1]))
        return (max(a[0], b[0]), max(a[1], b[1]))
    (alo, ahi), (blo, bhi) = interval(ast[1], env), interval(ast[2], env)
    if kind == "add":
        return (alo + blo, ahi + bhi)
    return (alo - bhi, ahi - blo)  # "sub"
