"""Fixtures shared by the tests; the helpers themselves live in support.py."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from support import MINI_DATA, MINI_POLICY, write

_SESSION_CACHE: list[str] = []


def pytest_configure(config):
    """Before any test module is imported (some copy os.environ for their processes when they
    are): the run's cache folder, never the home folder's."""
    _SESSION_CACHE.append(tempfile.mkdtemp(prefix="villkor-test-cache-"))
    os.environ["VILLKOR_CACHE_DIR"] = _SESSION_CACHE[-1]


def pytest_unconfigure(config):
    for folder in _SESSION_CACHE:
        if os.environ.get("VILLKOR_CACHE_DIR") == folder:
            del os.environ["VILLKOR_CACHE_DIR"]
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path_factory, monkeypatch):
    """Every test gets a cache folder of its own (VILLKOR_CACHE_DIR, read by `villkor fmt`): no
    test writes in the home folder, and no test sees what another one cached. A process a test
    starts with os.environ inherits it; one started with an environment copied when its module
    was imported has the run's folder (pytest_configure)."""
    monkeypatch.setenv("VILLKOR_CACHE_DIR", str(tmp_path_factory.mktemp("villkor-cache")))


@pytest.fixture
def mini(tmp_path):
    """A policy file and a data folder for it, in a temporary folder."""
    policy = write(tmp_path / "mini.yaml", MINI_POLICY)
    write(tmp_path / "data" / "procedures.csv", MINI_DATA)
    return policy, tmp_path / "data"

