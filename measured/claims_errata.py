"""Claims over ``errata_facts``: API facts the original article states wrongly."""

from __future__ import annotations

from typing import Any

from .claims import Claim, claim

THREAD_API_BEYOND_START_JOIN = {"run", "is_alive", "name", "daemon", "ident"}
PROCESS_ONLY_API = {"terminate", "kill", "exitcode", "pid"}


@claim("errata_facts")
def thread_has_more_than_start_and_join(result: dict[str, Any]) -> Claim:
    api = set(result["thread_api"])
    holds = {"start", "join"} | THREAD_API_BEYOND_START_JOIN <= api
    return Claim(
        holds,
        f"`threading.Thread` has **{len(api)}** public names, among them "
        + ", ".join(f"`{n}`" for n in sorted(THREAD_API_BEYOND_START_JOIN))
        + " besides `start` and `join`.",
        figure=len(api),
    )


@claim("errata_facts")
def process_api_mirrors_thread_api(result: dict[str, Any]) -> Claim:
    shared = set(result["shared_api"])
    only_process = set(result["process_api"]) - set(result["thread_api"])
    holds = {"start", "join", "run", "is_alive"} <= shared and (
        only_process >= PROCESS_ONLY_API
    )
    return Claim(
        holds,
        f"`Process` shares **{len(shared)}** public names with `Thread` and adds "
        + ", ".join(f"`{n}`" for n in sorted(only_process))
        + ": similar, not identical.",
        figure=len(shared),
    )


@claim("errata_facts")
def primitives_exist_in_both_modules(result: dict[str, Any]) -> Claim:
    found = result["primitives_in_both"]
    return Claim(
        len(found) >= 7,
        f"**{len(found)}** synchronization primitives exist in both `threading` "
        f"and `multiprocessing`: {', '.join(found)}.",
        figure=len(found),
    )


@claim("errata_facts")
def stdlib_has_more_than_two_tools(result: dict[str, Any]) -> Claim:
    tools = result["stdlib_tools"]
    return Claim(
        len(tools) >= 4,
        f"This standard library offers **{len(tools)}** concurrency tools: "
        + ", ".join(f"`{t}`" for t in tools)
        + ".",
        figure=len(tools),
    )
