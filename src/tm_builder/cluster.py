"""Drafting an archive on a Ray cluster: the run's own plan, its chunks spread over workers.

A run plans its drafting before any engine call (:func:`tm_builder.translate.plan_drafts`):
the archive's distinct segments, minus what the draft cache holds, cut into
chunks of one engine call each.  Here Ray Data streams those chunks through a
pool of actors, each of which loads the engine once and drafts whole chunks
with exactly the settings of a run on one machine, so the drafts, and every
file made from them, are the same byte for byte.  Per-document work (term
extraction) runs as Ray tasks.

Ray restarts an actor that dies (a killed process, a lost node) and gives its
chunk to a live one; the driver stores each finished chunk in the draft cache
at once, so even a run that is stopped resumes where it was.  Ray is an
optional extra (``pip install 'tm-builder[cluster]'``), imported only here.

Every worker loads the model from the path the driver verified: on a real
cluster, share the Hugging Face cache (``HF_HOME``) between the nodes or run
``tm-builder models pull`` on each with the same ``models.lock``.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from .engines.base import Draft, DraftOptions, Engine
from .errors import InputError, TmBuilderError
from .translate import Dispatch

import ray
import ray.data

__all__ = ["EngineSpec", "RayDispatch"]

T = TypeVar("T")
R = TypeVar("R")

#: the settings a worker needs to build the driver's engine again: what and where, never weights
_PASSED_ENV = ("HF_HOME", "HF_HUB_CACHE", "HF_HUB_OFFLINE", "XDG_CACHE_HOME")


@dataclass(frozen=True)
class EngineSpec:
    """What a worker builds its engine from: the driver's engine, described (the weights are loaded on the worker)."""

    kind: str
    model_dir: str
    label: str
    options: DraftOptions
    quantization: str
    device: str
    threads: int

    @classmethod
    def of(cls, engine: Engine, device: str, threads: int) -> "EngineSpec":
        if engine.model_dir is None:
            raise TmBuilderError(f"the {engine.kind} engine was not loaded from a model directory; a worker cannot load it")
        return cls(engine.kind, os.fspath(engine.model_dir), engine.label, engine.options,
                   getattr(engine, "quantization", "int8"), device, threads)

    def build(self) -> Engine:
        if not Path(self.model_dir).is_dir():
            raise TmBuilderError(f"this worker has no model at {self.model_dir}: share HF_HOME between the nodes or run "
                                 "'tm-builder models pull' on each")
        if self.kind == "ct2":
            from .engines.ct2 import Ct2Engine

            return Ct2Engine(self.model_dir, self.options, label=self.label, quantization=self.quantization,
                             threads=self.threads, device=self.device)
        from .engines.marian import MarianEngine

        return MarianEngine(self.model_dir, self.options, label=self.label, threads=self.threads, device=self.device)


class _DraftWorker:
    """A Ray actor: one engine, loaded once, drafting one chunk per call."""

    def __init__(self, spec: EngineSpec) -> None:
        self.engine = spec.build()
        self.node = ray.get_runtime_context().get_node_id()

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        drafts = [json.dumps([[d.text, d.score, list(d.notes), d.problem] for d in self.engine.translate(json.loads(t))],
                             ensure_ascii=False) for t in batch["texts"]]
        peak = [_peak_kib()] * len(drafts)
        return {"id": list(batch["id"]), "drafts": drafts, "node": [self.node] * len(drafts), "peak": peak}


