"""The one-line answer to "where and how was this measured?"."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .measure import Environment
from .runner import Run


def build_label(env: dict[str, object]) -> str:
    if not env["free_threaded_build"]:
        return "GIL build"
    return "free-threaded build, GIL " + ("re-enabled" if env["gil_enabled"] else "off")


def line(run: Run) -> str:
    env = run.env
    status = (
        "cached result (inputs unchanged)" if run.cached else "fresh run in this build"
    )
    parts = [
        f"{env['implementation']} {env['python']} ({build_label(env)})",
        str(env["os"]),
        str(env["cpu"]),
        f"{env['cores']} logical cores",
        f"measured {env['date']}",
        f"ran {run.seconds:.1f} s",
        *misses_part(run.misses),
        status,  # last: the Zensical comparison strips it (tests/test_zensical.py)
    ]
    return " · ".join(parts)


def misses_part(misses: list[dict[str, Any]]) -> list[str]:
    """Earlier runs whose claims missed, so a confirmed figure never hides them."""
    if not misses:
        return []
    runs = "; ".join(
        f"run {miss['attempt']} missed " + ", ".join(_missed(c) for c in miss["claims"])
        for miss in misses
    )
    return [f"measured {len(misses) + 1} times: {runs}"]


def _missed(claim: dict[str, Any]) -> str:
    figure = claim.get("figure")
    return claim["claim"] + ("" if figure is None else f" ({figure:.2f})")


def build_facts() -> dict[str, object]:
    """The building interpreter and machine, for the site's footer."""
    env = asdict(Environment.here())
    return {**env, "label": build_label(env)}
