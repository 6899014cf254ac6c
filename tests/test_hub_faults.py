"""`models lock` and `models pull` against a hub that fails: each fault ends in one line, exit 2, in bounded time.

The servers here are bound to loopback and speak just enough HTTP to fail
the way a real hub or network does: nothing listening, a connection that
is accepted and never answered, and the hub's own error answers (the
``X-Error-Code`` headers huggingface_hub turns into its exceptions).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tm_builder.models import load_lock, lock_from_directory, save_lock

from .conftest import ROOT


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tm_builder", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=240)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Silent:
    """Accepts connections and never answers (a hung proxy, a black-holed server)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for c in self.held:
            c.close()


def _answering(status: int, code: str, message: str) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body = f'{{"error": "{message}"}}'.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Error-Code", code)
            self.send_header("X-Error-Message", message)
            self.send_header("X-Request-Id", "test-request")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_HEAD = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def hub_env(isolated_env, tmp_path):
    """The environment of a user with internet, a private lock file, and a short read timeout."""
    env = {k: v for k, v in isolated_env.items() if k != "HF_HUB_OFFLINE"}
    env.update({"HF_HUB_OFFLINE": "0", "TM_BUILDER_LOCK": str(save_lock(load_lock(ROOT / "models.lock"), tmp_path / "models.lock")),
                "TM_BUILDER_HUB_TIMEOUT": "3", "HF_HUB_ETAG_TIMEOUT": "3", "HF_HUB_DOWNLOAD_TIMEOUT": "3",
                "HF_HUB_DISABLE_PROGRESS_BARS": "1"})
    return env


def _pinned(env: dict[str, str], tiny_model) -> None:
    """Pin the model as if 'models lock' had run, so that 'pull' has something to fetch."""
    lock = load_lock(env["TM_BUILDER_LOCK"])
    lock_from_directory("opus-mt-zh-en", tiny_model, repository="Helsinki-NLP/opus-mt-zh-en",
                        revision="0123456789abcdef0123456789abcdef01234567", lock=lock)
    save_lock(lock, env["TM_BUILDER_LOCK"])


def _one_line(done: subprocess.CompletedProcess[str], *wanted: str) -> None:
    """One error line, last; before it at most the retry budget, a short line a try."""
    *retries, last = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert last.startswith("tm-builder: error:") and "Traceback" not in done.stderr, done.stderr
    assert all(line.startswith("tm-builder: no answer from ") and " retry " in line for line in retries), retries
    assert len(retries) <= 5, retries
    for text in wanted:
        assert text in last, last


@pytest.mark.parametrize("command", ["lock", "pull"])
def test_a_hub_that_is_down(command, hub_env, tiny_model):
    if command == "pull":
        _pinned(hub_env, tiny_model)
    hub_env["HF_ENDPOINT"] = f"http://127.0.0.1:{_free_port()}"
    done = _run("models", command, env=hub_env)
    _one_line(done, "cannot reach", "check the network")


@pytest.mark.parametrize("command", ["lock", "pull"])
def test_a_hub_that_accepts_and_never_answers_times_out(command, hub_env, tiny_model):
    if command == "pull":
        _pinned(hub_env, tiny_model)
    silent = _Silent()
    try:
        hub_env["HF_ENDPOINT"] = f"http://127.0.0.1:{silent.port}"
        started = time.monotonic()
        done = _run("models", command, env=hub_env)
        elapsed = time.monotonic() - started
    finally:
        silent.close()
    _one_line(done, "cannot reach")
    assert elapsed < 200, elapsed  # it used to hang for ever; the bound is the read timeout times hub's retries


@pytest.mark.parametrize("status, code, message, wanted", [
    (404, "RepoNotFound", "Repository not found", "repository not found"),
    (403, "GatedRepo", "Access to model is restricted", "gated"),
    (404, "RevisionNotFound", "Invalid rev id: nope", "revision not found"),
])
def test_the_hubs_refusals_say_what_to_do(status, code, message, wanted, hub_env):
    server = _answering(status, code, message)
    try:
        hub_env["HF_ENDPOINT"] = f"http://127.0.0.1:{server.server_address[1]}"
        done = _run("models", "lock", "--revision", "nope", env=hub_env)
    finally:
        server.shutdown()
    _one_line(done, wanted)
    assert "404 Client Error." != done.stderr.strip().split(": ")[-1]
