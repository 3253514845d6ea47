"""Contradicting inputs for the claims of docs/recipes/pools.md."""

from __future__ import annotations
