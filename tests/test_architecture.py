"""The rules in docs/ARCHITECTURE.md, checked on the source (parsed with `ast`, never imported):
routes never touch the tables, extraction knows no HTTP, QuickBooks or database, the sandbox stands
alone, and every actor has a test that names it.

Each rule has a second test that feeds its checker a small made-up source, so a checker that
stopped seeing violations would fail here rather than pass quietly.

The sandbox's other half (only `zera/cli.py` and `zera/combined.py` import it) lives in
tests/sandbox/test_stands_alone.py; the sandbox rule here also resolves relative imports.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import zera

ZERA = Path(zera.__file__).parent
ROOT = ZERA.parent
TESTS = ROOT / "tests"

# Modules a route must not import: the tables, or the ORM itself.
ROUTES_MAY_NOT_IMPORT = ("zera.db.tables", "piccolo")
# Extraction turns bytes into typed results; pages, QuickBooks, storage and jobs are elsewhere.
EXTRACT_MAY_NOT_IMPORT = (
    "zera.qbo",
    "zera.routes",
    "zera.db",
    "zera.sync",
    "zera.documents",
    "zera.review",
    "zera.tasks",
    "zera.queue",
    "zera.sandbox",
    "piccolo",
    "litestar",
    "httpx",
)


def module_name(path: Path) -> str:
    """The dotted module name of a file under the repository root."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, *, is_package: bool = False) -> Iterator[str]:
    """Every module (or module attribute) the source imports, wherever the statement sits.

    `from a.b import c` yields `a.b` and `a.b.c` (c may be a submodule); relative imports are
    resolved against `module`, the importing module's dotted name."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                parent = ".".join(base + ([node.module] if node.module else []))
            else:
                parent = node.module or ""
            if parent:
                yield parent
            yield from (f"{parent}.{alias.name}" for alias in node.names if alias.name != "*")


def file_imports(path: Path) -> Iterator[str]:
    return imported_modules(
        path.read_text(), module_name(path), is_package=path.name == "__init__.py"
    )


def table_names() -> set[str]:
    """The classes declared in zera/db/tables.py (so `from zera.db import Job` counts too)."""
    tree = ast.parse((ZERA / "db" / "tables.py").read_text())
    return {node.name for node in tree.body if isinstance(node, ast.ClassDef)}


def forbidden(names: Iterable[str], banned: Iterable[str], tables: Iterable[str] = ()) -> set[str]:
    """The imported names that are, or sit inside, a banned module (or name a table of zera.db)."""
    banned = tuple(banned)
    via_db = {f"zera.db.{table}" for table in tables}
    return {
        name
        for name in names
        if name in via_db or any(name == b or name.startswith(b + ".") for b in banned)
    }


def violations(folder: Path, banned: Iterable[str], tables: Iterable[str] = ()) -> list[str]:
    banned = tuple(banned)
    return [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted(folder.rglob("*.py"))
        for name in sorted(forbidden(file_imports(path), banned, tables))
    ]


# Routes never touch tables ------------------------------------------------------------------


def test_no_route_module_imports_the_tables_or_the_orm() -> None:
    """Routes call domain functions; the queries live in the domain packages."""
    assert violations(ZERA / "routes", ROUTES_MAY_NOT_IMPORT, table_names()) == []


def test_no_actor_module_imports_the_tables_or_the_orm() -> None:
    """Actors load by id and call domain code; the queries live in the domain packages."""
    assert violations(ZERA / "tasks", ROUTES_MAY_NOT_IMPORT, table_names()) == []


def test_the_route_rule_catches_every_way_of_importing_a_table() -> None:
    tables = {"Job", "Firm"}
    sources = {
        "from zera.db.tables import Firm": "zera.db.tables.Firm",
        "import zera.db.tables": "zera.db.tables",
        "from zera.db import tables": "zera.db.tables",
        "from zera.db import Job": "zera.db.Job",
        "from ..db.tables import Firm": "zera.db.tables.Firm",
        "def f():\n    from piccolo.query import Select": "piccolo.query",
    }
    for source, caught in sources.items():
        names = imported_modules(source, "zera.routes.system")
        assert caught in forbidden(names, ROUTES_MAY_NOT_IMPORT, tables), source
    fine = imported_modules("from zera.db import ping\nfrom zera import clients", "zera.routes.x")
    assert forbidden(fine, ROUTES_MAY_NOT_IMPORT, tables) == set()


# Extraction knows no HTTP, QuickBooks or database -------------------------------------------


def test_extraction_imports_nothing_of_quickbooks_pages_storage_or_jobs() -> None:
    assert violations(ZERA / "extract", EXTRACT_MAY_NOT_IMPORT) == []


def test_the_extraction_rule_catches_qbo_routes_and_database_imports() -> None:
    module = "zera.extract.statements.reader"
    caught = {
        "from zera.qbo.client import QBOClient": "zera.qbo.client",
        "import zera.routes": "zera.routes",
        "from zera.db import write_transaction": "zera.db",
        "from ...db.tables import Batch": "zera.db.tables",
        "from litestar import get": "litestar",
        "import piccolo.table": "piccolo.table",
    }
    for source, name in caught.items():
        assert name in forbidden(imported_modules(source, module), EXTRACT_MAY_NOT_IMPORT), source
    own = "from zera.extract.money import Money\nfrom ..pdf import open_pdf\nimport re"
    assert forbidden(imported_modules(own, module), EXTRACT_MAY_NOT_IMPORT) == set()


# The sandbox stands alone -------------------------------------------------------------------


def outside_zera_imports(path: Path) -> list[str]:
    """Imports of Zera's own modules outside zera.sandbox, relative ones included."""
    return [
        name
        for name in file_imports(path)
        if (name == "zera" or name.startswith("zera."))
        and not (name == "zera.sandbox" or name.startswith("zera.sandbox."))
    ]


