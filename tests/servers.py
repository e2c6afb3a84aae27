"""Start a real HTTP server process for a test module and stop it afterwards (no test of its own)."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(command: list[str], *, ready_url: str, log: Path, startup_s: float, **popen) -> Iterator[subprocess.Popen]:
    """Run `command` until the block ends; wait until `ready_url` answers 200, failing with its log if it never does."""
    with open(log, "w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, **popen)
    try:
        deadline = time.monotonic() + startup_s
        while True:
            assert process.poll() is None, f"{command[2]} exited:\n{log.read_text()[-3000:]}"
            try:
                if httpx.get(ready_url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"{command[2]} did not start:\n{log.read_text()[-3000:]}"
            time.sleep(0.5)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
