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
from pathlib import Path

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


COMMIT = "8e5c9f0d2b7a4c1e9f3d6b8a0c2e4f6a8b0d2c4e"


def _hub(tiny_model):
    from .hub_server import FakeHub, model_files

    return FakeHub("Helsinki-NLP/opus-mt-zh-en", {COMMIT: model_files(tiny_model)}, {"main": COMMIT})


@pytest.mark.slow
def test_lock_pull_verify_translate_against_a_hub_then_offline(hub_env, tiny_model, tmp_path):
    with _hub(tiny_model) as hub:
        hub_env["HF_ENDPOINT"] = hub.endpoint
        done = _run("models", "lock", env=hub_env)
        assert done.returncode == 0, done.stderr
        spec = load_lock(hub_env["TM_BUILDER_LOCK"]).get("opus-mt-zh-en")
        assert spec.revision == COMMIT and "model.safetensors" in {f.name for f in spec.files}
        assert not {"tf_model.h5", "rust_model.ot", "README.md"} & {f.name for f in spec.files}
        assert _run("models", "pull", env=hub_env).returncode == 0
        done = _run("models", "verify", env=hub_env)
        assert done.returncode == 0 and "verified" in done.stdout, done.stdout + done.stderr
        fetched = [r for r in hub.requests if "/resolve/" in r]
        assert fetched and not any(decoy in r for r in fetched for decoy in ("tf_model.h5", "rust_model.ot"))
    offline = {**hub_env, "HF_HUB_OFFLINE": "1"}
    doc = tmp_path / "doc.txt"
    doc.write_text("中方支持全球南方国家加强团结合作。\n", encoding="utf-8")
    for engine in ("ct2", "marian"):
        done = _run("translate", str(doc), "-o", str(tmp_path / engine), "--engine", engine, "--max-length", "8",
                    "--no-terms", env=offline)
        assert done.returncode == 0, done.stderr
        assert "drafted 1 segment with opus-mt-zh-en" in done.stdout, done.stdout


def _wrong(data: bytes) -> bytes:
    """Other bytes of the same size."""
    return bytes(b ^ 0x5A for b in data)


@pytest.mark.slow
def test_a_bad_cached_file_is_repaired_by_the_next_pull(hub_env, tiny_model):
    with _hub(tiny_model) as hub:
        hub_env["HF_ENDPOINT"] = hub.endpoint
        assert _run("models", "lock", env=hub_env).returncode == 0
        spec = load_lock(hub_env["TM_BUILDER_LOCK"]).get("opus-mt-zh-en")
        cached = next(p for p in (Path(hub_env["HF_HOME"]) / "hub").rglob("vocab.json"))
        blob = cached.resolve()
        # the file goes bad in the cache (a faulty download, a disk error): same size, other bytes
        blob.chmod(0o644)
        blob.write_bytes(_wrong(blob.read_bytes()))
        hub.served["vocab.json"] = _wrong((tiny_model / "vocab.json").read_bytes())  # and the server misbehaves once
        failed = _run("models", "pull", env=hub_env)
        _one_line(failed, "vocab.json", "does not match")
        del hub.served["vocab.json"]  # the server is fixed: the next pull repairs the cache, blob included
        done = _run("models", "pull", env=hub_env)
        assert done.returncode == 0, done.stderr
        assert _run("models", "verify", env=hub_env).returncode == 0
        assert {f.name: f.sha256 for f in spec.files}["vocab.json"] == __import__("hashlib").sha256(
            (tiny_model / "vocab.json").read_bytes()).hexdigest()


