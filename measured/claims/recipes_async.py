"""Claims of the asyncio recipes page (docs/recipes/async.md)."""

from __future__ import annotations
