"""The repository keeps its promises: CI runs the README's test command."""

from __future__ import annotations

import re
import tomllib

from .conftest import ROOT


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", setup, flags=re.S)


def test_readme_has_exactly_two_setup_commands():
    commands = _readme_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    assert "tm-builder translate seeds/" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _readme_commands()[1] in ci.splitlines()


def test_models_lock_is_valid_toml_and_honest():
    lock = tomllib.loads((ROOT / "models.lock").read_text(encoding="utf-8"))
    model = lock["models"]["opus-mt-zh-en"]
    assert model["repository"] == "Helsinki-NLP/opus-mt-zh-en"
    assert model["license"] == "CC-BY-4.0"
    # Not resolvable without the hub: must say so rather than carry a made-up hash.
    assert model["revision"] == "unresolved" and model["files"] == []


def test_seed_is_the_shared_seed_unchanged():
    shared = ROOT.parent / "shared" / "seeds" / "000_08c510cb1e756111.txt"
    ours = ROOT / "seeds" / "000_08c510cb1e756111.txt"
    if shared.exists():  # shared/ sits beside the checkout in CI and development
        assert ours.read_bytes() == shared.read_bytes()
    assert ours.stat().st_size > 20000
