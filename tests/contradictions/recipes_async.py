"""Contradicting inputs for the claims of docs/recipes/async.md."""

from __future__ import annotations
