"""The Process recipes' claims where this machine lacks what they need.

The build's runs have fork, /proc and NumPy with OpenBLAS. Each claim must still
say "not shown" with the reason, never hold or miss, on a run without them: no
NumPy (the script says so and measures nothing), no Linux, no fork, or an OpenBLAS
that already runs one thread per worker. Results come from the session's build
(runner.run reads the cache); nothing is run by hand.
"""

from __future__ import annotations

import copy
from typing import Any

from measured import claims
from measured.claims import recipes_processes as c
from measured.run import runner
from measured.web import render


def _evidence(experiment: str) -> claims.Evidence:
    return render.evidence(runner.run(experiment))


def _edited(experiment: str, **fields: Any) -> claims.Evidence:
    """The build's first run with top-level fields replaced (env kept)."""
    result = copy.deepcopy(_evidence(experiment).result)
    return claims.Evidence.single({**result, **fields})


def test_oversubscription_without_numpy_is_not_shown() -> None:
    env = _evidence("recipe_oversubscription").env
    bare = claims.Evidence.single(
        {"experiment": "recipe_oversubscription", "numpy": None, "env": env}
    )
    for check in claims.for_experiment("recipe_oversubscription"):
        outcome = check(bare)
        assert outcome.holds is None and outcome.why == claims.SHAPE
        assert outcome.reason == c.NO_NUMPY == "needs NumPy, not measured here"


def test_one_blas_thread_by_default_is_not_shown() -> None:
    result = _evidence("recipe_oversubscription").result
    blas = copy.deepcopy(result["worker_blas"])
    blas[c.DEFAULT] = [[1, ""] for _ in blas[c.DEFAULT]]
    outcome = c.one_blas_thread_per_worker_is_faster(
        _edited("recipe_oversubscription", worker_blas=blas)
    )
    assert outcome.holds is None and outcome.why == claims.SHAPE
    assert "one thread per worker" in outcome.reason


def test_shared_readonly_off_linux_is_not_shown() -> None:
    env = _evidence("recipe_shared_readonly").env
    bare = claims.Evidence.single(
        {"experiment": "recipe_shared_readonly", "linux": False, "env": env}
    )
    for check in claims.for_experiment("recipe_shared_readonly"):
        outcome = check(bare)
        assert outcome.holds is None and outcome.reason == c.NOT_LINUX


def test_logging_without_fork_is_not_shown() -> None:
    cases = copy.deepcopy(_evidence("recipe_logging").result["cases"])
    cases["fork"] = None
    evidence = _edited("recipe_logging", cases=cases)
    outcome = c.forked_workers_write_through_inherited_handler(evidence)
    assert outcome.holds is None and outcome.why == claims.SHAPE
    others = [
        c.threads_share_one_handler,
        c.spawned_workers_have_no_handlers,
        c.queue_listener_gets_every_record_once,
    ]
    assert all(check(evidence).holds for check in others)