@pytest.mark.slow
def test_lock_over_a_damaged_cache_pins_the_hubs_file_not_the_damage(hub_env, tiny_model):
    import hashlib

    with _hub(tiny_model) as hub:
        hub_env["HF_ENDPOINT"] = hub.endpoint
        hub.served["model.safetensors"] = _wrong((tiny_model / "model.safetensors").read_bytes())
        assert _run("models", "lock", env=hub_env).returncode != 0  # the hub's own hash refuses what it served
        assert load_lock(hub_env["TM_BUILDER_LOCK"]).get("opus-mt-zh-en").revision != COMMIT  # nothing pinned
        del hub.served["model.safetensors"]
        done = _run("models", "lock", env=hub_env)  # the damaged file is still in the cache: fetched again
        assert done.returncode == 0, done.stderr
    pinned = {f.name: f.sha256 for f in load_lock(hub_env["TM_BUILDER_LOCK"]).get("opus-mt-zh-en").files}
    assert pinned["model.safetensors"] == hashlib.sha256((tiny_model / "model.safetensors").read_bytes()).hexdigest()


@pytest.mark.parametrize("stall", [False, True], ids=["cut off", "stalled"])
def test_a_download_cut_off_or_stalled_again_and_again_is_one_line(hub_env, tiny_model, stall):
    with _hub(tiny_model) as hub:
        hub_env["HF_ENDPOINT"] = hub.endpoint
        hub.cut_after, hub.stall = 1000, stall
        done = _run("models", "lock", env=hub_env)
    _one_line(done, "run again")


@pytest.mark.slow
def test_the_real_layout_weights_on_main_as_pytorch_bin_and_safetensors_on_a_pr_revision(hub_env, tiny_model, tmp_path):
    """opus-mt-zh-en has pytorch_model.bin on main and model.safetensors only on a refs/pr/ revision: both load in both engines."""
    import torch
    from safetensors.torch import load_file

    from .hub_server import FakeHub, model_files

    safetensors = model_files(tiny_model)
    binary = {k: v for k, v in safetensors.items() if k != "model.safetensors"}
    buffer = tmp_path / "pytorch_model.bin"
    torch.save(load_file(tiny_model / "model.safetensors"), buffer)
    binary["pytorch_model.bin"] = buffer.read_bytes()
    pr = "1f0e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c"
    doc = tmp_path / "doc.txt"
    doc.write_text("中方支持全球南方国家。\n", encoding="utf-8")
    with FakeHub("Helsinki-NLP/opus-mt-zh-en", {COMMIT: binary, pr: safetensors}, {"main": COMMIT, "refs/pr/1": pr}) as hub:
        hub_env["HF_ENDPOINT"] = hub.endpoint
        for revision, weights in (("main", "pytorch_model.bin"), ("refs/pr/1", "model.safetensors")):
            done = _run("models", "lock", "--revision", revision, env=hub_env)
            assert done.returncode == 0, done.stderr
            assert weights in {f.name for f in load_lock(hub_env["TM_BUILDER_LOCK"]).get("opus-mt-zh-en").files}
            assert _run("models", "pull", env=hub_env).returncode == 0
            for engine in ("ct2", "marian"):
                out = tmp_path / f"{engine}-{weights}"
                done = _run("translate", str(doc), "-o", str(out), "--engine", engine, "--max-length", "8", "--no-terms",
                            env=hub_env)
                assert done.returncode == 0 and "drafted 1 segment" in done.stdout, done.stderr


@pytest.mark.slow
def test_an_unreachable_xet_storage_says_how_to_download_without_it(hub_env, tiny_model):
    with _hub(tiny_model) as hub:
        hub_env["HF_ENDPOINT"] = hub.endpoint
        hub.xet_cas = f"http://127.0.0.1:{_free_port()}"  # the hub advertises Xet; its storage host is blocked
        hub_env.update({"HF_XET_CLIENT_RETRY_MAX_ATTEMPTS": "1", "HF_XET_CLIENT_RETRY_MAX_DURATION": "5"})
        done = _run("models", "lock", env=hub_env)
        _one_line(done, "HF_HUB_DISABLE_XET=1")
        done = _run("models", "lock", env={**hub_env, "HF_HUB_DISABLE_XET": "1"})  # the classic way works
        assert done.returncode == 0, done.stderr
