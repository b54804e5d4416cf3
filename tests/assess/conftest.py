"""Fixtures for the assessment tests: the knowledge base."""

from __future__ import annotations

import pytest

from crampwise.knowledge import Knowledge, load_knowledge


@pytest.fixture(scope="session")
def kb() -> Knowledge:
    return load_knowledge()
