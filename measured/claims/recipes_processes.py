"""Claims of the Process recipes page (docs/recipes/processes.md)."""

from __future__ import annotations
