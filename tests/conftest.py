"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def shared_data_path() -> Path:
    """The shared data folder: $TRANSITWATCH_DATA, else ../shared/data next to the repository."""
    env = os.environ.get("TRANSITWATCH_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """The real list files; integration tests are skipped where they are absent."""
    path = shared_data_path()
    if not path.is_dir():
        pytest.skip(f"{path} not found: integration tests need ../shared/data")
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The staged public data (same folder as ``shared_data_dir``); skips where absent."""
    path = shared_data_path()
    if not path.is_dir():
        pytest.skip("../shared/data not found: integration tests need the staged public data")
    return path
