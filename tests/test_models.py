"""models.lock, the cache and verification, exercised for real on a locally built model.

The hub cannot be reached here, so "pulling" is replaced by placing a locally
built model where ``models pull`` would put it (the standard Hugging Face
cache layout); everything after that (lock, resolution, verification,
refusal of corrupted files) is the production code path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tm_builder.models import (
    ModelError,
    hash_file,
    load_lock,
    lock_from_directory,
    resolve_model,
    save_lock,
    snapshot_dir,
    verify_directory,
)

from .conftest import ROOT, SEED

STEM = SEED.stem


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tm_builder", *args], capture_output=True, text=True, env={**os.environ, **env}, timeout=300
    )


def install_locked(tiny_model: Path, tmp_path: Path, env: dict[str, str]) -> tuple[Path, Path]:
    """Lock the tiny model as 'tiny' in a private lock file and place it in the cache as a pull would."""
    lock_file = tmp_path / "models.lock"
    shutil.copy(ROOT / "models.lock", lock_file)
    env["TM_BUILDER_LOCK"] = str(lock_file)
    result = run("models", "lock", "tiny", "--from-dir", str(tiny_model), "--repository", "test-org/tiny-zh-en",
                 "--revision", "0123456789abcdef0123456789abcdef01234567", env=env)
    assert result.returncode == 0, result.stderr
    spec = load_lock(lock_file).get("tiny")
    os.environ.update(env)  # snapshot_dir reads HF_HOME
    snapshot = snapshot_dir(spec)
    assert {f.name for f in spec.files} <= {p.name for p in snapshot.iterdir()}  # --from-dir installs what it pins
    shutil.copytree(tiny_model, snapshot, dirs_exist_ok=True)  # and whatever else a pull would bring
    return lock_file, snapshot


def test_repository_lock_is_unresolved_and_says_so(isolated_env):
    spec = load_lock(ROOT / "models.lock").get("opus-mt-zh-en")
    assert not spec.resolved
    with pytest.raises(ModelError, match="not pinned|does not pin"):
        resolve_model(None, lock=load_lock(ROOT / "models.lock"))


def test_lock_records_size_and_sha256(tiny_model, tmp_path):
    lock = load_lock(ROOT / "models.lock")
    spec = lock_from_directory("tiny", tiny_model, lock=lock)
    names = {f.name for f in spec.files}
    assert {"config.json", "source.spm", "target.spm", "vocab.json", "model.safetensors"} <= names
    for f in spec.files:
        assert (f.size, f.sha256) == hash_file(tiny_model / f.name)
    path = save_lock(lock, tmp_path / "models.lock")
    again = load_lock(path)
    assert again.get("tiny") == spec
    assert again.get("opus-mt-zh-en") == load_lock(ROOT / "models.lock").get("opus-mt-zh-en")


def test_missing_model_is_one_line_exit_2_no_output(tmp_path, isolated_env):
    out = tmp_path / "out"
    result = run("translate", str(SEED), "-o", str(out), env=isolated_env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "opus-mt-zh-en" in result.stderr and "--model DIR" in result.stderr
    assert not out.exists()


def test_pinned_but_not_pulled(tmp_path, isolated_env, tiny_model):
    lock = load_lock(ROOT / "models.lock")
    lock_from_directory("opus-mt-zh-en", tiny_model, revision="feedface", lock=lock)
    lock_file = save_lock(lock, tmp_path / "models.lock")
    result = run("translate", str(SEED), "-o", str(tmp_path / "out"), env={**isolated_env, "TM_BUILDER_LOCK": str(lock_file)})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "tm-builder: error: model opus-mt-zh-en is not installed; run 'tm-builder models pull opus-mt-zh-en' "
        "(needs internet) or pass --model DIR"
    )


def test_pull_refuses_unpinned_and_offline(tmp_path, isolated_env, tiny_model):
    result = run("models", "pull", env=isolated_env)
    assert result.returncode == 2 and "not pinned" in result.stderr
    lock = load_lock(ROOT / "models.lock")
    lock_from_directory("opus-mt-zh-en", tiny_model, revision="feedface", lock=lock)
    lock_file = save_lock(lock, tmp_path / "models.lock")
    result = run("models", "pull", env={**isolated_env, "TM_BUILDER_LOCK": str(lock_file)})
    assert result.returncode == 2 and "HF_HUB_OFFLINE" in result.stderr


@pytest.mark.slow
def test_locked_model_translates_then_corruption_is_refused(tiny_model, tmp_path, isolated_env):
    env = dict(isolated_env)
    lock_file, snapshot = install_locked(tiny_model, tmp_path, env)

    listed = run("models", "list", env=env)
    assert listed.returncode == 0 and "tiny" in listed.stdout and "verified" in listed.stdout
    assert run("models", "verify", "tiny", env=env).returncode == 0

    out = tmp_path / "out"
    result = run("translate", str(SEED), "-o", str(out), "--model", "tiny", "--max-length", "8", "--beam", "1", env=env)
    assert result.returncode == 0, result.stderr
    tmx = (out / f"{STEM}.mt.tmx").read_text(encoding="utf-8")
    assert '<prop type="x-model">tiny@0123456789abcdef0123456789abcdef01234567</prop>' in tmx

    # Corrupt one file: same size, one byte different.
    victim = snapshot / "model.safetensors"
    expected = hash_file(victim)[1]
    data = bytearray(victim.read_bytes())
    data[-1] ^= 0xFF
    victim.write_bytes(bytes(data))
    found = hash_file(victim)[1]

    verify = run("models", "verify", "tiny", env=env)
    assert verify.returncode == 2
    assert "model.safetensors" in verify.stdout + verify.stderr
    assert expected in verify.stdout and found in verify.stdout

    out2 = tmp_path / "out2"
    refused = run("translate", str(SEED), "-o", str(out2), "--model", "tiny", env=env)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "model.safetensors" in refused.stderr and expected in refused.stderr and found in refused.stderr
    assert not out2.exists()


def test_verification_stamp_notices_changes(tiny_model, tmp_path, isolated_env):
    copy = tmp_path / "copy"
    shutil.copytree(tiny_model, copy)
    lock = load_lock(ROOT / "models.lock")
    spec = lock_from_directory("tiny", copy, lock=lock)
    verify_directory(spec, copy)  # full check, leaves a stamp
    verify_directory(spec, copy)  # trusted from the stamp
    (copy / "vocab.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ModelError, match="vocab.json"):
        verify_directory(spec, copy)
    (copy / "vocab.json").unlink()
    with pytest.raises(ModelError, match="missing vocab.json"):
        verify_directory(spec, copy)


def test_resolution_order(tiny_model, tiny_short_model, tmp_path, isolated_env, monkeypatch):
    monkeypatch.setenv("TM_BUILDER_MODEL", str(tiny_short_model))
    assert resolve_model(None).path == tiny_short_model.resolve()
    assert resolve_model(str(tiny_model)).path == tiny_model.resolve()  # --model beats the environment
    assert resolve_model(str(tiny_model)).verified is False
    with pytest.raises(ModelError, match="no such model directory"):
        resolve_model(str(tmp_path / "nowhere"))
    with pytest.raises(ModelError, match="not a Marian model directory"):
        resolve_model(str(tmp_path))


def test_one_lock_file_wherever_the_command_runs_and_the_offline_route_installs(tiny_model, tmp_path, isolated_env, monkeypatch):
    """models lock --from-dir, run from another directory, writes through a linked lock and installs the model."""
    from tm_builder.models import lock_path

    # the current directory is never consulted: a stray models.lock there is not the project's
    monkeypatch.delenv("TM_BUILDER_LOCK", raising=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "models.lock").write_text("not a lock", encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    assert lock_path() == (ROOT / "models.lock").resolve()
    assert lock_path() != (elsewhere / "models.lock")
    # a lock reached through a link (as src/tm_builder/models.lock links to the checkout's) stays a link
    real = tmp_path / "project" / "models.lock"
    real.parent.mkdir()
    shutil.copy(ROOT / "models.lock", real)
    link = tmp_path / "package-models.lock"
    link.symlink_to(real)
    env = {**isolated_env, "TM_BUILDER_LOCK": str(link)}
    done = subprocess.run([sys.executable, "-m", "tm_builder", "models", "lock", "opus-mt-zh-en", "--from-dir", str(tiny_model)],
                          capture_output=True, text=True, env={**os.environ, **env}, cwd=elsewhere, timeout=300)
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and load_lock(real).get("opus-mt-zh-en").resolved
    # the model is now installed under its name: translate with no --model uses it, verified
    done = run("translate", str(SEED), "-o", str(tmp_path / "out"), "--max-length", "8", "--beam", "1", env=env)
    assert done.returncode == 0, done.stderr
    assert "opus-mt-zh-en@local-" in done.stdout
    assert run("models", "verify", env=env).returncode == 0


def test_an_edit_in_place_with_size_and_mtime_restored_is_noticed(tiny_model, tmp_path, isolated_env):
    copy = tmp_path / "copy"
    shutil.copytree(tiny_model, copy)
    spec = lock_from_directory("tiny", copy, lock=load_lock(ROOT / "models.lock"))
    verify_directory(spec, copy)  # leaves a stamp
    weights = copy / "model.safetensors"
    stat = weights.stat()
    with weights.open("r+b") as f:
        f.seek(stat.st_size - 16)
        f.write(b"\xff" * 16)
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    with pytest.raises(ModelError, match="model.safetensors does not match"):
        verify_directory(spec, copy)


def test_unpinned_weights_planted_beside_the_verified_ones_are_refused(tiny_model, tmp_path, isolated_env):
    copy = tmp_path / "copy"
    shutil.copytree(tiny_model, copy)
    spec = lock_from_directory("tiny", copy, lock=load_lock(ROOT / "models.lock"))
    verify_directory(spec, copy)
    (copy / "pytorch_model.bin").write_bytes(b"planted")
    with pytest.raises(ModelError, match="pytorch_model.bin is not pinned"):
        verify_directory(spec, copy)
