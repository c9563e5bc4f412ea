"""Fixtures for the web demo tests (helpers in ``tests/webapp/helpers.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.webapp.helpers import make_tiny_models, make_uploads


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> dict[str, Path]:
    return make_tiny_models(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def uploads(tmp_path_factory) -> dict[str, Path]:
    return make_uploads(tmp_path_factory.mktemp("uploads"))
