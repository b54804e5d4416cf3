"""The evidence-graded knowledge base: data files in this folder, loaded into typed records.

`load_knowledge()` reads and validates every file once per process (cached); a broken file
raises KnowledgeError naming the file, entry and field.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from crampwise.knowledge.entry import KnowledgeError, normalise_name
from crampwise.knowledge.loader import load_directory
from crampwise.knowledge.models import Knowledge

DIRECTORY = Path(__file__).resolve().parent

__all__ = [
    "DIRECTORY",
    "Knowledge",
    "KnowledgeError",
    "load_directory",
    "load_knowledge",
    "normalise_name",
]


@cache
def load_knowledge() -> Knowledge:
    """The packaged knowledge base (read once per process)."""
    return load_directory(DIRECTORY)
