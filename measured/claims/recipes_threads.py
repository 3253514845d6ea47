"""Claims of the Thread recipes page (docs/recipes/threads.md)."""

from __future__ import annotations
