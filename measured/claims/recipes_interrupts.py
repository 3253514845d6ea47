"""Claims of the Ctrl-C and hung programs page (docs/recipes/interrupts.md)."""

from __future__ import annotations
