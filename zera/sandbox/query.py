"""Intuit's query language: parse a SELECT statement and run it over one entity's documents.

SELECT * | COUNT(*) FROM <Entity> [WHERE p op v [AND ...]] [ORDERBY p [ASC|DESC], ...]
[STARTPOSITION n] [MAXRESULTS n] (QBO-API.md §2): operators = < > <= >= LIKE (% only) IN, no OR.
Keywords, entity names and property names are read without regard to case: clients list a
transaction's attachments with "select * from attachable where AttachableRef.EntityRef.Type =
'Bill' and AttachableRef.EntityRef.value = '305'", where the JSON attribute is `type`. A path
through a list (AttachableRef) matches when one element satisfies every condition on that list.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from zera.sandbox import faults

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:\\.|''|[^'\\])*')|(?P<num>-?\d+(?:\.\d+)?(?![\w.]))"
    r"|(?P<op><=|>=|!=|<>|=|<|>)|(?P<punct>[(),*])|(?P<word>[A-Za-z_][\w.]*))"
)
OPERATORS = ("=", "<", ">", "<=", ">=", "LIKE", "IN")
KEYWORDS = {"SELECT", "FROM", "WHERE", "AND", "OR", "ORDERBY", "ORDER", "BY", "ASC", "DESC",
            "STARTPOSITION", "MAXRESULTS", "IN", "LIKE", "COUNT", "NOT"}


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any  # str, Decimal, bool, or a tuple of those for IN


@dataclass(frozen=True)
class Query:
    entity: str
    count: bool = False
    where: tuple[Condition, ...] = ()
    order: tuple[tuple[str, bool], ...] = ()  # (field, descending)
    start: int = 1
    max_results: int | None = None
    fields_seen: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    pos: int


def tokenize(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    text = text.rstrip().rstrip(";")
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise faults.query_parse(
                f'Encountered "{text[pos:].strip()[:20]}" at line 1, column {pos + 1}.')
        kind = match.lastgroup or ""
        tokens.append(_Tok(kind, match.group(kind), match.start(kind)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def next(self, expected: str = "") -> _Tok:
        tok = self.peek()
        if tok is None:
            raise faults.query_parse(f'Encountered "<EOF>"; was expecting {expected or "more"}.')
        self.i += 1
        return tok

    def keyword(self, word: str) -> bool:
        tok = self.peek()
        if tok is not None and tok.kind == "word" and tok.text.upper() == word:
            self.i += 1
            return True
        return False

    def expect(self, word: str) -> None:
        if not self.keyword(word):
            tok = self.peek()
            seen = tok.text if tok else "<EOF>"
            raise faults.query_parse(f'Encountered "{seen}"; was expecting "{word}".')

    def value(self) -> Any:
        tok = self.next("a value")
        if tok.kind == "str":
            body = tok.text[1:-1]
            return re.sub(r"\\(.)|''", lambda m: m.group(1) or "'", body)
        if tok.kind == "num":
            return Decimal(tok.text)
        if tok.kind == "word" and tok.text.lower() in ("true", "false"):
            return tok.text.lower() == "true"
        raise faults.query_parse(f'Encountered "{tok.text}" at column {tok.pos + 1}; '
                                 "was expecting a quoted value, a number, true or false.")

    def integer(self, keyword: str) -> int:
        tok = self.next("a number")
        if tok.kind != "num" or "." in tok.text or tok.text.startswith("-"):
            raise faults.query_parse(f'{keyword} needs a whole number, not "{tok.text}".')
        return int(tok.text)

    def prop(self) -> str:
        tok = self.next("a property name")
        if tok.kind != "word" or tok.text.upper() in KEYWORDS:
            raise faults.query_parse(f'Encountered "{tok.text}" at column {tok.pos + 1}; '
                                     "was expecting a property name.")
        return tok.text

    def parse(self) -> Query:
        self.expect("SELECT")
        count = False
        if self.keyword("COUNT"):
            for part in ("(", "*", ")"):
                tok = self.next(part)
                if tok.text != part:
                    raise faults.query_parse(f'Encountered "{tok.text}"; was expecting "{part}".')
            count = True
        else:
            tok = self.next("*")
            if tok.text != "*":
                # Intuit returns every property; projections are not supported (QBO-API.md §2).
                raise faults.query_parse(f'Encountered "{tok.text}"; only SELECT * and '
                                         "SELECT COUNT(*) are supported.")
            # "SELECT *, Sku FROM Item" is how python-quickbooks asks for an Item property that
            # is only sent on request; every property is returned anyway, so the names after
            # the star are accepted and change nothing.
            while (following := self.peek()) is not None and following.text == ",":
                self.next()
                self.prop()
        self.expect("FROM")
        entity = self.prop()
        where: list[Condition] = []
        if self.keyword("WHERE"):
            where.append(self.condition())
            while True:
                if self.keyword("OR"):
                    raise faults.query_parse('Encountered " "OR" "; OR is not supported: '
                                             "run one query per alternative or use IN.")
                if not self.keyword("AND"):
                    break
                where.append(self.condition())
        order: list[tuple[str, bool]] = []
        if self.keyword("ORDERBY") or (self.keyword("ORDER") and self.expect_by()):
            while True:
                name = self.prop()
                desc = self.keyword("DESC")
                if not desc:
                    self.keyword("ASC")
                order.append((name, desc))
                separator = self.peek()
                if separator is None or separator.text != ",":
                    break
                self.i += 1
        start, max_results = 1, None
        while self.peek() is not None:
            if self.keyword("STARTPOSITION"):
                start = self.integer("STARTPOSITION")
            elif self.keyword("MAXRESULTS"):
                max_results = self.integer("MAXRESULTS")
            elif self.keyword("OR"):
                raise faults.query_parse("OR is not supported.")
            else:
                tok = self.next()
                raise faults.query_parse(f'Encountered "{tok.text}" at column {tok.pos + 1}.')
        return Query(entity, count, tuple(where), tuple(order), start, max_results)

    def expect_by(self) -> bool:
        self.expect("BY")
        return True

    def condition(self) -> Condition:
        name = self.prop()
        tok = self.next("an operator")
        op = tok.text.upper()
        if tok.kind == "word" and op == "NOT":
            raise faults.query_parse("NOT is not supported.")
        if op not in OPERATORS:
            raise faults.query_parse(f'Encountered "{tok.text}" at column {tok.pos + 1}; '
                                     "was expecting one of = < > <= >= LIKE IN.")
        if op == "IN":
            opened = self.next("(")
            if opened.text != "(":
                raise faults.query_parse('IN needs a list: IN (\'a\', \'b\').')
            values = [self.value()]
            while True:
                tok = self.next(")")
                if tok.text == ")":
                    break
                if tok.text != ",":
                    raise faults.query_parse(f'Encountered "{tok.text}"; was expecting "," or ")".')
                values.append(self.value())
            return Condition(name, op, tuple(values))
        value = self.value()
        if op == "LIKE" and not isinstance(value, str):
            raise faults.query_parse("LIKE needs a quoted pattern.")
        return Condition(name, op, value)


def parse(text: str) -> Query:
    """Parse one statement; a 4000 fault names the first thing that does not fit."""
    if not text or not text.strip():
        raise faults.query_parse('Encountered "<EOF>"; was expecting "SELECT".')
    return _Parser(text).parse()


# -- evaluation ---------------------------------------------------------------------------------
def _child(node: Any, name: str) -> Any:
    """A property by name, the exact spelling first, then without regard to case."""
    if isinstance(node, list):
        node = node[0] if node else None
    if not isinstance(node, dict):
        return None
    if name in node:
        return node[name]
    lowered = name.lower()
    return next((value for key, value in node.items() if key.lower() == lowered), None)


def _scalar(value: Any) -> Any:
    if isinstance(value, dict) and "value" in value:
        return value["value"]  # a ReferenceType compares by its Id
    return value


def lookup(doc: dict[str, Any], path: str) -> Any:
    """The value at a dotted path (the first element of any list on the way), for sorting."""
    value: Any = doc
    for part in path.split("."):
        value = _child(value, part)
    return _scalar(value)


def _comparable(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool):
        return (0, value)
    if isinstance(value, Decimal | int | float):
        return (1, Decimal(str(value)))
    text = str(value)
    try:
        return (1, Decimal(text))
    except InvalidOperation:
        pass
    if len(text) >= 10 and text[4:5] == "-" and text[7:8] == "-":
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if parsed.tzinfo is None:
                return (2, text[:10])
            return (3, parsed)
        except ValueError:
            pass
    return (4, text.lower())


def _compare(left: Any, right: Any) -> int | None:
    a, b = _comparable(left), _comparable(right)
    if a[0] == 3 and b[0] == 2:
        a = (2, left[:10])
    elif a[0] == 2 and b[0] == 3:
        b = (2, str(right)[:10])
    if a[0] != b[0]:
        a, b = (4, str(left).lower()), (4, str(right).lower())
    return int(a[1] > b[1]) - int(a[1] < b[1])


def _like(value: Any, pattern: str) -> bool:
    regex = "^" + ".*".join(re.escape(part) for part in pattern.lower().split("%")) + "$"
    return re.match(regex, str(value).lower(), re.DOTALL) is not None


def matches(doc: dict[str, Any], cond: Condition) -> bool:
    return satisfies(doc, (cond,))


def satisfies(doc: dict[str, Any], conds: Iterable[Condition]) -> bool:
    """Every condition holds for `doc`."""
    return _satisfied(doc, [(tuple(c.field.split(".")), c) for c in conds])


def _satisfied(node: Any, conds: list[tuple[tuple[str, ...], Condition]]) -> bool:
    # Conditions that reach into the same list must hold for one and the same element, so
    # "Type = 'Bill' AND value = '305'" finds the attachable linked to Bill 305, not one linked
    # to some Bill and to something else numbered 305.
    if isinstance(node, list) and node:
        return any(_satisfied(element, conds) for element in node)
    if isinstance(node, list):
        node = None
    groups: dict[str, tuple[str, list[tuple[tuple[str, ...], Condition]]]] = {}
    for path, cond in conds:
        if not path:
            if not _holds(_scalar(node), cond):
                return False
        else:
            groups.setdefault(path[0].lower(), (path[0], []))[1].append((path[1:], cond))
    return all(_satisfied(_child(node, name), group) for name, group in groups.values())


def _holds(value: Any, cond: Condition) -> bool:
    if value is None:
        return cond.op == "=" and cond.value == " "  # Intuit writes null as ' '
    if cond.op == "LIKE":
        return _like(value, str(cond.value))
    if cond.op == "IN":
        return any(_compare(value, v) == 0 for v in cond.value)
    result = _compare(value, cond.value)
    return {
        "=": result == 0, "<": result == -1, ">": result == 1,
        "<=": result in (-1, 0), ">=": result in (0, 1),
    }[cond.op]


def _sort_key(name: str) -> Callable[[dict[str, Any]], tuple[int, Any]]:
    return lambda doc: _comparable(lookup(doc, name))


def run(query: Query, docs: Iterable[dict[str, Any]], *, active_only: bool) -> list[dict[str, Any]]:
    """Filter and sort. Name lists hide inactive records unless the query asks about Active."""
    conds = query.where
    if active_only and not any(c.field.lower() == "active" for c in conds):
        conds = (*conds, Condition("Active", "=", True))
    selected = [d for d in docs if satisfies(d, conds)]
    for name, desc in reversed(query.order):
        present = [d for d in selected if lookup(d, name) is not None]
        missing = [d for d in selected if lookup(d, name) is None]
        present.sort(key=_sort_key(name), reverse=desc)
        selected = present + missing
    return selected
