"""Claims of the Process recipes page (docs/recipes/processes.md).

recipe_logging and recipe_shared_readonly observe (counts of records in a file, a
worker's private memory): CHECKED claims, required in every run. recipe_oversubscription
times two pools in paired rounds: a parallel claim, judged by the one rule.
"""

from __future__ import annotations

from collections.abc import Callable

from measured.claims.registry import (
    CHECKED,
    SHAPE,
    Claim,
    Evidence,
    Figure,
    claim,
    judged,
    not_shown,
    observed,
    parallel,
)
from measured.run.shapes.recipes_processes import (
    LogCase,
    RecipeLogging,
    RecipeOversubscription,
    RecipeSharedReadonly,
)

# --- recipe_logging -----------------------------------------------------------------

LOGGING = "recipe_logging"


def _cases(evidence: Evidence, case: str) -> list[LogCase | None]:
    return [run.result["cases"].get(case) for run in evidence.runs]


def _all_once(c: LogCase) -> bool:
    """Every expected record exactly once, every line a whole record, nothing else."""
    return c["once"] == c["expected"] == c["lines"] == c["whole"] > 0


def _first_miss(
    cases: list[LogCase | None], ok: Callable[[LogCase], bool]
) -> tuple[bool, LogCase | None]:
    """Whether ``ok`` held in every run, and the run to quote (the first miss)."""
    missed = [c for c in cases if c is None or not ok(c)]
    return not missed, (missed or cases)[0]


def _counted(c: LogCase) -> str:
    return (
        f"{c['expected']:,} records logged, {c['lines']:,} lines in the file, "
        f"{c['whole']:,} of them whole records, {c['once']:,} records exactly once"
    )


@claim(LOGGING, kind=CHECKED)
def threads_share_one_handler(evidence: Evidence) -> Claim:
    """Threads logging through one FileHandler: every record, once, whole."""
    result = evidence.result_as(RecipeLogging)
    holds, c = _first_miss(_cases(evidence, "threads"), _all_once)
    assert c is not None
    if holds:
        text = (
            f"{result['threads']} threads logging {result['records']} records each "
            f"through one `FileHandler`: **{c['once']:,} of {c['expected']:,}** "
            "records in the file, each exactly once, every line whole."
        )
    else:
        text = (
            "Threads sharing one `FileHandler` did NOT log every record once: "
            f"{_counted(c)}."
        )
    return observed(holds, text, float(c["once"]))


@claim(LOGGING, kind=CHECKED)
def forked_workers_write_through_inherited_handler(evidence: Evidence) -> Claim:
    """Forked workers inherit the parent's handler and its open file (Linux: each
    record one write() to a file opened for appending)."""
    result = evidence.result_as(RecipeLogging)
    cases = _cases(evidence, "fork")
    if all(c is None for c in cases):
        return not_shown(
            "Forked workers write through the handler they inherited.",
            "this platform has no fork start method",
            SHAPE,
        )
    holds, c = _first_miss(
        cases, lambda c: _all_once(c) and c["named_right"] == c["lines"]
    )
    assert c is not None
    if holds:
        text = (
            f"{result['workers']} forked workers logging {result['records']} records "
            "each through the `FileHandler` they inherited (the same open file): "
            f"**{c['once']:,} of {c['expected']:,}** records arrived, each once, "
            "every line whole, on this machine (each record is one `write()` to a "
            "file opened for appending)."
        )
    else:
        text = (
            "Forked workers writing through an inherited `FileHandler` lost or "
            f"mangled records: {_counted(c)}."
        )
    return observed(holds, text, float(c["once"]))


@claim(LOGGING, kind=CHECKED)
def spawned_workers_have_no_handlers(evidence: Evidence) -> Claim:
    """Under spawn, a worker starts without the parent's handlers: records lost."""
    result = evidence.result_as(RecipeLogging)

    def lost(c: LogCase) -> bool:
        return (
            c["handlers_in_worker"] == 0
            and c["expected"] > 0
            and c["missing"] == c["expected"]
            and c["lines"] == 0
        )

    holds, c = _first_miss(_cases(evidence, "spawn"), lost)
    assert c is not None
    if holds:
        text = (
            f"{result['workers']} spawned workers started with "
            f"**{c['handlers_in_worker']} handlers** on their loggers: **all "
            f"{c['missing']:,}** of their INFO records were lost, none reached the "
            "parent's log file."
        )
    else:
        text = (
            f"Spawned workers did NOT lose their records: their loggers had "
            f"{c['handlers_in_worker']} handlers; {_counted(c)}."
        )
    return observed(holds, text, float(c["missing"]))


