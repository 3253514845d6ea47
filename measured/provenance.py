"""The one-line answer to "where and how was this measured?"."""

from __future__ import annotations

from dataclasses import asdict

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
        status,
    ]
    return " · ".join(parts)


def build_facts() -> dict[str, object]:
    """The building interpreter and machine, for the site's footer."""
    env = asdict(Environment.here())
    return {**env, "label": build_label(env)}
