"""Claims of the Pool recipes page (docs/recipes/pools.md)."""

from __future__ import annotations
