"""Fixtures shared by the tests; the helpers themselves live in support.py."""

from __future__ import annotations

import pytest

from support import MINI_DATA, MINI_POLICY, write


@pytest.fixture
def mini(tmp_path):
    """A policy file and a data folder for it, in a temporary folder."""
    policy = write(tmp_path / "mini.yaml", MINI_POLICY)
    write(tmp_path / "data" / "procedures.csv", MINI_DATA)
    return policy, tmp_path / "data"

