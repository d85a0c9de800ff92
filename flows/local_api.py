"""The Prefect API of flows run on one machine without a server: one temporary server per process.

Prefect's own ephemeral mode starts the same server (`prefect.server.api.server:create_app` under uvicorn),
but from inside the flow's process, which then imports Prefect's whole server: 83 MB more in the process that
also holds the page workers. Started from here, the server code stays in its own process, the process
runner's page processes are given its address like any other setting, and the server ends with the process
that started it, even one killed outright (Prefect's stays behind, holding about 200 MB, after every crash).
"""

from __future__ import annotations

import atexit
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from pipeline.errors import ConfigError

_lock = threading.Lock()
_server: subprocess.Popen[bytes] | None = None
_url: str | None = None
STARTUP_TIMEOUT_S = 90.0  # Prefect migrates its database on first start; a loaded machine is slow at it


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


# Runs uvicorn after asking Linux to send it SIGTERM when the thread that started it ends (PR_SET_PDEATHSIG):
# that thread lives as long as the process, so the server cannot outlive a process killed with SIGKILL.
_DIE_WITH_PARENT = """
import ctypes, os, runpy, signal, sys
parent = int(sys.argv.pop(1))
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
except AttributeError:
    pass  # not Linux: the server may outlive a killed process, as Prefect's own does
if os.getppid() != parent:
    sys.exit(0)  # the parent died before the request was made
sys.argv[0] = "uvicorn"
runpy.run_module("uvicorn", run_name="__main__", alter_sys=True)
"""


def _spawn_kept(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Starts the server from a thread that waits for it, so the server's parent thread is never one that ends
    while the process goes on (a batch's thread in `archive run`)."""
    started: queue.Queue[subprocess.Popen[bytes] | BaseException] = queue.Queue()

    def keep() -> None:
        try:
            with log.open("wb") as output:  # a file, not a pipe: nobody reads it while the server runs
                server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        except BaseException as exc:  # noqa: BLE001 - handed to the starting thread, raised there
            started.put(exc)
            return
        started.put(server)
        server.wait()

    threading.Thread(target=keep, name="prefect-api", daemon=True).start()
    outcome = started.get()
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def _start() -> tuple[subprocess.Popen[bytes], str]:
    import prefect
    from prefect.settings import get_current_settings

    port = _free_port()
    settings = get_current_settings()
    env = {
        **os.environ,
        **settings.to_environment_variables(exclude_unset=True),
        # what Prefect's ephemeral mode sets: no UI, the server's lighter set of services
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
    }
    env.pop("PREFECT_API_URL", None)
    command = [sys.executable, "-c", _DIE_WITH_PARENT, str(os.getpid())]
    command += ["--app-dir", str(prefect.__module_path__.parent), "--factory", "prefect.server.api.server:create_app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on"]
    log = Path(settings.home) / "temporary-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = _spawn_kept(command, env, log)
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not _healthy(url):
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            server.wait()
            tail = log.read_text(errors="replace").strip()[-2000:]
            raise ConfigError(
                f"Prefect's temporary server did not start ({tail or 'no output'}; log in {log}); check that "
                "PREFECT_HOME is writable, or point PREFECT_API_URL at a running Prefect server"
            )
        time.sleep(0.1)
    return server, url


def _stop() -> None:
    global _server, _url
    if _server is not None:
        _server.terminate()
        try:
            _server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _server.kill()
            _server.wait()
    _server = _url = None


@contextmanager
def prefect_api() -> Iterator[None]:
    """Flows run inside use PREFECT_API_URL when it is set, else this process's temporary server."""
    global _server, _url
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if PREFECT_API_URL.value():
        yield
        return
    with _lock:
        if _url is None or _server is None or _server.poll() is not None:
            if _server is None:
                atexit.register(_stop)
            _server, _url = _start()
    # In the context only, not in the environment: programs this process starts keep their own choice.
    with temporary_settings(updates={PREFECT_API_URL: _url}):
        yield
