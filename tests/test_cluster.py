"""Archives on Ray: the same files as one machine, byte for byte, also when a node is lost mid-run.

200 article-sized documents cut from the shared WMT18 source (some repeating
others' sentences, as archives do) in a two-level folder layout, drafted
with the tiny random model.  Random weights make near-ties everywhere, so
identical outputs show that every worker computed exactly the chunks a
single machine computes, not merely that a confident model agrees with
itself.  Ray runs for real: a local instance started by the command, and a
simulated multi-node cluster (``ray.cluster_utils.Cluster``) on this machine.
"""

from __future__ import annotations

import filecmp
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT


SHARED = ROOT.parent / "shared" / "data" / "zh-en"
DOCUMENTS = 200


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """``YEAR/MONTH/NNN.txt``: 200 documents of 4 to 7 paragraphs; every tenth repeats the archive's first three."""
    lines = [line.strip() for line in (SHARED / "wmt18.zh").read_text(encoding="utf-8").splitlines() if line.strip()]
    root = tmp_path_factory.mktemp("archive") / "docs"
    at = 0
    for d in range(DOCUMENTS):
        n = 4 + (d * 7) % 4
        part = lines[at:at + n] + (lines[:3] if d % 10 == 3 else [])
        at += n
        folder = root / str(2018 + d // 100) / f"{d % 12 + 1:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{d:03d}.txt").write_text("\n\n".join(part) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("cluster-env")
    return {**os.environ, "HF_HOME": str(home / "hf"), "XDG_CACHE_HOME": str(home / "cache"), "HF_HUB_OFFLINE": "1",
            "SOURCE_DATE_EPOCH": "1700000000", "RAY_ADDRESS": ""}


def _translate(archive: Path, out: Path, model: Path, env: dict[str, str], *extra: str, wait: bool = True,
               cache: Path | None = None) -> subprocess.Popen[str] | subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "tm_builder", "translate", str(archive), "-o", str(out), "--model", str(model),
            "--beam", "1", "--max-length", "16", *extra]
    run_env = {**env, "TM_BUILDER_CACHE": str(cache or out.parent / f"{out.name}.drafts.sqlite3")}
    if not wait:
        return subprocess.Popen(args, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(args, env=run_env, capture_output=True, text=True, timeout=600)


def _files(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


def _assert_identical(one: Path, other: Path) -> None:
    names = _files(one)
    assert names == _files(other)
    assert {Path(n).name.split(".", 1)[1] for n in names} >= {"tmx", "mt.tmx", "po", "csv", "glossary.csv"}
    _, mismatch, errors = filecmp.cmpfiles(one, other, names, shallow=False)
    assert (mismatch, errors) == ([], [])


@pytest.fixture(scope="module")
def plain(archive, tiny_model, env, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("plain") / "out"
    done = _translate(archive, out, tiny_model, env)
    assert done.returncode == 0, done.stderr
    assert "200 documents" in done.stdout and "1 worker on one machine" in done.stdout
    (out.parent / "stdout.txt").write_text(done.stdout, encoding="utf-8")
    names = _files(out)
    assert "2018/04/003.tmx" in names and "2019/08/199.po" in names  # the archive's layout is kept
    assert sum(n.endswith(".po") for n in names) == DOCUMENTS
    return out


@pytest.mark.slow
def test_a_local_ray_instance_writes_the_same_files_as_one_machine(archive, tiny_model, env, plain, tmp_path):
    done = _translate(archive, tmp_path / "out", tiny_model, env, "--ray")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # neither Ray's start-up lines nor its C++ notes reach the user when piped
    assert "2 workers on a local Ray instance (1 node, at most" in done.stdout
    _assert_identical(plain, tmp_path / "out")


@pytest.fixture()
def cluster():
    """A head node and a second node, 2 CPUs each, on this machine."""
    from ray.cluster_utils import Cluster

    nodes = Cluster(initialize_head=True, head_node_args={"num_cpus": 2, "include_dashboard": False})
    second = nodes.add_node(num_cpus=2)
    nodes.wait_for_nodes()
    yield nodes, second
    nodes.shutdown()


def _drafts_stored(cache: Path) -> int:
    try:
        with sqlite3.connect(f"file:{cache}?mode=ro", uri=True, timeout=1) as db:
            return int(db.execute("SELECT COUNT(*) FROM drafts").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_a_cluster_losing_a_node_midway_still_writes_the_same_files(archive, tiny_model, env, plain, tmp_path, cluster):
    nodes, second = cluster
    out = tmp_path / "out"
    run = _translate(archive, out, tiny_model, env, "--ray", nodes.address, "--workers", "2", wait=False)
    cache = tmp_path / "out.drafts.sqlite3"
    started = time.monotonic()
    while _drafts_stored(cache) == 0 and run.poll() is None and time.monotonic() - started < 300:
        time.sleep(0.2)  # the first chunk is in: the workers are busy on both nodes
    stored = _drafts_stored(cache)
    nodes.remove_node(second)  # its worker dies with whatever chunk it held
    stdout, stderr = run.communicate(timeout=600)
    assert run.returncode == 0, stderr
    total = int(stdout.split("draft cache: ")[1].split(" new drafts")[0])
    assert 0 < stored < total  # the node went away with the run half done
    assert f"2 workers on {nodes.address}" in stdout
    _assert_identical(plain, out)


@pytest.mark.slow
def test_a_simulated_cluster_drafts_on_both_nodes_and_matches(archive, tiny_model, env, plain, tmp_path, cluster):
    nodes, _ = cluster
    done = _translate(archive, tmp_path / "out", tiny_model, env, "--ray", nodes.address, "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert f"2 workers on {nodes.address} (2 nodes, at most" in done.stdout
    _assert_identical(plain, tmp_path / "out")


def _new_and_reused(stdout: str) -> tuple[int, int]:
    line = stdout.split("draft cache: ")[1]
    return int(line.split(" new drafts")[0]), int(line.split("stored, ")[1].split(" reused")[0])


@pytest.mark.slow
def test_the_cache_is_consulted_before_dispatch(archive, tiny_model, env, plain, tmp_path):
    """A second archive that overlaps the first drafts only its new segments; the first's come from the cache."""
    cache = tmp_path / "shared.sqlite3"
    first = _translate(archive / "2018", tmp_path / "first", tiny_model, env, cache=cache)
    assert first.returncode == 0, first.stderr
    second = _translate(archive, tmp_path / "second", tiny_model, env, "--ray", "--workers", "1", cache=cache)
    assert second.returncode == 0, second.stderr
    assert "1 worker on a local Ray instance" in second.stdout
    made_first, _ = _new_and_reused(first.stdout)
    made, reused = _new_and_reused(second.stdout)
    everything, _ = _new_and_reused(plain.joinpath("..", "stdout.txt").read_text(encoding="utf-8"))
    assert reused == made_first > 0
    assert made_first + made == everything  # nothing drafted twice


# -- without a cluster: the switches and their errors (fast) --------------------------------------------

@pytest.mark.parametrize(("args", "expected"), [
    (["--ray", "docs", "-o", "out"], ["--ray=local", "docs", "-o", "out"]),
    (["docs", "--ray"], ["docs", "--ray=local"]),
    (["docs", "--ray", "--workers", "2"], ["docs", "--ray=local", "--workers", "2"]),
    (["docs", "--ray", "auto"], ["docs", "--ray", "auto"]),
    (["docs", "--ray", "10.0.0.7:6379"], ["docs", "--ray", "10.0.0.7:6379"]),
    (["docs", "--ray", "ray://head:10001"], ["docs", "--ray", "ray://head:10001"]),
])
def test_ray_alone_means_a_local_instance(args, expected):
    from tm_builder.cli import _optional_ray_address

    assert _optional_ray_address(args) == expected


def test_without_ray_installed_ray_is_one_line_saying_what_to_install(seed, tmp_path, monkeypatch):
    from tests.inprocess import tm_builder

    monkeypatch.setitem(sys.modules, "ray", None)  # import ray fails as it does where the extra is not installed
    monkeypatch.delitem(sys.modules, "tm_builder.cluster", raising=False)
    done = tm_builder("translate", seed, "-o", tmp_path / "out", "--engine", "none", "--ray")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == ["tm-builder: error: --ray needs Ray: pip install 'tm-builder[cluster]'"]
    assert not (tmp_path / "out").exists()


def test_a_plain_run_never_imports_ray(seed, tmp_path):
    code = ("import sys; from tm_builder.cli import main; sys.argv = ['tm-builder', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "print('ray' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, "translate", str(seed), "-o", str(tmp_path / "out"), "--engine", "none"],
                          capture_output=True, text=True, env={**os.environ, "TM_BUILDER_CACHE": str(tmp_path / "c.sqlite3")})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_cuda_where_there_is_no_gpu_is_one_line(seed, tiny_model, tmp_path):
    from tests.inprocess import tm_builder

    done = tm_builder("translate", seed, "-o", tmp_path / "out", "--model", tiny_model, "--device", "cuda",
                      env={"TM_BUILDER_CACHE": str(tmp_path / "c.sqlite3")})
    assert done.returncode == 1
    assert "sees no CUDA GPU" in done.stderr and len(done.stderr.strip().splitlines()) == 1
