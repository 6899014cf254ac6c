"""Pinned machine-translation models: ``models.lock``, the cache, verification.

A newsroom must be able to say which model wrote a draft and to know that the
weights on disk are the ones that were reviewed.  ``models.lock`` pins each
named model to a hub repository, a revision (commit hash) and the sha256 and
size of every file the tool loads.  Models live in the standard Hugging Face
cache (``HF_HOME`` / ``HF_HUB_CACHE`` are honoured) as
``models--ORG--NAME/snapshots/REVISION/``, and nothing from the cache is used
before it has been checked against the lock.

Resolution when translating: an explicit ``--model`` (a directory, or a name
in the lock) -> ``TM_BUILDER_MODEL`` -> the cache entry of the default locked
model -> a one-line error telling the user how to install it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .errors import TmBuilderError
from .textio import atomic_write

__all__ = [
    "DEFAULT_MODEL",
    "LockedFile",
    "ModelError",
    "ModelSpec",
    "ResolvedModel",
    "hub_cache",
    "installed_models",
    "load_lock",
    "install_from_directory",
    "lock_from_directory",
    "lock_from_hub",
    "lock_path",
    "pull",
    "resolve_model",
    "save_lock",
    "snapshot_dir",
    "verify_directory",
]

DEFAULT_MODEL = "opus-mt-zh-en"
UNRESOLVED = "unresolved"

#: files a Marian model needs, besides its weights (generation_config.json is optional)
MARIAN_FILES = ("config.json", "generation_config.json", "source.spm", "target.spm", "vocab.json", "tokenizer_config.json")
#: weight files in order of preference: safetensors loads without pickle
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


class ModelError(TmBuilderError):
    """A model is missing, unpinned, or fails verification."""

    exit_code = 2


@dataclass(frozen=True)
class LockedFile:
    """One file of a pinned model, as it must be on disk."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ModelSpec:
    """A named model pinned in ``models.lock``."""

    name: str
    repository: str
    revision: str = UNRESOLVED
    license: str = ""
    source_language: str = "zh"
    target_language: str = "en"
    files: tuple[LockedFile, ...] = ()

    @property
    def resolved(self) -> bool:
        """True when revision and file hashes are known."""
        return self.revision != UNRESOLVED and bool(self.files)

    @property
    def label(self) -> str:
        """How drafts name their model: ``opus-mt-zh-en@<revision>``."""
        return f"{self.name}@{self.revision}"


@dataclass(frozen=True)
class ResolvedModel:
    """A model directory ready to load, and how it was found."""

    path: Path
    label: str
    verified: bool
    spec: ModelSpec | None = None
    how: str = ""


@dataclass
class Lock:
    """The contents of ``models.lock``."""

    models: dict[str, ModelSpec] = field(default_factory=dict)
    path: Path | None = None

    def get(self, name: str) -> ModelSpec:
        try:
            return self.models[name]
        except KeyError:
            known = ", ".join(sorted(self.models)) or "none"
            raise ModelError(f"no model named {name!r} in {self.path or 'models.lock'} (known: {known})") from None


# --------------------------------------------------------------------------
# The lock file
# --------------------------------------------------------------------------


def lock_path() -> Path:
    """Where ``models.lock`` is read and written, the same wherever the command runs.

    ``TM_BUILDER_LOCK`` if set; else the package's own ``models.lock``,
    followed through its link: in a checkout (an editable install) that is
    the top-level ``models.lock`` the project commits.  The current
    directory is never consulted, so ``models lock`` run from elsewhere
    cannot write one file while ``translate`` reads another.
    """
    env = os.environ.get("TM_BUILDER_LOCK")
    if env:
        return Path(env)
    return Path(str(resources.files("tm_builder") / "models.lock")).resolve()