@claim(LOGGING, kind=CHECKED)
def queue_listener_gets_every_record_once(evidence: Evidence) -> Claim:
    """QueueHandler in the workers, QueueListener in the parent: every record once,
    in one file, with the worker's process name."""
    result = evidence.result_as(RecipeLogging)
    holds, c = _first_miss(
        _cases(evidence, "queue"),
        lambda c: _all_once(c) and c["named_right"] == c["expected"],
    )
    assert c is not None
    if holds:
        text = (
            f"With a `QueueHandler` in each of {result['workers']} spawned workers "
            "and a `QueueListener` in the parent: **"
            f"{c['once']:,} of {c['expected']:,}** records in the one file, each "
            f"exactly once, **{c['named_right']:,}** lines with the worker's own "
            "process name."
        )
    else:
        text = (
            "A `QueueListener` did NOT collect every record once with its worker's "
            f"name: {_counted(c)}, {c['named_right']:,} lines with the right name."
        )
    return observed(holds, text, float(c["once"]))


# --- recipe_shared_readonly ---------------------------------------------------------

SHARED = "recipe_shared_readonly"
# Reading a list of Python objects in a forked worker writes every object's
# reference count: at least half the object's pages become the worker's own (not
# all of them: the reading never touches the ints in the lists).
READ_COPIES_AT_LEAST = 0.5
# A raw buffer read in place (shared memory, or bytes inherited under fork), or a
# collection of a frozen heap, writes at most a header or two: under a tenth of
# what the ways they replace copy is an order of magnitude, not a close call.
SPARED_AT_MOST = 0.1
NOT_LINUX = "needs Linux (fork and /proc/self/smaps_rollup), not measured here"


def _mib(kib: float) -> str:
    return f"{kib / 1024:.1f} MiB"


def _memory_claim(
    evidence: Evidence,
    statement: str,
    ok: Callable[[RecipeSharedReadonly], bool],
    say: Callable[[RecipeSharedReadonly], str],
    missed: Callable[[RecipeSharedReadonly], str],
    figure: str,
) -> Claim:
    """Every run's growths against ``ok``; the text of the run to quote."""
    runs = [run.result for run in evidence.runs]
    if not all(r["linux"] for r in runs):
        return not_shown(statement, NOT_LINUX, SHAPE)
    missing = [r for r in runs if not ok(r)]  # type: ignore[arg-type]
    quoted: RecipeSharedReadonly = (missing or runs)[0]  # type: ignore[assignment]
    text = missed(quoted) if missing else say(quoted)
    return observed(not missing, text, float(quoted["grown_kib"][figure]))


def _share(r: RecipeSharedReadonly, case: str) -> float:
    return r["grown_kib"][case] / max(1, r["object_kib"])


@claim(SHARED, kind=CHECKED)
def reading_copies_the_objects(evidence: Evidence) -> Claim:
    """A forked worker that only reads a list of objects copies most of its pages."""

    def ok(r: RecipeSharedReadonly) -> bool:
        return _share(r, "read") >= READ_COPIES_AT_LEAST

    def say(r: RecipeSharedReadonly) -> str:
        return (
            f"A forked worker that only read {r['objects']:,} small lists "
            f"({_mib(r['object_kib'])}) grew its private memory by "
            f"**{_mib(r['grown_kib']['read'])}** ({_share(r, 'read'):.0%} of the "
            f"object; the claim needs at least {READ_COPIES_AT_LEAST:.0%}): reading "
            "wrote every reference count it touched."
        )

    def missed(r: RecipeSharedReadonly) -> str:
        return (
            f"Reading {_mib(r['object_kib'])} of objects in a forked worker copied "
            f"only {_mib(r['grown_kib']['read'])} ({_share(r, 'read'):.0%}): NOT at "
            f"least {READ_COPIES_AT_LEAST:.0%} of the object."
        )

    return _memory_claim(
        evidence,
        "Reading objects in a forked worker copies their pages.",
        ok,
        say,
        missed,
        "read",
    )


@claim(SHARED, kind=CHECKED)
def gc_freeze_spares_the_collector_writes(evidence: Evidence) -> Claim:
    """gc.freeze() before fork: a full collection in the worker copies next to
    nothing; without it, the collection copies the object's pages."""

    def ok(r: RecipeSharedReadonly) -> bool:
        plain = r["grown_kib"]["gc.collect"]
        frozen = r["grown_kib"]["gc.freeze, gc.collect"]
        return (
            plain >= READ_COPIES_AT_LEAST * r["object_kib"]
            and frozen <= SPARED_AT_MOST * plain
        )

    def say(r: RecipeSharedReadonly) -> str:
        return (
            "One full `gc.collect()` in a forked worker copied "
            f"**{_mib(r['grown_kib']['gc.collect'])}**; after `gc.freeze()` in the "
            f"parent before forking it copied **"
            f"{_mib(r['grown_kib']['gc.freeze, gc.collect'])}** (the claim needs "
            f"under {SPARED_AT_MOST:.0%} of the first)."
        )

    def missed(r: RecipeSharedReadonly) -> str:
        return (
            f"`gc.freeze()` did NOT spare the collector's writes: a collection copied "
            f"{_mib(r['grown_kib']['gc.collect'])} without it and "
            f"{_mib(r['grown_kib']['gc.freeze, gc.collect'])} with it."
        )

    return _memory_claim(
        evidence,
        "`gc.freeze()` before forking keeps the collector from copying the heap.",
        ok,
        say,
        missed,
        "gc.freeze, gc.collect",
    )


