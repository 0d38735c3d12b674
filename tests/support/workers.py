"""Real `zera worker` processes for tests, always cleaned up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from zera.settings import Settings

REPO = Path(__file__).resolve().parents[2]
TASK_MODULE = "tests.support.probe_tasks"


def _zera_command() -> list[str]:
    script = Path(sys.executable).with_name("zera")
    return [str(script)] if script.exists() else [sys.executable, "-m", "zera.cli"]


class WorkerProcess:
    """One `zera worker` process whose output goes to a log file."""

    def __init__(self, popen: subprocess.Popen[bytes], log_path: Path) -> None:
        self.popen = popen
        self.log_path = log_path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def kill(self) -> None:
        """SIGKILL: no chance to finish, ack or release anything."""
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=30)

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM, as a dyno manager stops a process; return its exit code."""
        self.popen.send_signal(signal.SIGTERM)
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"worker {self.pid} did not stop within {timeout} s of SIGTERM\n{self.log_tail()}"
            ) from None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return f"(no log at {self.log_path})"
        return f"--- last lines of {self.log_path.name} ---\n" + "\n".join(
            text.splitlines()[-lines:]
        )


class Workers:
    """Starts worker processes that share a test's database and queue; cleans all of them up."""

    def __init__(self, settings: Settings, queue_url: str, log_dir: Path) -> None:
        self.settings = settings
        self.queue_url = queue_url
        self.log_dir = log_dir
        self.started: list[WorkerProcess] = []

    def environment(self, threads: int) -> dict[str, str]:
        # Nothing from the outer environment may redirect the worker to another store.
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("ZERA_") and k not in {"DATABASE_URL", "REDIS_URL"}
        }
        env.update(
            {
                "ZERA_BASE_DIR": str(self.settings.base_dir),
                "DATABASE_URL": self.settings.database_url,
                "ZERA_QUEUE_URL": self.queue_url,
                "ZERA_SECRET_KEY": self.settings.secret_key,
                "ZERA_TOKEN_KEYS": ",".join(self.settings.token_keys),
                "ZERA_WORKER_THREADS": str(threads),
                "ZERA_LOG_LEVEL": "INFO",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
            }
        )
        return env

    def start(self, threads: int = 2) -> WorkerProcess:
        log_path = self.log_dir / f"worker-{len(self.started) + 1}.log"
        with log_path.open("wb") as log:
            popen = subprocess.Popen(
                [*_zera_command(), "worker", TASK_MODULE],
                cwd=REPO,
                env=self.environment(threads),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        worker = WorkerProcess(popen, log_path)
        self.started.append(worker)
        return worker

    def logs(self) -> str:
        return "\n".join(worker.log_tail() for worker in self.started)

    def clean_up(self) -> None:
        """Stop every worker still running: SIGTERM, then SIGKILL after a grace period."""
        running = [w for w in self.started if w.popen.poll() is None]
        for worker in running:
            worker.popen.send_signal(signal.SIGTERM)
        for worker in running:
            try:
                worker.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.popen.kill()
                worker.popen.wait(timeout=20)
