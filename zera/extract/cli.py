"""`zera extract FILE... [--kind ...]`: print extract-output.md JSON, exit 1 on any failure."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from zera.extract.kinds import KINDS
from zera.extract.pipeline import extract_document
from zera.extract.result import ExtractionResult


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", type=Path)
    parser.add_argument("--kind", choices=("auto", *KINDS), default="auto")
    parser.add_argument("--password", default=None, help="password of an encrypted PDF")


def run(files: list[Path], kind: str = "auto", password: str | None = None) -> int:
    """Extract each file and print the JSON; the exit status is 0 only if all succeeded."""
    results = []
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            result = ExtractionResult(file=path.name, sha256="")
            result.warnings.append(f"cannot read {path}: {exc.strerror or exc}")
            result.outcome = result.outcome.EXTRACTION_FAILED
            results.append(result)
            continue
        results.append(extract_document(data, path.name, kind=kind, password=password))
    out = [r.to_json() for r in results]
    text = json.dumps(out[0] if len(out) == 1 else out, indent=2, ensure_ascii=False)
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # `zera extract x.pdf | head` is not an error worth a traceback
        pass
    return 0 if all(r.ok for r in results) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="zera extract")
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args.files, args.kind, args.password)
