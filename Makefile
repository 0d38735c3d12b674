# Shortcuts; the README's two commands are scripts/run and scripts/test.
.PHONY: run test lint bench

run:
	scripts/run

test:
	scripts/test

lint:
	uv run ruff check zera tests bench
	uv run mypy

bench:
	uv run python bench/web_baseline.py
