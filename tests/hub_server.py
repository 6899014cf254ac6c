"""A local stand-in for the Hugging Face Hub: the part of its HTTP protocol that ``huggingface_hub`` uses to download.

Bound to loopback, started and stopped by the tests.  It answers:

- ``GET /api/models/{repo}/revision/{rev}``: model info (``sha``, ``siblings``);
- ``GET /api/models/{repo}/tree/{rev}``: the file tree (``oid``: the git blob id;
  ``lfs``: the sha256 and size of large files), one page;
- ``HEAD``/``GET /{repo}/resolve/{rev}/{file}``: small files directly, with
  ``ETag`` and ``X-Repo-Commit``; large (LFS) files by a redirect to a second
  port, as the real hub sends them to its CDN, with ``X-Linked-Etag`` (the
  sha256) and ``X-Linked-Size``;
- on the CDN port, the bytes, with ``Range`` requests answered;
- errors as the hub gives them: ``X-Error-Code`` ``RepoNotFound``,
  ``RevisionNotFound``, ``EntryNotFound``.

Faults are set on the object while it runs: :attr:`served` replaces a
file's bytes on the wire (a wrong file of the right size), :attr:`cut_after`
closes every large download after that many bytes (or, with :attr:`stall`,
holds it open without sending more).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

#: files the hub stores in LFS (large, binary)
LFS_SUFFIXES = (".safetensors", ".bin", ".h5", ".ot", ".spm", ".msgpack")


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class FakeHub:
    def __init__(self, repo: str, revisions: dict[str, dict[str, bytes]], refs: dict[str, str] | None = None) -> None:
        """*revisions*: commit id -> files; *refs*: branch or PR ref -> commit id."""
        self.repo = repo
        self.revisions = revisions
        self.refs = refs or {}
        self.served: dict[str, bytes] = {}
        self.cut_after: int | None = None
        #: when true, a cut-off download is held open instead of closed (a stalled transfer)
        self.stall = False
        #: when set, large files are advertised as Xet-stored, with this CAS address (unreachable, in the tests)
        self.xet_cas: str | None = None
        self.requests: list[str] = []
        self._api = ThreadingHTTPServer(("127.0.0.1", 0), self._handler(cdn=False))
        self._cdn = ThreadingHTTPServer(("127.0.0.1", 0), self._handler(cdn=True))
        for server in (self._api, self._cdn):
            server.daemon_threads, server.block_on_close = True, False  # a stalled answer must not hold up close()
            threading.Thread(target=server.serve_forever, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._api.server_address[1]}"

    def close(self) -> None:
        for server in (self._api, self._cdn):
            server.shutdown()
            server.server_close()

    def __enter__(self) -> "FakeHub":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what the hub knows ------------------------------------------------------------------------

    def commit(self, rev: str) -> str | None:
        rev = unquote(rev)
        return rev if rev in self.revisions else self.refs.get(rev)

    def blob(self, sha256: str) -> bytes | None:
        for files in self.revisions.values():
            for name, data in files.items():
                if hashlib.sha256(data).hexdigest() == sha256:
                    return self.served.get(name, data)
        return None

    # -- HTTP -------------------------------------------------------------------------------------------

    def _handler(self, cdn: bool):
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                if "Content-Length" not in (headers or {}):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _error(self, status: int, code: str, message: str) -> None:
                self._send(status, json.dumps({"error": message}).encode(),
                           {"X-Error-Code": code, "X-Error-Message": message, "Content-Type": "application/json"})

            def do_HEAD(self) -> None:
                self.do_GET()

            def do_GET(self) -> None:
                hub.requests.append(f"{'cdn' if cdn else 'api'} {self.command} {self.path}")
                path = urlparse(self.path).path
                if cdn:
                    return self._blob(path)
                if re.fullmatch(r"/api/models/[^/]+/[^/]+/xet-read-token/[^/]+", path) and hub.xet_cas:
                    return self._send(200, b"{}", {"X-Xet-Cas-Url": hub.xet_cas, "X-Xet-Access-Token": "token",
                                                   "X-Xet-Token-Expiration": "4102444800", "Content-Type": "application/json"})
                m = re.fullmatch(r"/api/models/(?P<repo>[^/]+/[^/]+)/(?P<kind>revision|tree)/(?P<rev>[^/]+)(?:/.*)?", path)
                if m:
                    return self._api(m["repo"], m["kind"], m["rev"])
                m = re.fullmatch(r"/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<file>.+)", path)
                if m:
                    return self._resolve(m["repo"], m["rev"], unquote(m["file"]))
                self._error(404, "RepoNotFound", "Repository not found")

            def _api(self, repo: str, kind: str, rev: str) -> None:
                if repo != hub.repo:
                    return self._error(401, "RepoNotFound", "Repository not found")
                commit = hub.commit(rev)
                if commit is None:
                    return self._error(404, "RevisionNotFound", f"Invalid rev id: {unquote(rev)}")
                files = hub.revisions[commit]
                if kind == "revision":
                    body = {"id": repo, "modelId": repo, "sha": commit, "private": False, "tags": [],
                            "siblings": [{"rfilename": n} for n in sorted(files)]}
                else:
                    body = []
                    for name, data in sorted(files.items()):
                        entry = {"type": "file", "oid": git_blob_id(data), "size": len(data), "path": name}
                        if name.endswith(LFS_SUFFIXES):
                            entry["lfs"] = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}
                            if hub.xet_cas:
                                entry["xetHash"] = hashlib.sha256(b"xet" + data).hexdigest()
                        body.append(entry)
                self._send(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

            def _resolve(self, repo: str, rev: str, name: str) -> None:
                if repo != hub.repo:
                    return self._error(401, "RepoNotFound", "Repository not found")
                commit = hub.commit(rev)
                if commit is None:
                    return self._error(404, "RevisionNotFound", f"Invalid rev id: {unquote(rev)}")
                data = hub.revisions[commit].get(name)
                if data is None:
                    return self._error(404, "EntryNotFound", f"{name} does not exist on {rev}")
                common = {"X-Repo-Commit": commit}
                if name.endswith(LFS_SUFFIXES):
                    sha = hashlib.sha256(data).hexdigest()
                    location = f"http://127.0.0.1:{hub._cdn.server_address[1]}/blobs/{sha}"
                    if hub.xet_cas:
                        common.update({"X-Xet-Hash": hashlib.sha256(b"xet" + data).hexdigest(),
                                       "X-Xet-Refresh-Route": f"{hub.endpoint}/api/models/{repo}/xet-read-token/{commit}"})
                    return self._send(302, b"", {**common, "Location": location, "X-Linked-Etag": f'"{sha}"',
                                                  "X-Linked-Size": str(len(data)), "ETag": f'"{git_blob_id(data)}"'})
                served = hub.served.get(name, data)
                self._send(200, served, {**common, "ETag": f'"{git_blob_id(data)}"', "Content-Type": "application/octet-stream"})

            def _blob(self, path: str) -> None:
                m = re.fullmatch(r"/blobs/([0-9a-f]{64})", path)
                data = hub.blob(m[1]) if m else None
                if data is None:
                    return self._send(404)
                start = 0
                rng = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
                if rng:
                    start = int(rng[1])
                status = 206 if rng else 200
                part = data[start:]
                headers = {"ETag": f'"{m[1]}"', "Content-Type": "application/octet-stream", "Accept-Ranges": "bytes",
                           "Content-Length": str(len(part))}
                if rng:
                    headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
                if hub.cut_after is not None and self.command == "GET":
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(part[:hub.cut_after])
                    self.wfile.flush()
                    if hub.stall:
                        time.sleep(30)
                    self.close_connection = True
                    return
                self._send(status, part, headers)

        return Handler


def model_files(directory: Path) -> dict[str, bytes]:
    """A model directory's files as the hub would hold them, plus the decoys a real repository has."""
    files = {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file()}
    files.update({"tf_model.h5": b"decoy: TensorFlow weights", "rust_model.ot": b"decoy: Rust weights",
                  "README.md": b"# a model card\n"})
    return files