@claim(SHARED, kind=CHECKED)
def gc_freeze_does_not_stop_refcount_copies(evidence: Evidence) -> Claim:
    """After gc.freeze(), reading still copies: reference counts are still written."""

    def ok(r: RecipeSharedReadonly) -> bool:
        return _share(r, "gc.freeze, read") >= READ_COPIES_AT_LEAST

    def say(r: RecipeSharedReadonly) -> str:
        return (
            "With `gc.freeze()`, reading the same objects still copied "
            f"**{_mib(r['grown_kib']['gc.freeze, read'])}** "
            f"({_share(r, 'gc.freeze, read'):.0%} of the object): freezing stops "
            "the collector, not the reference counts."
        )

    def missed(r: RecipeSharedReadonly) -> str:
        return (
            f"With `gc.freeze()`, reading copied only "
            f"{_mib(r['grown_kib']['gc.freeze, read'])} "
            f"({_share(r, 'gc.freeze, read'):.0%}): NOT at least "
            f"{READ_COPIES_AT_LEAST:.0%} of the object."
        )

    return _memory_claim(
        evidence,
        "`gc.freeze()` does not stop reads from copying pages.",
        ok,
        say,
        missed,
        "gc.freeze, read",
    )


@claim(SHARED, kind=CHECKED)
def shared_memory_read_copies_nothing(evidence: Evidence) -> Claim:
    """A raw buffer in shared memory, read in place, stays shared."""

    def ok(r: RecipeSharedReadonly) -> bool:
        return (
            r["grown_kib"]["shared_memory"] <= SPARED_AT_MOST * r["grown_kib"]["read"]
        )

    def say(r: RecipeSharedReadonly) -> str:
        return (
            f"The same number of bytes as raw data in `shared_memory`, read in "
            f"place by a forked worker: its private memory grew "
            f"**{_mib(r['grown_kib']['shared_memory'])}**, against "
            f"{_mib(r['grown_kib']['read'])} for the list of objects (the claim "
            f"needs under {SPARED_AT_MOST:.0%} of that)."
        )

    def missed(r: RecipeSharedReadonly) -> str:
        return (
            "Reading a `shared_memory` buffer did NOT stay shared: the worker grew "
            f"{_mib(r['grown_kib']['shared_memory'])}, against "
            f"{_mib(r['grown_kib']['read'])} for the objects."
        )

    return _memory_claim(
        evidence,
        "A `shared_memory` buffer read in place is not copied.",
        ok,
        say,
        missed,
        "shared_memory",
    )


@claim(SHARED, kind=CHECKED)
def inherited_bytes_read_copies_nothing(evidence: Evidence) -> Claim:
    """Under fork, a big bytes object built by the parent and only read by the
    worker stays shared: one object, one reference count, no page copied."""
    case = "fork, inherited bytes"

    def ok(r: RecipeSharedReadonly) -> bool:
        return r["grown_kib"][case] <= SPARED_AT_MOST * r["grown_kib"]["read"]

    def say(r: RecipeSharedReadonly) -> str:
        return (
            "The same number of bytes as one `bytes` object the parent built "
            "before forking, read in place by a forked worker: its private memory "
            f"grew **{_mib(r['grown_kib'][case])}**, against "
            f"{_mib(r['grown_kib']['read'])} for the list of objects (the claim "
            f"needs under {SPARED_AT_MOST:.0%} of that)."
        )

    def missed(r: RecipeSharedReadonly) -> str:
        return (
            "Reading an inherited `bytes` object did NOT stay shared: the worker "
            f"grew {_mib(r['grown_kib'][case])}, against "
            f"{_mib(r['grown_kib']['read'])} for the objects."
        )

    return _memory_claim(
        evidence,
        "Under fork, a big `bytes` object inherited from the parent and only read "
        "is not copied.",
        ok,
        say,
        missed,
        case,
    )


