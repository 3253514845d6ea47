"""Contradicting inputs for the claims of docs/recipes/interrupts.md."""

from __future__ import annotations