def load_lock(path: str | os.PathLike[str] | None = None) -> Lock:
    """Read and check ``models.lock``."""
    p = Path(path) if path is not None else lock_path()
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{p}: no models.lock found") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ModelError(f"{p}: not a valid models.lock ({exc})") from None
    lock = Lock(path=p)
    for name, entry in (data.get("models") or {}).items():
        try:
            files = tuple(LockedFile(str(f["name"]), int(f["size"]), str(f["sha256"]).lower()) for f in entry.get("files", []))
            lock.models[name] = ModelSpec(
                name=name,
                repository=str(entry["repository"]),
                revision=str(entry.get("revision", UNRESOLVED)),
                license=str(entry.get("license", "")),
                source_language=str(entry.get("source_language", "zh")),
                target_language=str(entry.get("target_language", "en")),
                files=files,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{p}: model {name!r}: missing or bad field ({exc})") from None
    return lock


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def save_lock(lock: Lock, path: str | os.PathLike[str] | None = None) -> Path:
    """Write *lock* (atomically), keeping the explanatory header of the file."""
    p = (Path(path) if path is not None else (lock.path or lock_path())).resolve()  # through a link, never over it
    lines = [
        "# models.lock: the machine-translation models tm-builder may use, pinned.",
        "# Each model: hub repository, revision (commit hash), and size + sha256 of every",
        "# file the tool loads. 'tm-builder models lock' writes it; 'models pull' and",
        "# translation refuse files that do not match. revision = \"unresolved\" means the",
        "# hub could not be reached when the lock was made: nothing is pinned yet.",
        "",
        "version = 1",
    ]
    for spec in sorted(lock.models.values(), key=lambda s: s.name):
        lines += [
            "",
            f"[models.{_toml_string(spec.name)}]",
            f"repository = {_toml_string(spec.repository)}",
            f"revision = {_toml_string(spec.revision)}",
            f"license = {_toml_string(spec.license)}",
            f"source_language = {_toml_string(spec.source_language)}",
            f"target_language = {_toml_string(spec.target_language)}",
        ]
        if spec.files:
            lines.append("files = [")
            lines += [
                f"  {{ name = {_toml_string(f.name)}, size = {f.size}, sha256 = {_toml_string(f.sha256)} }},"
                for f in spec.files
            ]
            lines.append("]")
        else:
            lines.append("files = []")
    with atomic_write(p, newline="\n") as out:
        out.write("\n".join(lines) + "\n")
    return p


# --------------------------------------------------------------------------
# Hashing and verification
# --------------------------------------------------------------------------


def hash_file(path: Path) -> tuple[int, str]:
    """Size and sha256 of *path*, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def _stamp_path(spec: ModelSpec) -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tm-builder" / "verified"
    return base / f"{spec.name}@{spec.revision}.json"


def _stat_key(path: Path) -> list[int]:
    # ctime too: an edit in place that restores size and mtime (touch -r) cannot restore the change time
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def verify_directory(spec: ModelSpec, directory: Path, *, use_stamp: bool = True) -> None:
    """Check every locked file of *spec* in *directory*; raise :class:`ModelError` on any mismatch.

    A full check hashes every file (about a second for the 300 MB model).  A
    successful check leaves a stamp of the files' size, mtime, change time
    and inode in tm-builder's cache, so the next run re-hashes only if a
    file changed; ``use_stamp=False`` (``models verify``) always hashes.
    Weights in the folder that the lock does not pin are refused: the
    loaders would prefer them to the verified ones.
    """
    if not spec.resolved:
        raise ModelError(f"model {spec.name} is not pinned (models.lock revision {spec.revision}); run 'tm-builder models lock {spec.name}' (needs internet)")
    stamp = _stamp_path(spec)
    paths = {f.name: directory / f.name for f in spec.files}
    missing = [name for name, p in paths.items() if not p.is_file()]
    if missing:
        raise ModelError(f"model {spec.name} in {directory} is incomplete: missing {', '.join(missing)}")
    planted = [n for n in WEIGHT_FILES if n not in paths and (directory / n).exists()]
    if planted:  # the loaders would take it over the pinned weights
        raise ModelError(f"model {spec.name}: {directory / planted[0]} is not pinned in models.lock, and the loaders would "
                         f"use it instead of the verified weights; remove it, or pin it with 'models lock'")
    current = {name: _stat_key(p) for name, p in paths.items()}
    if use_stamp:
        try:
            if json.loads(stamp.read_text(encoding="utf-8")) == {"directory": str(directory), "files": current}:
                return
        except (OSError, ValueError):
            pass  # no stamp or an unreadable one: verify in full
    for f in spec.files:
        size, digest = hash_file(paths[f.name])
        if digest != f.sha256 or size != f.size:
            raise ModelError(
                f"model {spec.name}: {directory / f.name} does not match models.lock "
                f"(expected sha256 {f.sha256}, size {f.size}; found sha256 {digest}, size {size})"
            )
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(stamp) as out:
            json.dump({"directory": str(directory), "files": current}, out)
    except (OSError, TmBuilderError):
        pass  # a read-only home only costs a re-hash next time


def _model_files(directory: Path) -> list[str]:
    """The files of a Marian directory that tm-builder loads."""
    names = [n for n in MARIAN_FILES if (directory / n).is_file()]
    weights = [n for n in WEIGHT_FILES if (directory / n).is_file()]
    required = {"config.json", "source.spm", "target.spm", "vocab.json"}
    if not required <= set(names) or not weights:
        lacking = sorted(required - set(names)) + ([] if weights else ["model.safetensors or pytorch_model.bin"])
        raise ModelError(f"{directory}: not a Marian model directory (missing {', '.join(lacking)})")
    return sorted(names + weights[:1])


# --------------------------------------------------------------------------
# The Hugging Face cache
# --------------------------------------------------------------------------


def hub_cache() -> Path:
    """The Hugging Face hub cache, as huggingface_hub itself would choose it."""
    explicit = os.environ.get("HF_HUB_CACHE")
    if explicit:
        return Path(explicit)
    home = os.environ.get("HF_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "huggingface")
    return Path(home) / "hub"


def snapshot_dir(spec: ModelSpec) -> Path:
    """Where the locked revision of *spec* lives in the cache."""
    return hub_cache() / f"models--{spec.repository.replace('/', '--')}" / "snapshots" / spec.revision


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


#: seconds to connect to the hub, and to wait for any answer once connected ($TM_BUILDER_HUB_TIMEOUT)
HUB_CONNECT_TIMEOUT = 10.0
HUB_READ_TIMEOUT = 60.0


def _read_timeout() -> float:
    try:
        return float(os.environ.get("TM_BUILDER_HUB_TIMEOUT") or HUB_READ_TIMEOUT)
    except ValueError:
        raise ModelError(f"TM_BUILDER_HUB_TIMEOUT={os.environ['TM_BUILDER_HUB_TIMEOUT']!r}: give seconds, e.g. 60") from None


@contextlib.contextmanager
def _hub_errors(action: str) -> Iterator[None]:
    """Every failure at the hub's boundary as one :class:`ModelError` line: what happened and what to do.

    huggingface_hub's own session has no timeout, so a server that accepts
    a connection and never answers would hang the command: the session is
    given connect and read timeouts first (:func:`_bound_timeouts`).
    """
    import httpx2
    from huggingface_hub import get_session
    from huggingface_hub import errors as hub

    _bound_timeouts(get_session(), _read_timeout())
    endpoint = os.environ.get("HF_ENDPOINT") or "https://huggingface.co"
    try:
        with _retries_shown(endpoint):
            yield
    except hub.GatedRepoError:
        raise ModelError(f"{action}: the repository is gated; accept its conditions on the model page, then log in "
                         "(hf auth login, or set HF_TOKEN)") from None
    except hub.RepositoryNotFoundError:
        raise ModelError(f"{action}: repository not found on {endpoint} (check its name in models.lock; a private "
                         "one needs a login: hf auth login, or HF_TOKEN)") from None
    except hub.RevisionNotFoundError:
        raise ModelError(f"{action}: revision not found; give an existing branch, tag or commit with --revision") from None
    except hub.RemoteEntryNotFoundError as exc:
        raise ModelError(f"{action}: a pinned file is not in that revision ({_hub_detail(exc)}); re-pin with 'models lock'") from None
    except hub.HfHubHTTPError as exc:
        raise ModelError(f"{action}: the hub answered {_hub_detail(exc)}; try again later") from None
    except (httpx2.TimeoutException, httpx2.NetworkError, httpx2.RemoteProtocolError, hub.LocalEntryNotFoundError) as exc:
        raise ModelError(f"{action}: cannot reach {endpoint} or the download broke off ({type(exc).__name__}: "
                         f"{_hub_detail(exc)}); check the network, proxy or HF_ENDPOINT and run again (what was "
                         "fetched is kept)") from None
    except (hub.XetDownloadError, RuntimeError) as exc:
        if "xet" not in str(exc).lower() and "cas" not in str(exc).lower() and not isinstance(exc, hub.XetDownloadError):
            raise
        raise ModelError(f"{action}: the hub's Xet storage is unreachable ({_hub_detail(exc)}); a network that "
                         "blocks it can download the classic way: set HF_HUB_DISABLE_XET=1 and run again") from None
    except OSError as exc:
        raise ModelError(f"{action}: {exc.strerror or exc}") from None


def _bound_timeouts(session, read: float) -> None:
    """Give every request of huggingface_hub's session connect and read timeouts.

    Its client has none, and its paginated calls (the file tree) pass
    ``timeout=None`` per request, which overrides a client default: so the
    bound is put on the transport, where each request's timeouts are read.
    """
    import httpx2

    timeouts = {"connect": min(HUB_CONNECT_TIMEOUT, read), "read": read, "write": read, "pool": read}

    class Bounded(httpx2.BaseTransport):
        def __init__(self, inner: httpx2.BaseTransport) -> None:
            self.inner = inner

        def handle_request(self, request: httpx2.Request) -> httpx2.Response:
            given = request.extensions.get("timeout") or {}
            request.extensions["timeout"] = {k: given.get(k) if given.get(k) is not None else v for k, v in timeouts.items()}
            return self.inner.handle_request(request)

        def close(self) -> None:
            self.inner.close()

    if not getattr(session, "_tm_builder_bounded", False):
        session._transport = Bounded(session._transport)  # httpx keeps the transport and the proxies' here
        session._mounts = {pattern: Bounded(t) if t is not None else None for pattern, t in session._mounts.items()}
        session._tm_builder_bounded = True


class _RetryLine(logging.Handler):
    """huggingface_hub's retry warnings (two lines a try, with the URL) as one short line each, the budget in it."""

    _RETRY = re.compile(r"Retrying in (\S+)s \[Retry (\d+)/(\d+)\]")

    def __init__(self, endpoint: str) -> None:
        super().__init__(logging.WARNING)
        self.endpoint = endpoint

    def emit(self, record: logging.LogRecord) -> None:
        found = self._RETRY.search(record.getMessage())
        if found:
            sys.stderr.write(f"tm-builder: no answer from {self.endpoint}; retry {found[2]} of {found[3]} in {found[1]} s\n")
        elif record.levelno >= logging.ERROR:
            sys.stderr.write(f"tm-builder: {record.getMessage().splitlines()[0]}\n")


@contextlib.contextmanager
def _retries_shown(endpoint: str) -> Iterator[None]:
    hub_log = logging.getLogger("huggingface_hub")
    saved = hub_log.handlers[:], hub_log.propagate
    hub_log.handlers, hub_log.propagate = [_RetryLine(endpoint)], False
    try:
        yield
    finally:
        hub_log.handlers, hub_log.propagate = saved


def _hub_detail(exc: BaseException) -> str:
    """The lines of a hub error that say what happened, joined (not only its first, "404 Client Error.")."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip() and not line.strip().startswith("Request ID")]
    return " ".join(lines)[:300] or type(exc).__name__


def pull(name: str = DEFAULT_MODEL, lock: Lock | None = None) -> Path:
    """Download the locked revision of *name* into the cache and verify it.

    Shows huggingface_hub's progress bars.  A cached file that does not
    match the lock (an earlier download went wrong) is downloaded again; one
    that still does not match is an error naming the file and both hashes.
    """
    lock = lock or load_lock()
    spec = lock.get(name)
    if not spec.resolved:
        raise ModelError(
            f"model {name} is not pinned: models.lock has revision {spec.revision!r} and no file hashes; "
            f"run 'tm-builder models lock {name}' first (needs internet)"
        )
    if _offline():
        raise ModelError(f"cannot download {spec.repository}: HF_HUB_OFFLINE is set")
    from huggingface_hub import snapshot_download

    action = f"cannot download {spec.repository}@{spec.revision}"
    with _hub_errors(action):
        path = Path(
            snapshot_download(
                spec.repository, revision=spec.revision, allow_patterns=[f.name for f in spec.files], cache_dir=hub_cache()
            )
        )
        bad = [f.name for f in spec.files if (path / f.name).is_file() and hash_file(path / f.name) != (f.size, f.sha256)]
        if bad:  # a file cached from an earlier, faulty download: fetch it again, blob and all
            _refetch(spec.repository, spec.revision, bad, path)
    verify_directory(spec, path, use_stamp=False)
    return path


def _refetch(repository: str, commit: str, names: Sequence[str], snapshot: Path) -> None:
    """Download *names* again, removing the cached copies first (the snapshot's link and the blob it points to).

    huggingface_hub trusts a cached blob for ever: after a faulty download
    a file stays wrong however often ``pull`` runs, unless it is removed.
    """
    from huggingface_hub import hf_hub_download

    for name in names:
        link = snapshot / name
        with contextlib.suppress(OSError):
            blob = link.resolve()
            link.unlink()
            if blob.is_relative_to(hub_cache()):
                blob.unlink()
        hf_hub_download(repository, name, revision=commit, cache_dir=hub_cache(), force_download=True)


def _hub_hashes(repository: str, commit: str) -> dict[str, tuple[str, str]]:
    """What the hub says each file of *commit* is: ("sha256", digest) for LFS files, ("git", blob id) for the others."""
    from huggingface_hub import HfApi
    from huggingface_hub.hf_api import RepoFile

    out = {}
    for entry in HfApi().list_repo_tree(repository, revision=commit, recursive=True):
        if isinstance(entry, RepoFile):
            out[entry.path] = ("sha256", entry.lfs.sha256) if entry.lfs is not None else ("git", entry.blob_id)
    return out


def _matches_hub(path: Path, kind: str, digest: str) -> bool:
    if kind == "sha256":
        return hash_file(path)[1] == digest
    data = path.read_bytes()  # small files only: the large ones are LFS
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest() == digest


def lock_from_directory(
    name: str, directory: str | os.PathLike[str], *, repository: str | None = None, revision: str | None = None,
    license: str | None = None, lock: Lock | None = None,
) -> ModelSpec:
    """Pin *name* to the files of a local model directory.

    For a model obtained by other means (copied from a connected machine):
    the lock then records exactly those files, and any later change to them
    is refused.  Without *revision*, a content hash of the files stands in.
    """
    lock = lock or load_lock()
    src = Path(directory)
    if not src.is_dir():
        raise ModelError(f"{src}: not a directory")
    files = tuple(LockedFile(n, *hash_file(src / n)) for n in _model_files(src))
    manifest = hashlib.sha256("".join(f"{f.name}:{f.sha256}\n" for f in files).encode()).hexdigest()
    old = lock.models.get(name)
    spec = ModelSpec(
        name=name,
        repository=repository or (old.repository if old else f"local/{name}"),
        revision=revision or f"local-{manifest[:16]}",
        license=license if license is not None else (old.license if old else ""),
        source_language=old.source_language if old else "zh",
        target_language=old.target_language if old else "en",
        files=files,
    )
    lock.models[name] = spec
    return spec


def install_from_directory(spec: ModelSpec, directory: str | os.PathLike[str]) -> Path:
    """Copy the pinned files of a local model directory to where ``translate`` looks for *spec*, and verify them.

    The offline route: a directory copied from a connected machine, pinned
    with :func:`lock_from_directory`, becomes the cache entry of its pinned
    revision, so the model is used by name like one pulled from the hub.
    """
    src = Path(directory)
    dest = snapshot_dir(spec)
    try:
        dest.mkdir(parents=True, exist_ok=True)
        for f in spec.files:
            target = dest / f.name
            if target.is_symlink() or target.exists():
                target.unlink()
            tmp = dest / f".{f.name}.part"
            shutil.copyfile(src / f.name, tmp)
            os.replace(tmp, target)
    except OSError as exc:
        raise ModelError(f"cannot install {src} into {dest} ({exc.strerror or exc})") from None
    verify_directory(spec, dest, use_stamp=False)
    return dest


def lock_from_hub(name: str = DEFAULT_MODEL, *, revision: str = "main", lock: Lock | None = None) -> ModelSpec:
    """Resolve *revision* of *name*'s repository on the hub and pin its files.

    Needs the network: downloads the files to hash them (into the cache, so
    a following ``pull`` has nothing left to fetch), and checks each against
    the hub's own hash of it (LFS sha256, git blob id), so that a file
    damaged in the cache is fetched again, never pinned.
    """
    lock = lock or load_lock()
    spec = lock.get(name)
    if _offline():
        raise ModelError(f"cannot resolve {spec.repository}: HF_HUB_OFFLINE is set")
    from huggingface_hub import HfApi, snapshot_download

    action = f"cannot resolve {spec.repository}@{revision}"
    with _hub_errors(action):
        info = HfApi().model_info(spec.repository, revision=revision, timeout=_read_timeout())
        listed = {s.rfilename for s in info.siblings or []}
        wanted = [n for n in MARIAN_FILES if n in listed] + [n for n in WEIGHT_FILES if n in listed][:1]
        path = Path(snapshot_download(spec.repository, revision=info.sha, allow_patterns=wanted, cache_dir=hub_cache()))
        # pin what the hub holds, not what the cache holds: a file damaged there is fetched again
        hub_hashes = _hub_hashes(spec.repository, info.sha)
        differ = [n for n in wanted if n in hub_hashes and not _matches_hub(path / n, *hub_hashes[n])]
        if differ:
            _refetch(spec.repository, info.sha, differ, path)
            still = [n for n in differ if not _matches_hub(path / n, *hub_hashes[n])]
            if still:
                raise ModelError(f"{action}: {still[0]} as downloaded does not match the hub's own hash of it; nothing "
                                 "was pinned (run again later, or from another network)")
    resolved = lock_from_directory(name, path, repository=spec.repository, revision=info.sha, license=spec.license, lock=lock)
    return resolved


# --------------------------------------------------------------------------
# Resolution
# --------------------------------------------------------------------------


def _from_name(name: str, lock: Lock, how: str) -> ResolvedModel:
    spec = lock.get(name)
    if not spec.resolved:
        raise ModelError(
            f"model {name} is not installed: models.lock does not pin it yet (revision {spec.revision}); "
            f"run 'tm-builder models lock {name}' and 'tm-builder models pull {name}' (needs internet) or pass --model DIR"
        )
    path = snapshot_dir(spec)
    if not path.is_dir():
        raise ModelError(f"model {name} is not installed; run 'tm-builder models pull {name}' (needs internet) or pass --model DIR")
    verify_directory(spec, path)
    return ResolvedModel(path=path, label=spec.label, verified=True, spec=spec, how=how)


def _from_argument(value: str, lock_loader, how: str) -> ResolvedModel:
    path = Path(value).expanduser()
    if path.is_dir():
        _model_files(path)  # a clear error if it is not a Marian directory
        return ResolvedModel(path=path.resolve(), label=f"{path.resolve().name}@local", verified=False, how=how)
    if os.sep in value or value.startswith("."):
        raise ModelError(f"{value}: no such model directory")
    return _from_name(value, lock_loader(), how)


def resolve_model(model: str | None = None, *, lock: Lock | None = None) -> ResolvedModel:
    """Find the model to translate with, in the documented order (see module docstring)."""
    lock_loader = (lambda: lock) if lock is not None else load_lock
    if model:
        return _from_argument(model, lock_loader, "--model")
    env = os.environ.get("TM_BUILDER_MODEL")
    if env:
        return _from_argument(env, lock_loader, "TM_BUILDER_MODEL")
    return _from_name(DEFAULT_MODEL, lock_loader(), "models.lock")


@dataclass(frozen=True)
class InstalledModel:
    """What ``models list`` shows for one locked model."""

    spec: ModelSpec
    path: Path
    installed: bool
    size: int
    status: str  # "verified", "MISMATCH: ...", "not installed", "not pinned"


def installed_models(lock: Lock | None = None, *, full: bool = False) -> list[InstalledModel]:
    """The state of every model in the lock (``full`` re-hashes every file)."""
    lock = lock or load_lock()
    out = []
    for spec in sorted(lock.models.values(), key=lambda s: s.name):
        if not spec.resolved:
            out.append(InstalledModel(spec, hub_cache(), False, 0, "not pinned (revision unresolved)"))
            continue
        path = snapshot_dir(spec)
        if not path.is_dir():
            out.append(InstalledModel(spec, path, False, 0, "not installed"))
            continue
        size = sum((path / f.name).stat().st_size for f in spec.files if (path / f.name).is_file())
        try:
            verify_directory(spec, path, use_stamp=not full)
            status = "verified"
        except ModelError as exc:
            status = f"FAILED: {exc}"
        out.append(InstalledModel(spec, path, True, size, status))
    return out

