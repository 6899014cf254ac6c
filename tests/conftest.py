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
