"""Contradicting inputs for the claims of docs/recipes/threads.md."""

from __future__ import annotations
