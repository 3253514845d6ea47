"""Result shapes of the experiments of docs/recipes/processes.md."""

from __future__ import annotations

from typing import Any

# experiment id -> its result's TypedDict
SHAPES: dict[str, Any] = {}