def _peak_kib() -> int:
    """This process's own peak resident memory (``VmHWM``), for sizing workers; 0 where /proc has none."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return next((int(line.split()[1]) for line in status if line.startswith("VmHWM")), 0)
    except OSError:
        return 0


def _call(fn: Callable[[T], R], item: T) -> R:
    return fn(item)


class RayDispatch(Dispatch):
    """Drafting on Ray: a local instance (*address* ``None``) or an existing cluster (``auto``, ``ray://host:port``, ``host:port``).

    Use it as a context manager: entering connects (or starts the local
    instance), leaving disconnects.  *workers*: engines drafting at once,
    one CPU each (one GPU each with ``cuda``); by default as many as the
    cluster has.
    """

    def __init__(self, address: str | None, engine: Engine | None, *, workers: int | None = None, device: str = "cpu") -> None:
        self.address, self.engine, self.requested, self.device = address, engine, workers, device
        #: the cluster nodes whose workers drafted a chunk, and the largest peak memory a worker reported (KiB)
        self.nodes: set[str] = set()
        self.peak_kib = 0

    def __enter__(self) -> "RayDispatch":
        # Ray's own chatter (start-up lines, Data's progress logs, its C++ notes) is not the user's.
        self._quiet = _CoreLog()
        self._quiet.__enter__()
        try:
            return self._connect()
        except BaseException:
            self._quiet.__exit__(None, None, None)
            raise

    def _connect(self) -> "RayDispatch":
        if self.address is not None:
            _probe(self.address)
        local = {"include_dashboard": False} if self.address is None else {}
        try:
            ray.init(address=self.address or "local", log_to_driver=False, logging_level=logging.ERROR,
                     runtime_env={"env_vars": {k: os.environ[k] for k in _PASSED_ENV if k in os.environ}}, **local)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise InputError(f"cannot reach the Ray cluster at {self.address or 'a new local instance'} "
                             f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
        self.address = self.address or "a local Ray instance"
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        for name in ("ray", "ray.data"):
            logging.getLogger(name).setLevel(logging.ERROR)
        resources = ray.cluster_resources()
        if self.device == "auto":
            self.device = "cuda" if resources.get("GPU", 0) else "cpu"
        elif self.device == "cuda" and not resources.get("GPU", 0):
            ray.shutdown()
            raise InputError("--device cuda: the Ray cluster has no GPU; use --device cpu or auto")
        slots = int(resources.get("GPU" if self.device == "cuda" else "CPU", 1)) or 1
        self.workers = self.requested or slots
        if self.engine is not None:
            self.engine.device = self.device  # the drafts are signed with the device the workers draft on
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            ray.shutdown()
        finally:
            self._quiet.__exit__(None, None, None)

    def drafts(self, chunks: Sequence[Sequence[str]]) -> Iterator[tuple[int, list[Draft]]]:
        if not chunks:
            return
        if self.engine is None:
            raise ValueError("no engine to draft with")
        spec = EngineSpec.of(self.engine, self.device, threads=1)
        rows = [{"id": i, "texts": json.dumps(list(c), ensure_ascii=False)} for i, c in enumerate(chunks)]
        data = ray.data.from_items(rows, override_num_blocks=len(rows)).map_batches(
            _DraftWorker, fn_constructor_kwargs={"spec": spec}, batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=min(self.workers, len(rows))),
            num_cpus=1, num_gpus=1 if self.device == "cuda" else 0,
        )  # Ray Data spreads the actors over the nodes by default
        try:
            for row in data.iter_rows():
                self.nodes.add(str(row["node"]))
                self.peak_kib = max(self.peak_kib, int(row["peak"]))
                yield int(row["id"]), [Draft(t, s, tuple(n), p) for t, s, n, p in json.loads(row["drafts"])]
        except ray.exceptions.RayError as exc:
            raise _cause(exc) from None

    def map(self, fn: Callable[[T], R], items: Sequence[T], done: Callable[[int], None] | None = None) -> list[R]:
        task = ray.remote(num_cpus=1, max_retries=3)(_call)
        refs = [task.remote(fn, item) for item in items]
        index = {ref: i for i, ref in enumerate(refs)}
        results: list[Any] = [None] * len(refs)
        pending = list(refs)
        try:
            while pending:
                ready, pending = ray.wait(pending, num_returns=min(len(pending), 16), timeout=0.5)
                for ref in ready:
                    results[index[ref]] = ray.get(ref)
                    if done:
                        done(index[ref])
        except ray.exceptions.RayError as exc:
            raise _cause(exc) from None
        return results


def _probe(address: str, seconds: float = 10.0) -> None:
    """Refuse an address nothing answers at, at once: Ray itself retries an unreachable head for minutes."""
    import socket

    target = address.removeprefix("ray://")
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        return  # "auto" and the like: Ray finds the cluster itself, and says so quickly when there is none
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=seconds).close()
    except OSError as exc:
        raise InputError(f"cannot reach the Ray cluster at {address} ({exc.strerror or exc}); "
                         "is 'ray start --head' running there?") from None


class _CoreLog:
    """Send what Ray's C++ core writes straight to file descriptor 2 into a log file, and keep Python's stderr the user's.

    The driver's core worker logs to descriptor 2 (a note on every actor
    with restarts, for one); our progress bar and error lines go through
    ``sys.stderr``, which is moved to a copy of the original descriptor.
    """

    def __enter__(self) -> "_CoreLog":
        import tempfile

        sys.stderr.flush()
        self.path = Path(tempfile.gettempdir()) / f"tm-builder-ray-driver-{os.getpid()}.log"
        self.saved = os.dup(2)
        with open(self.path, "ab") as log:
            os.dup2(log.fileno(), 2)
        self.stderr = sys.stderr
        sys.stderr = open(os.dup(self.saved), "w", buffering=1, encoding=getattr(self.stderr, "encoding", None) or "utf-8",
                          errors="backslashreplace")
        return self

    def __exit__(self, *exc: object) -> None:
        sys.stderr.flush()
        sys.stderr.close()
        sys.stderr = self.stderr
        os.dup2(self.saved, 2)
        os.close(self.saved)


def _cause(exc: BaseException) -> TmBuilderError:
    """Our own error raised on a worker, or one line saying what Ray reported."""
    seen = exc
    while seen is not None:
        if isinstance(seen, TmBuilderError):
            return seen
        seen = seen.__cause__ or getattr(seen, "cause", None)
    first = str(exc).strip().splitlines()
    return TmBuilderError(f"the Ray cluster failed: {first[-1] if first else type(exc).__name__}")
