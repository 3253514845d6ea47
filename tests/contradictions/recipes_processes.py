"""Contradicting inputs for the claims of docs/recipes/processes.md."""

from __future__ import annotations
