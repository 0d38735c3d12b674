"""The sandbox is a package of its own: it imports nothing of Zera's, and Zera imports it only to
serve it (DESIGN.md section 4)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import zera

ZERA = Path(zera.__file__).parent
SANDBOX = ZERA / "sandbox"
# The embedded server: `zera serve` mounts the sandbox, `zera sandbox` runs it alone.
HOSTS = {ZERA / "cli.py", ZERA / "combined.py"}


def zera_imports(path: Path) -> Iterator[str]:
    """Every `zera...` module the file imports, wherever the import statement sits."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        yield from (name for name in names if name == "zera" or name.startswith("zera."))


def test_the_sandbox_imports_nothing_from_the_rest_of_zera() -> None:
    outside = [
        f"{path.relative_to(ZERA.parent)}: {name}"
        for path in sorted(SANDBOX.rglob("*.py"))
        for name in zera_imports(path)
        if not name.startswith("zera.sandbox")
    ]
    assert outside == []


def test_only_the_embedded_server_imports_the_sandbox() -> None:
    importers = {
        path
        for path in ZERA.rglob("*.py")
        if not path.is_relative_to(SANDBOX)
        and any(name.startswith("zera.sandbox") for name in zera_imports(path))
    }
    assert importers <= HOSTS
    assert importers, "zera/cli.py and zera/combined.py serve the sandbox"
