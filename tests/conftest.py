"""Shared fixtures: paths to the seed and to the real client tools."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_08c510cb1e756111.txt"
DATA = Path(__file__).resolve().parent / "data"
TMX_DTD = ROOT / "tests" / "data" / "tmx14.dtd"


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        # Not a skip: a missing validator would hide invalid output.
        pytest.fail(f"{name} is required by this test: apt-get install -y {package}")
    return path


@pytest.fixture(scope="session")
def xmllint() -> str:
    return _tool("xmllint", "libxml2-utils")


@pytest.fixture(scope="session")
def msgfmt() -> str:
    return _tool("msgfmt", "gettext")


@pytest.fixture(scope="session")
def seed() -> Path:
    return SEED


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A tiny random MarianMT model in the OPUS-MT layout, built once per session."""
    from .tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory) -> Path:
    """The tiny model trained until its greedy drafts are confident (about 20 s), built once per session."""
    from .tiny_trained import build_trained_model

    return build_trained_model(tmp_path_factory.mktemp("trained-model"))


@pytest.fixture(scope="session")
def tiny_short_model(tmp_path_factory) -> Path:
    """The same, with room for only 64 source tokens: exercises long-segment splitting."""
    from .tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-short"), max_position_embeddings=64)


@pytest.fixture()
def isolated_env(tmp_path, monkeypatch) -> dict[str, str]:
    """An empty Hugging Face cache and tm-builder cache, and no model chosen by the environment."""
    env = {
        "HF_HOME": str(tmp_path / "hf"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "HF_HUB_OFFLINE": "1",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in ("HF_HUB_CACHE", "TM_BUILDER_MODEL", "TM_BUILDER_LOCK"):
        monkeypatch.delenv(key, raising=False)
    return env


@pytest.fixture(autouse=True)
def private_draft_cache(tmp_path, monkeypatch):
    """Every test gets its own draft cache: no test sees another's (or a user's) drafts."""
    monkeypatch.setenv("TM_BUILDER_CACHE", str(tmp_path / "drafts.sqlite3"))


@pytest.fixture(scope="session", autouse=True)
def hermetic_caches(tmp_path_factory):
    """Keep the suite out of the user's caches: HF cache, converted models, verification stamps."""
    import os

    home = tmp_path_factory.mktemp("caches")
    saved = {k: os.environ.get(k) for k in ("HF_HOME", "XDG_CACHE_HOME")}
    os.environ["HF_HOME"] = str(home / "hf")
    os.environ["XDG_CACHE_HOME"] = str(home / "xdg")
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def omegat() -> str:
    return _tool("omegat", "omegat")


@pytest.fixture(scope="session")
def omegat_reader() -> list[str]:
    """A command that loads a glossary with OmegaT's own TSV reader (groovy, a dependency of Debian's omegat)."""
    import os
    import subprocess

    groovy = _tool("groovy", "omegat")
    jar = Path("/usr/share/omegat/OmegaT.jar")
    if not jar.is_file():
        pytest.fail("OmegaT.jar is required by this test: apt-get install -y omegat")
    java = os.path.realpath(shutil.which("java") or "")
    if not Path(os.environ.get("JAVA_HOME", "/nonexistent"), "bin", "java").exists():
        os.environ["JAVA_HOME"] = str(Path(java).parent.parent)  # groovy insists on a valid one
    script = Path(__file__).resolve().parent / "data" / "omegat_glossary.groovy"
    subprocess.run([groovy, "--version"], check=True, capture_output=True)
    # Java writes stdout in the locale's charset (US-ASCII under LC_ALL=C: every hanzi a '?'): make it UTF-8.
    utf8 = ["env", "LC_ALL=C.UTF-8", "JAVA_OPTS=-Dfile.encoding=UTF-8 -Dstdout.encoding=UTF-8 -Dsun.stdout.encoding=UTF-8"]
    return [*utf8, groovy, "-cp", str(jar), str(script)]


@pytest.fixture(scope="session")
def translate_toolkit() -> str:
    """The system Python with Debian's translate-toolkit (python3-translate)."""
    import subprocess

    python = "/usr/bin/python3"
    done = subprocess.run([python, "-c", "import translate.storage.tmx"], capture_output=True)
    if done.returncode != 0:
        pytest.fail("translate-toolkit is required by this test: apt-get install -y translate-toolkit")
    return python


@pytest.fixture(scope="session")
def chromium() -> str:
    return _tool("chromium", "chromium")