@claim(SHARED, kind=CHECKED)
def spawned_worker_builds_its_own_copy(evidence: Evidence) -> Claim:
    """Under spawn (or forkserver), each worker that loads the object pays for it."""

    def ok(r: RecipeSharedReadonly) -> bool:
        return _share(r, "spawn, build") >= READ_COPIES_AT_LEAST

    def say(r: RecipeSharedReadonly) -> str:
        return (
            "A spawned worker that built the object itself (what an initializer "
            "does) grew by **"
            f"{_mib(r['grown_kib']['spawn, build'])}** "
            f"({_share(r, 'spawn, build'):.0%} of the object): every such worker "
            "pays for a whole copy."
        )

    def missed(r: RecipeSharedReadonly) -> str:
        return (
            "A spawned worker that built the object grew only "
            f"{_mib(r['grown_kib']['spawn, build'])}: NOT a copy of its own."
        )

    return _memory_claim(
        evidence,
        "Each spawned worker that loads the object holds its own copy.",
        ok,
        say,
        missed,
        "spawn, build",
    )


# --- recipe_oversubscription --------------------------------------------------------

OVERSUB = "recipe_oversubscription"
DEFAULT, ONE = "BLAS default", "BLAS 1 thread"
# One BLAS thread per worker against the default: the weakest gain that still shows
# the oversubscribed pool was slower. How much slower depends on the machine, the
# BLAS build and the matrix size, so the margin only asks for "faster".
ONE_THREAD_MIN_GAIN = 1.1
NO_NUMPY = "needs NumPy, not measured here"


def _blas(result: RecipeOversubscription, pool: str) -> list[int | None]:
    return [threads for threads, _env in result.get("worker_blas", {}).get(pool, [])]


def _gain(evidence: Evidence, margin: float | None = None) -> Figure:
    return Figure(
        "BLAS default vs 1 thread",
        evidence.ratio("timings", DEFAULT, ONE),
        margin,
        "at least" if margin is not None else "",
    )


@claim(OVERSUB, kind=CHECKED)
def env_limits_blas_threads(evidence: Evidence) -> Claim:
    """OPENBLAS_NUM_THREADS=1 in the environment before the workers import NumPy:
    each worker's OpenBLAS runs one thread; without it, one per CPU."""
    statement = (
        "`OPENBLAS_NUM_THREADS=1` set before the workers start limits each to one "
        "BLAS thread."
    )
    result = evidence.result_as(RecipeOversubscription)
    if result["numpy"] is None:
        return not_shown(statement, NO_NUMPY, SHAPE)
    runs = [run.result for run in evidence.runs]
    ones = [t for r in runs for t in _blas(r, ONE)]  # type: ignore[arg-type]
    defaults = [t for r in runs for t in _blas(r, DEFAULT)]  # type: ignore[arg-type]
    if not ones or None in ones or None in defaults:
        return not_shown(
            statement,
            "the loaded BLAS library is not OpenBLAS, or does not say its threads",
            SHAPE,
        )
    holds = set(ones) == {1}
    if holds:
        text = (
            f"With `OPENBLAS_NUM_THREADS=1` in `os.environ` while the spawn pool "
            f"started, every worker's OpenBLAS ran **{ones[0]} thread**; the "
            "default pool's workers ran "
            f"{' or '.join(str(t) for t in sorted(set(defaults)))} threads each."
        )
    else:
        text = (
            "`OPENBLAS_NUM_THREADS=1` did NOT limit the workers' OpenBLAS: they ran "
            f"{sorted(set(ones))} threads."
        )
    return observed(holds, text, float(max(ones)))


@claim(OVERSUB)
def one_blas_thread_per_worker_is_faster(evidence: Evidence) -> Claim:
    """A pool of one process per core runs matmuls faster with one BLAS thread per
    worker than with the default (a BLAS thread per CPU in every worker)."""
    statement = (
        "A pool of one process per core runs NumPy matmuls faster with one BLAS "
        "thread per worker."
    )
    result = evidence.result_as(RecipeOversubscription)
    if result["numpy"] is None:
        return not_shown(statement, NO_NUMPY, SHAPE)
    workers = result["workers"]
    defaults = _blas(result, DEFAULT)
    if defaults and all(t is not None and t <= 1 for t in defaults):
        return not_shown(
            statement,
            "not shown on this machine: OpenBLAS already ran one thread per worker "
            "by default, so nothing was oversubscribed",
            SHAPE,
        )

    def text(ev: Evidence) -> str:
        return (
            f"{workers} workers × the default BLAS threads took "
            f"**{_gain(ev).interval.estimate:.2f}×** as long as {workers} × 1 "
            f"thread on {evidence.cores} cores"
        )

    kept = parallel(
        evidence,
        min(workers, evidence.cores),
        f"{text(evidence)}.",
        _gain(evidence).interval.estimate,
    )
    if isinstance(kept, Claim):
        return kept
    return judged(
        f"Oversubscribed: {text(kept)}; one BLAS thread per worker was faster (the "
        f"claim needs at least {ONE_THREAD_MIN_GAIN:g}×).",
        [_gain(kept, ONE_THREAD_MIN_GAIN)],
        missed=f"One BLAS thread per worker was NOT clearly faster: {text(kept)}.",
    )
