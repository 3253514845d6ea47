"""Result shapes of the experiments of measured/claims/coordination.py."""

from __future__ import annotations

from typing import Any

SHAPES: dict[str, Any] = {}