def test_the_sandbox_imports_nothing_of_zera_outside_itself() -> None:
    found = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ZERA / "sandbox").rglob("*.py"))
        for name in outside_zera_imports(path)
    ]
    assert found == []


def test_the_sandbox_rule_catches_an_escape_by_relative_import(tmp_path: Path) -> None:
    assert list(imported_modules("from ...db import tables", "zera.sandbox.api.xml")) == [
        "zera.db",
        "zera.db.tables",
    ]
    assert list(imported_modules("from . import store", "zera.sandbox", is_package=True)) == [
        "zera.sandbox",
        "zera.sandbox.store",
    ]
    inside = list(imported_modules("from ..store import Store", "zera.sandbox.api.xml"))
    assert inside == ["zera.sandbox.store", "zera.sandbox.store.Store"]


# Every actor has a test that names it -------------------------------------------------------


def actors_in(source: str) -> list[str]:
    """Functions declared as tasks: decorated with `@task` or `@task(...)`."""

    def is_task(decorator: ast.expr) -> bool:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        return name == "task"

    return [
        node.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and any(is_task(d) for d in node.decorator_list)
    ]


def untested(actors: Iterable[str], test_sources: Iterable[str]) -> list[str]:
    """The actors no test source names as a whole word."""
    text = "\n".join(test_sources)
    return [actor for actor in actors if not re.search(rf"\b{re.escape(actor)}\b", text)]


def zera_actors() -> list[str]:
    return [
        actor
        for path in sorted((ZERA / "tasks").rglob("*.py"))
        for actor in actors_in(path.read_text())
    ]


def test_every_actor_has_a_test_that_names_it() -> None:
    actors = zera_actors()
    assert len(actors) >= 5, actors  # the collector still finds the actors
    others = (p.read_text() for p in TESTS.rglob("*.py") if p.resolve() != Path(__file__).resolve())
    assert untested(actors, others) == []


def test_the_actor_rule_catches_an_actor_no_test_names() -> None:
    source = (
        "@task(max_retries=3)\nasync def pull_things(job_id: str) -> None: ...\n"
        "@queue.task\ndef tidy_up(job_id: str) -> None: ...\n"
        "def helper() -> None: ...\n"
    )
    assert actors_in(source) == ["pull_things", "tidy_up"]
    tests = ['"""pull_things reads them."""', "# tidy_up_later and test_tidy_up are other words"]
    assert untested(actors_in(source), tests) == ["tidy_up"]
