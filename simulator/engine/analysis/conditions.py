"""Conditions evaluated on many states at once: the condition language's AST run over NumPy columns.

Must agree exactly with `simulator.engine.expressions.compile_expr` (tests/test_analysis.py checks
every condition of every shipped scenario on every reachable state): `and`/`or` return an operand,
not a boolean, as Python's do, so `(a and b) + 1` means the same in both; comparisons and `not`
give 0 or 1. Values are int64: conditions are bounded (at most 128 operands of at most 10**9),
so no sum can overflow.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..expressions import parse

_CMP = {"==": np.equal, "!=": np.not_equal, "<": np.less, "<=": np.less_equal,
        ">": np.greater, ">=": np.greater_equal}


@lru_cache(maxsize=4096)
def _ast(source: str):
    return parse(source)


def evaluate(source: str, values: np.ndarray, index) -> np.ndarray:
    """The value of condition `source` in every row of `values` (states x slots), as int64.

    `index` maps variable names to slots (Scenario.var_index)."""
    return _eval(_ast(source), values, index)


def holds(source: str | None, values: np.ndarray, index) -> np.ndarray:
    """A boolean mask: where condition `source` holds (everywhere when `source` is None)."""
    if source is None:
        return np.ones(len(values), dtype=bool)
    return evaluate(source, values, index) != 0


def _eval(ast, values: np.ndarray, index) -> np.ndarray:
    kind = ast[0]
    n = len(values)
    if kind == "num":
        return np.full(n, int(ast[1]), dtype=np.int64)
    if kind == "var":
        return values[:, index[ast[1]]].astype(np.int64)
    if kind == "not":
        return (_eval(ast[1], values, index) == 0).astype(np.int64)
    if kind == "neg":
        return -_eval(ast[1], values, index)
    if kind == "cmp":
        return _CMP[ast[1]](_eval(ast[2], values, index), _eval(ast[3], values, index)).astype(np.int64)
    operands = [_eval(child, values, index) for child in ast[1:]]
    if kind == "add":
        return np.sum(operands, axis=0, dtype=np.int64)
    # Python's `a and b and c`: the first falsy operand, else the last; `or`: the first truthy, else the last
    result = operands[-1]
    for operand in reversed(operands[:-1]):
        result = np.where(operand == 0, operand, result) if kind == "and" else np.where(operand != 0, operand, result)
    return result
