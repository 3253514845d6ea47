"""The one-line answer to "where and how was this measured?"."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from measured.run import pace, stats
from measured.run.measure import START_METHOD_ENV, Environment
from measured.run.runner import Run


def build_label(env: dict[str, object]) -> str:
    if not env["free_threaded_build"]:
        return "GIL build"
    return "free-threaded build, GIL " + ("re-enabled" if env["gil_enabled"] else "off")


def cores_part(env: dict[str, Any]) -> str:
    """Usable cores, and the machine shape behind them when it is known."""
    text = f"{env['cores']} usable cores"
    shape = []
    if env.get("logical_cpus") not in (None, env["cores"]):
        shape.append(f"of {env['logical_cpus']} logical CPUs")
    if env.get("physical_cores") is not None:
        smt = "SMT" if env.get("smt") else "no SMT"
        shape.append(f"{env['physical_cores']} physical, {smt}")
    if env.get("cgroup_cpus") is not None:
        shape.append(f"cgroup quota {env['cgroup_cpus']:g} CPUs")
    return text + (f" ({'; '.join(shape)})" if shape else "")


def start_method_part(env: dict[str, Any]) -> list[str]:
    """The start method imposed on the whole run ($MEASURED_START_METHOD), if any:
    a reader comparing figures must know the pools were, say, spawned."""
    method = env.get("start_method_requested")
    return [f"start method {method} ({START_METHOD_ENV})"] if method else []


def runs_part(run: Run) -> str:
    """How many runs were made and why, with the rounds they timed."""
    made = len(run.executions)
    text = f"{made} run{'s' if made != 1 else ''}"
    added = [e.added_because for e in run.executions if e.added_because]
    if added:
        text += f" ({run.planned} planned, {len(added)} added: {'; '.join(added)})"
    rounds = sum(
        int(record.get("rounds", 0))
        for execution in run.executions
        for _, record in stats.find_rounds(execution.result)
    )
    if rounds:
        text += f", {rounds} timed rounds in all"
    if run.stopped_because:
        text += f"; stopped: {run.stopped_because}"
    return text


def machine_part(run: Run) -> list[str]:
    free = [e.machine.get("free_cores") for e in run.executions]
    known = [f for f in free if f is not None]
    if not known:
        return []
    cores = run.executions[0].machine.get("cores", run.env["cores"])
    figures = ", ".join(f"{f:.1f}" for f in known)
    parts = [f"free cores while it ran: {figures} of {cores}"]
    probed = [pace.delivered(e.result) for e in run.executions]
    if all(p is not None for p in probed):
        delivered = ", ".join(f"{p:.1f}" for p in probed if p is not None)
        parts.append(f"cores the probe got: {delivered}")
    return parts


def line(run: Run) -> str:
    env = run.env
    status = (
        "cached result (inputs unchanged)" if run.cached else "fresh run in this build"
    )
    parts = [
        f"{env['implementation']} {env['python']} ({build_label(env)})",
        str(env["os"]),
        str(env["cpu"]),
        cores_part(env),
        *start_method_part(env),
        f"measured {env['date']}",
        f"ran {run.seconds:.1f} s",
        runs_part(run),
        *machine_part(run),
        status,  # last: the Zensical comparison strips it (tests/test_zensical.py)
    ]
    return " · ".join(parts)


def summary(run: Run) -> str:
    """The few words a collapsed provenance line shows: the interpreter, the cores
    and the day; :func:`line` holds the rest."""
    env = run.env
    cores = env["cores"]
    return (
        f"How this was measured: {env['implementation']} {env['python']} "
        f"({build_label(env)}), {cores} usable core{'s' if cores != 1 else ''}, "
        f"{str(env['date']).split()[0]}"  # the day; the line has the time
    )


def build_facts() -> dict[str, object]:
    """The building interpreter and machine, for the site's footer."""
    env = asdict(Environment.here())
    return {**env, "label": build_label(env)}
