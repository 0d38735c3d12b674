"""`zera sandbox [--host H] [--port P]`: the QBO sandbox alone, Intuit's URL layout at the root."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import replace

from zera.sandbox.config import SandboxConfig, SandboxConfigError

DEFAULT_PORT = 8001


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; 2 on a configuration error or in production mode."""
    import uvicorn

    from zera.sandbox.app import create_sandbox_app

    if os.environ.get("ZERA_MODE", "").strip().lower() == "production":
        # An emulator with a control surface that rewrites records has no place in production.
        print("zera sandbox: refused: ZERA_MODE is production, and the sandbox is for "
              "development and tests only", file=sys.stderr)
        return 2
    try:
        config = SandboxConfig.from_env(os.environ)
    except SandboxConfigError as exc:
        print(f"zera sandbox: configuration error: {exc}", file=sys.stderr)
        return 2
    if "ZERA_SANDBOX_PUBLIC_URL" not in os.environ:
        config = replace(config, public_url=f"http://{args.host}:{args.port}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    print(f"QBO sandbox on {config.public_url} (store {config.db_path})", file=sys.stderr)
    # No access log: a line per request would cost more than serving the request.
    uvicorn.run(create_sandbox_app(config), host=args.host, port=args.port, log_config=None,
                access_log=False)
    return 0
