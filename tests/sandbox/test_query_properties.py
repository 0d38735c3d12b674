"""Property tests for the query language: parsing round-trips, and evaluation agrees with a
plain Python model of Intuit's semantics."""

# ruff: noqa: S608  (these strings are Intuit query statements under test, not SQL)
from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from zera.sandbox import query
from zera.sandbox.faults import QboFault

ENTITIES = ["Customer", "Invoice", "Vendor", "Bill", "Account", "Item"]
FIELDS = ["DisplayName", "TotalAmt", "TxnDate", "Balance", "Active", "MetaData.CreateTime"]
OPERATORS = ["=", "<", ">", "<=", ">=", "LIKE", "IN"]

text_values = st.text(alphabet=st.characters(codec="ascii", exclude_characters="\\'\x00"),
                      max_size=12)
numbers = st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False)
scalars = st.one_of(text_values, numbers, st.booleans())


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return str(value)
    return "'" + value + "'"


@st.composite
def conditions(draw: st.DrawFn) -> query.Condition:
    op = draw(st.sampled_from(OPERATORS))
    name = draw(st.sampled_from(FIELDS))
    if op == "IN":
        return query.Condition(name, op, tuple(draw(st.lists(scalars, min_size=1, max_size=4))))
    if op == "LIKE":
        return query.Condition(name, op, draw(text_values))
    return query.Condition(name, op, draw(scalars))


@st.composite
def queries(draw: st.DrawFn) -> query.Query:
    return query.Query(
        entity=draw(st.sampled_from(ENTITIES)),
        count=draw(st.booleans()),
        where=tuple(draw(st.lists(conditions(), max_size=3))),
        order=tuple(draw(st.lists(st.tuples(st.sampled_from(FIELDS), st.booleans()),
                                  max_size=2))),
        start=draw(st.integers(min_value=1, max_value=5000)),
        max_results=draw(st.none() | st.integers(min_value=1, max_value=1000)),
    )


def _case(word: str, upper: bool) -> str:
    return word.upper() if upper else word.lower()


def _condition(cond: query.Condition, upper: bool = True) -> str:
    value = ("(" + ", ".join(_literal(v) for v in cond.value) + ")"
             if cond.op == "IN" else _literal(cond.value))
    return f"{cond.field} {_case(cond.op, upper) if cond.op.isalpha() else cond.op} {value}"


def render(q: query.Query, upper: bool, space: str) -> str:
    """Write a Query as a client would, with keyword case and spacing varied."""
    parts = [_case("select", upper), "COUNT(*)" if q.count else "*", _case("from", upper),
             q.entity]
    for index, cond in enumerate(q.where):
        parts.append(_case("where", upper) if index == 0 else _case("and", upper))
        parts.append(_condition(cond, upper))
    if q.order:
        parts.append(_case("orderby", upper))
        parts.append(", ".join(f"{name} {'DESC' if desc else 'ASC'}" for name, desc in q.order))
    parts += [_case("startposition", upper), str(q.start)]
    if q.max_results is not None:
        parts += [_case("maxresults", upper), str(q.max_results)]
    return space.join(parts)


@given(queries(), st.booleans(), st.sampled_from([" ", "  ", "\n", " \t "]))
def test_rendered_queries_parse_back_to_the_same_query(q: query.Query, upper: bool,
                                                       space: str) -> None:
    assert query.parse(render(q, upper, space)) == q


@given(st.text(max_size=80))
def test_any_text_parses_or_fails_with_an_intuit_fault(text: str) -> None:
    try:
        query.parse(text)
    except QboFault as fault:
        assert fault.errors[0].code == "4000"


@given(conditions(), conditions(), st.sampled_from(["OR", "or", "Or"]))
def test_or_is_always_refused(first: query.Condition, second: query.Condition,
                              word: str) -> None:
    text = f"SELECT * FROM Customer WHERE {_condition(first)} {word} {_condition(second)}"
    try:
        query.parse(text)
    except QboFault as fault:
        assert fault.errors[0].code == "4000"
    else:
        raise AssertionError(f"OR accepted: {text}")


records = st.lists(st.fixed_dictionaries({
    "Id": st.integers(min_value=1, max_value=10**6).map(str),
    "TotalAmt": numbers,
    "DisplayName": text_values,
}), max_size=25)


@given(records, numbers, st.sampled_from(["=", "<", ">", "<=", ">="]))
def test_numeric_comparisons_agree_with_python(docs: list[dict[str, Any]], bound: Decimal,
                                               op: str) -> None:
    picked = query.run(query.parse(f"SELECT * FROM Invoice WHERE TotalAmt {op} {bound}"),
                       docs, active_only=False)
    model = {"=": lambda a: a == bound, "<": lambda a: a < bound, ">": lambda a: a > bound,
             "<=": lambda a: a <= bound, ">=": lambda a: a >= bound}[op]
    assert picked == [d for d in docs if model(d["TotalAmt"])]


# A '%' inside the prefix is itself a wildcard, so the literal-prefix model holds without it.
literal_prefixes = text_values.filter(lambda text: "%" not in text)


@given(records, literal_prefixes)
def test_like_with_a_trailing_percent_is_a_case_insensitive_prefix_match(
    docs: list[dict[str, Any]], prefix: str
) -> None:
    picked = query.run(query.parse(f"SELECT * FROM Customer WHERE DisplayName LIKE '{prefix}%'"),
                       docs, active_only=False)
    assert [d["Id"] for d in picked] == [
        d["Id"] for d in docs if d["DisplayName"].lower().startswith(prefix.lower())]


@settings(max_examples=50)
@given(records, st.booleans())
def test_orderby_sorts_by_value_in_either_direction(docs: list[dict[str, Any]],
                                                    desc: bool) -> None:
    direction = "DESC" if desc else "ASC"
    ordered = query.run(query.parse(f"SELECT * FROM Invoice ORDERBY TotalAmt {direction}"),
                        docs, active_only=False)
    amounts = [d["TotalAmt"] for d in ordered]
    assert amounts == sorted(amounts, reverse=desc)
    assert sorted(d["Id"] for d in ordered) == sorted(d["Id"] for d in docs)
