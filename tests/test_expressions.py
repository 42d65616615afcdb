"""The condition language: parsing, compiled evaluation, interval analysis, and clear errors."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.engine.expressions import ExpressionError, compile_expr, interval, parse, variables

INDEX = {"escalation": 0, "rapport": 1, "notes": 2}


@pytest.mark.parametrize("source,values,expected", [
    ("escalation >= 4 and rapport < 3", (4, 2, 0), True),
    ("escalation >= 4 and rapport < 3", (3, 2, 0), False),
    ("not escalation == 2 or notes > 0", (2, 0, 1), True),
    ("(escalation - rapport) > 2", (5, 2, 0), True),
    ("-escalation + 3 == 1", (2, 0, 0), True),
    ("true and not false", (0, 0, 0), True),
])
def test_evaluation(source, values, expected):
    assert bool(compile_expr(parse(source), INDEX)(values)) is expected


@pytest.mark.parametrize("source,offset", [("escalation >== 4", 13), ("escalation && 1", 11), ("", 0),
                                           ("(escalation > 1", 15), ("a < b < c", 6), ("rapport >", 9)])
def test_errors_have_offsets(source, offset):
    with pytest.raises(ExpressionError) as info:
        parse(source)
    assert info.value.offset == offset


def test_no_python_evaluation_is_possible():
    for hostile in ("__import__('os')", "escalation.__class__", "[x for x in ()]", "open('f')"):
        with pytest.raises(ExpressionError):
            parse(hostile)


def test_variables_are_listed_with_offsets():
    assert variables(parse("escalation > 1 and notes < 2")) == [("escalation", 0), ("notes", 19)]


ranges = st.tuples(st.integers(-5, 5), st.integers(0, 5)).map(lambda t: (t[0], t[0] + t[1]))


@given(e=ranges, r=ranges, op=st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), k=st.integers(-6, 6),
       joiner=st.sampled_from(["and", "or"]))
def test_interval_analysis_is_sound(e, r, op, k, joiner):
    """Whatever the analysis says for intervals holds for every concrete value inside them."""
    source = f"escalation {op} {k} {joiner} not rapport - escalation > 1"
    ast = parse(source)
    verdict = interval(ast, {"escalation": e, "rapport": r, "notes": (0, 0)})
    fn = compile_expr(ast, INDEX)
    results = {bool(fn((x, y, 0))) for x in range(e[0], e[1] + 1) for y in range(r[0], r[1] + 1)}
    if verdict == (0, 0):
        assert results == {False}
    if verdict == (1, 1):
        assert results == {True}
