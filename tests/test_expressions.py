"""The condition language: parsing, compiled evaluation, interval analysis, and clear errors."""
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from simulator.engine.expressions import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_NUMBER,
    MAX_TERMS,
    ExpressionError,
    compile_expr,
    interval,
    parse,
    variables,
)

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


# --- limits: checked before parsing, each accepted at the limit and refused just past it ---------

def _refused(source: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        parse(source)
    return info.value


def test_the_limits_are_the_documented_ones():
    assert (MAX_LENGTH, MAX_DEPTH, MAX_TERMS, MAX_NUMBER) == (2000, 32, 128, 10**9)


def test_length_limit():
    at_limit = " " * (MAX_LENGTH - len("escalation >= 1")) + "escalation >= 1"
    assert len(at_limit) == MAX_LENGTH and parse(at_limit) == ("cmp", ">=", ("var", "escalation", 1985), ("num", 1))
    error = _refused(" " + at_limit)
    assert error.offset == MAX_LENGTH and "2,001 characters" in error.message and error.hint


@pytest.mark.parametrize("make,offset_past", [
    (lambda n: "(" * n + "escalation == 1" + ")" * n, lambda n: n - 1),  # the (n)th `(`
    (lambda n: "not " * n + "escalation == 1", lambda n: 4 * (n - 1)),
    (lambda n: "- " * n + "escalation == 1", lambda n: 2 * (n - 1)),
    (lambda n: "escalation == " + "-" * n + "1", lambda n: 14 + n - 1),
    (lambda n: "not (" * (n // 2) + "not " * (n % 2) + "escalation == 1" + ")" * (n // 2),
     lambda n: 5 * (n // 2) if n % 2 else 5 * (n // 2 - 1) + 4),
    (lambda n: "-(" * (n // 2) + "escalation" + ")" * (n // 2) + " == 1", lambda n: 2 * (n // 2) - 2),  # the `-`
])
def test_nesting_limit(make, offset_past):
    n = MAX_DEPTH
    compile_expr(parse(make(n)), INDEX)((1, 0, 0))
    past = n + 1 if make(n + 1) != make(n) else n + 2  # the first deeper one (two levels per step for some)
    error = _refused(make(past))
    assert "nesting deeper than 32" in error.message and error.hint
    assert error.offset == offset_past(past)
    _refused(make(3 * n))


def test_nesting_counts_only_what_encloses():
    # 32 `not`s one after another, each applying to its own `and` operand, nest only one level
    assert parse(" and ".join(["not escalation == 1"] * 32))[0] == "and"
    # a negated sum's operands each have their own run of `-`
    assert parse("escalation == " + " + ".join(["-" * 30 + "1"] * 4))[0] == "cmp"
    # a closed group ends its levels
    parse("(" * 32 + "escalation" + ")" * 32 + " == " + "(" * 32 + "1" + ")" * 32)


def test_terms_limit():
    at_limit = " and ".join(["escalation >= 1"] * (MAX_TERMS // 2))  # two operands each
    ast = parse(at_limit)
    assert ast[0] == "and" and len(ast) == 1 + MAX_TERMS // 2  # n-ary: one flat node
    error = _refused(at_limit + " + 0")
    assert error.offset == len(at_limit) + 3 and "more than 128" in error.message and error.hint


def test_number_limit():
    assert parse("escalation < 1000000000")[3] == ("num", MAX_NUMBER)
    assert parse("escalation < 0000000000001")[3] == ("num", 1)  # leading zeros do not count
    error = _refused("escalation < 1000000001")
    assert error.offset == 13 and "too large" in error.message and "1,000,000,000" in error.hint
    for digits in (11, MAX_LENGTH - 13):
        error = _refused("escalation < " + "9" * digits)
        assert error.offset == 13 and "too large" in error.message and len(error.message) < 80
    error = _refused("escalation < " + "9" * 5000)  # past Python's int-string limit: no ValueError
    assert error.offset == MAX_LENGTH


def test_hostile_conditions_give_expression_errors_never_other_exceptions():
    for hostile in ("(" * 164 + "escalation" + ")" * 164, "not " * 983 + "escalation", "- " * 900 + "1",
                    " and ".join(["escalation > 1"] * 992), " or ".join(["escalation"] * 400),
                    "escalation + " * 300 + "1", "1" * 5000, "(" * 5000, ")" * 5000, "not " * 499 + "x"):
        with pytest.raises(ExpressionError):
            parse(hostile)


def _in_stack(frames: int, fn):
    """Run `fn` with only about `frames` stack frames to spare."""
    import inspect
    import sys
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + frames)
    try:
        return fn()
    finally:
        sys.setrecursionlimit(limit)


STATE = (1, 0, 0)
ENV = {"escalation": (0, 6), "rapport": (0, 5), "notes": (0, 3)}


def _everything(source):
    parse.cache_clear()
    ast = parse(source)
    return bool(compile_expr(ast, INDEX)(STATE)), interval(ast, ENV)


@pytest.mark.parametrize("source,expected", [
    (" and ".join(["escalation >= 1"] * 64), True),
    (" and ".join(["escalation >= 1"] * 63 + ["rapport > 0"]), False),
    (" or ".join(["escalation == 7"] * 63 + ["rapport == 0"]), True),
    (" or ".join(["escalation == 7"] * 64), False),
    ("escalation == " + " + ".join(["1"] * 127), False),
    ("escalation == " + " - ".join(["1"] * 64) + " + " + " + ".join(["1"] * 63), True),
])
def test_long_conditions_are_flat(source, expected):
    """`and`, `or` and sums of any length (up to the limit) parse, compile, evaluate and analyse in a
    few stack frames: a left-nested tree would need one per term (and a RecursionError near 1,000)."""
    result, verdict = _in_stack(40, lambda: _everything(source))
    assert result is expected and verdict in ((0, 0), (0, 1), (1, 1))


D = MAX_DEPTH


@pytest.mark.parametrize("source", [
    "not (" * (D // 2) + "escalation == 1" + ")" * (D // 2),
    "(" * (D - 1) + " and ".join(["-escalation < 1"] * 42) + ")" * (D - 1),
    "-(" * (D // 2) + "escalation" + ")" * (D // 2) + " == 1",
    "(escalation + " * D + "1" + ")" * D + " > 0",
    "(escalation == (" * (D // 2) + "1" + "))" * (D // 2),
], ids=["not-group", "groups", "neg-group", "sum-groups", "cmp-groups"])
def test_the_deepest_accepted_conditions_need_a_bounded_stack(source):
    """At the nesting limit everything runs in about 7 frames per level: 260 frames in all, well
    inside Python's 1,000 (this fails if MAX_DEPTH is raised past what the stack can take)."""
    _in_stack(260, lambda: _everything(source))


def _python(source: str) -> str:
    return source.replace("true", "True").replace("false", "False")


atoms = st.sampled_from(["escalation", "rapport", "notes", "0", "1", "2", "true", "false"])


def _expressions():
    def extend(inner):
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-"]), inner).map(" ".join),
            st.tuples(inner, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), inner).map(lambda t: f"({' '.join(t)})"),
            st.lists(inner, min_size=2, max_size=6).map(lambda xs: "(" + " and ".join(xs) + ")"),
            st.lists(inner, min_size=2, max_size=6).map(lambda xs: "(" + " or ".join(xs) + ")"),
            inner.map(lambda x: f"(not {x})"),
            inner.map(lambda x: f"-({x})"),
        )
    return st.recursive(atoms, extend, max_leaves=30)


@given(source=_expressions(), values=st.tuples(st.integers(-3, 8), st.integers(-3, 8), st.integers(-3, 8)))
def test_compiled_conditions_agree_with_python(source, values):
    """The n-ary compilation gives what Python gives for the same text (a trusted, generated one)."""
    env = dict(zip(INDEX, values))
    expected = eval(_python(source), {"__builtins__": {}}, dict(env))  # generated, trusted test input
    assert compile_expr(parse(source), INDEX)(values) == expected


@given(source=_expressions(), e=ranges, r=ranges, n=ranges)
# found by hypothesis: `and`/`or` give an operand's value (-1 here), not a truth value, to the sum
@example(source="(not -(escalation - (escalation and escalation)))", e=(-1, -1), r=(0, 0), n=(0, 0))
@example(source="(not -(escalation + (escalation or rapport)))", e=(-1, -1), r=(0, 0), n=(0, 0))
def test_interval_analysis_is_sound_for_any_shape(source, e, r, n):
    verdict = interval(parse(source), {"escalation": e, "rapport": r, "notes": n})
    fn = compile_expr(parse(source), INDEX)
    results = {bool(fn((x, y, z))) for x in range(e[0], e[1] + 1) for y in range(r[0], r[1] + 1)
               for z in range(n[0], n[1] + 1)}
    if verdict == (0, 0):
        assert results == {False}
    if verdict == (1, 1):
        assert results == {True}
