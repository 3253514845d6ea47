"""Contradicting inputs for the claims of docs/recipes/processes.md."""

from __future__ import annotations

from typing import Any

from measured.claims import Evidence
from measured.run.shapes import recipes_processes as shape

from . import contradicts, each_result, like, set_samples

# --- recipe_logging -----------------------------------------------------------------


def _log_case(case: str, **counts: Any) -> Any:
    """Every run's ``case`` with ``counts`` replaced (a case not run: a copy of the
    threads case, relabelled, so the claim's logic still runs)."""

    def make(evidence: Evidence) -> Evidence:
        def edit(result: shape.RecipeLogging) -> None:
            old = result["cases"].get(case) or result["cases"]["threads"]
            assert old is not None
            result["cases"][case] = {**old, **counts}

        return each_result(evidence, edit)

    return make


# Two records written into one line: a line torn, a record missing.
contradicts("threads_share_one_handler")(_log_case("threads", whole=1999, once=1998))
contradicts("forked_workers_write_through_inherited_handler")(
    _log_case("fork", lines=999, whole=998, once=998, missing=2)
)


@contradicts("spawned_workers_have_no_handlers")
def spawned_workers_kept_records(evidence: Evidence) -> Evidence:
    """As if a spawned worker inherited its parent's handler: records arrive."""

    def edit(result: shape.RecipeLogging) -> None:
        spawn = result["cases"]["spawn"]
        assert spawn is not None
        result["cases"]["spawn"] = {
            **spawn,
            "handlers_in_worker": 1,
            "lines": spawn["expected"],
            "whole": spawn["expected"],
            "once": spawn["expected"],
            "missing": 0,
        }

    return each_result(evidence, edit)


contradicts("queue_listener_gets_every_record_once")(
    _log_case("queue", once=990, missing=0, repeated=10, lines=1010, whole=1010)
)


# --- recipe_shared_readonly ---------------------------------------------------------


def _grown(**shares: float) -> Any:
    """Every run with the named cases' growth set to a share of the object."""

    def make(evidence: Evidence) -> Evidence:
        def edit(result: shape.RecipeSharedReadonly) -> None:
            for case, share in shares.items():
                result["grown_kib"][case.replace("_", " ")] = int(
                    share * result["object_kib"]
                )

        return each_result(evidence, edit)

    return make


# Reading touched a fifth of the pages (as if objects were immortal, say).
contradicts("reading_copies_the_objects")(_grown(read=0.2))
# The frozen collection copied as much as the plain one.
contradicts("gc_freeze_spares_the_collector_writes")(
    lambda ev: each_result(
        ev,
        lambda r: r["grown_kib"].update(
            {"gc.freeze, gc.collect": r["grown_kib"]["gc.collect"]}
        ),
    )
)
contradicts("gc_freeze_does_not_stop_refcount_copies")(
    lambda ev: each_result(
        ev, lambda r: r["grown_kib"].update({"gc.freeze, read": r["object_kib"] // 50})
    )
)
contradicts("shared_memory_read_copies_nothing")(
    lambda ev: each_result(
        ev, lambda r: r["grown_kib"].update({"shared_memory": r["grown_kib"]["read"]})
    )
)
contradicts("inherited_bytes_read_copies_nothing")(
    lambda ev: each_result(
        ev,
        lambda r: r["grown_kib"].update(
            {"fork, inherited bytes": r["grown_kib"]["read"]}
        ),
    )
)
contradicts("spawned_worker_builds_its_own_copy")(
    lambda ev: each_result(
        ev, lambda r: r["grown_kib"].update({"spawn, build": r["object_kib"] // 20})
    )
)


# --- recipe_oversubscription --------------------------------------------------------


def _with_numpy(evidence: Evidence) -> Evidence:
    """A run without NumPy relabelled as measured with it, so the logic runs."""
    if evidence.result_as(shape.RecipeOversubscription)["numpy"] is not None:
        return evidence
    rounds = {
        "kind": "rounds",
        "rounds": 9,
        "warmup": 1,
        "order": "shuffled each round",
        "seed": 0,
        "orders": [["BLAS default", "BLAS 1 thread"]] * 9,
        "samples": {"BLAS default": [0.07] * 9, "BLAS 1 thread": [0.02] * 9},
    }

    def edit(result: dict[str, Any]) -> None:
        cores = result["env"]["cores"]
        result.update(
            numpy="relabelled",
            cores=cores,
            workers=cores,
            tasks=4 * cores,
            size=300,
            parent_blas_threads=cores,
            worker_blas={
                "BLAS default": [[cores, ""]] * cores,
                "BLAS 1 thread": [[1, "1"]] * cores,
            },
            timings=rounds,
        )

    return each_result(evidence, edit)


@contradicts("env_limits_blas_threads")
def env_set_too_late(evidence: Evidence) -> Evidence:
    """As if the variable was set after the workers imported NumPy."""

    def edit(result: shape.RecipeOversubscription) -> None:
        blas = result["worker_blas"]
        blas["BLAS 1 thread"] = [list(w) for w in blas["BLAS default"]]
        if all(w[0] == 1 for w in blas["BLAS 1 thread"]):
            blas["BLAS 1 thread"] = [[2, "1"] for _ in blas["BLAS 1 thread"]]

    return each_result(_with_numpy(evidence), edit)


@contradicts("one_blas_thread_per_worker_is_faster")
def one_thread_as_slow(evidence: Evidence) -> Evidence:
    """One BLAS thread per worker as slow as the default, round by round."""
    evidence = _with_numpy(evidence)

    def edit(result: shape.RecipeOversubscription) -> None:
        result["worker_blas"]["BLAS default"] = [
            [2, ""] for _ in result["worker_blas"]["BLAS default"]
        ]

    evidence = each_result(evidence, edit)
    return set_samples(
        evidence, lambda r: r["timings"], "BLAS 1 thread", like("BLAS default")
    )
