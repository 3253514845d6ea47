"""Claims of the "Sharing and coordination" pages, one function per conclusion.

Registered with :func:`measured.claims.claim` like every other claim, so
tests/test_claims.py asserts each of them against the result the build shows.
Margins are for a noisy, shared 2-core machine; the comment on each constant says
what was measured when it was set and why the margin is where it is.
"""

from __future__ import annotations

from collections.abc import Callable
from statistics import median
from typing import Any

from . import margins, stats
from .claims import (
    MEASURED,
    SHAPE,
    Claim,
    Evidence,
    Figure,
    claim,
    judged,
    not_shown,
    observed,
    parallel,
    speedup,
)

# Shared memory vs Pipe for the largest payload: 8-9x measured; 2x still means
# "clearly faster" and survives a loaded machine.
SHM_MIN_GAIN_LARGE = 2.0
# Pipe vs Queue for the largest payload: 1.5-1.9x measured.
PIPE_MIN_GAIN_OVER_QUEUE_LARGE = 1.2
# Zero-copy array job vs pickled copies: 2.4-3.5x measured.
SHARED_ARRAY_MIN_GAIN = 1.5
# A contended acquisition (it waits for another thread's release) vs an uncontended
# one: 25-30x measured, under load too (a wake-up only gets slower with load).
CONTENDED_MIN_RATIO = 5.0
# An uncontended Lock adds about 0.2-0.4 µs per acquisition; 1 µs is the ceiling.
UNCONTENDED_MAX_NS = 1_000


def _not_shown(statement: str, reason: str, figure: float | None = None) -> Claim:
    return Claim(None, statement, reason, figure)


# ---- sharing_demo -------------------------------------------------------------------


@claim("sharing_demo")
def processes_communicate(result: dict[str, Any]) -> Claim:
    """Queue, Pipe, Value/Array, Manager, SharedMemory and ShareableList all work."""
    q, va = result["queue"], result["value_array"]
    checks = {
        "Queue": q["got"] == 144 and q["child_pid"] != q["parent_pid"],
        "Pipe": result["pipe"]["round_trip_us"] > 0,
        "Value/Array": va["sum"] == va["expected"] and va["counter"] == 1_000,
        "Manager": result["manager"]["writers"] == 2,
        "SharedMemory": result["shared_memory"]["got"].startswith("written by the"),
        "ShareableList": result["shareable_list"]["got"][0] == 42,
    }
    working = [name for name, ok in checks.items() if ok]
    rtt = result["pipe"]["round_trip_us"]
    return Claim(
        len(working) == len(checks),
        f"Processes communicate: **{len(working)} of {len(checks)}** mechanisms "
        f"carried data between processes ({', '.join(working)}); a Pipe round trip "
        f"took **{rtt:.0f} µs**.",
        figure=float(len(working)),
    )


@claim("sharing_demo")
def segments_are_unlinked(result: dict[str, Any]) -> Claim:
    """After close() and unlink(), no segment is left in /dev/shm."""
    parts = (result["shared_memory"], result["shareable_list"])
    left = sum(not part["gone_after_unlink"] for part in parts)
    return Claim(
        left == 0 and result["shared_memory"]["visible_in_dev_shm"],
        f"Each segment was visible in /dev/shm while in use and **{left}** were "
        "left after `close()` and `unlink()`.",
        figure=float(left),
    )


# ---- ipc_throughput -----------------------------------------------------------------


def _ipc(result: dict[str, Any], channel: str, size: int) -> dict[str, Any]:
    return next(
        r for r in result["rows"] if r["channel"] == channel and r["size"] == size
    )


@claim("ipc_throughput")
def shared_memory_wins_for_large_payloads(result: dict[str, Any]) -> Claim:
    size = max(result["sizes"])
    shm, pipe = _ipc(result, "shared memory", size), _ipc(result, "Pipe", size)
    gain = shm["mb_per_s"] / pipe["mb_per_s"]
    holds = gain >= SHM_MIN_GAIN_LARGE
    verdict = "moved" if holds else "did NOT move"
    return Claim(
        holds,
        f"For {size / 1e6:g} MB payloads shared memory {verdict} data clearly faster "
        f"than a Pipe: **{shm['mb_per_s']:,.0f} MB/s** vs "
        f"{pipe['mb_per_s']:,.0f} MB/s (**{gain:.1f}×**).",
        figure=gain,
    )


@claim("ipc_throughput")
def pipe_wins_for_small_messages(result: dict[str, Any]) -> Claim:
    size = min(result["sizes"])
    shm, pipe = _ipc(result, "shared memory", size), _ipc(result, "Pipe", size)
    gain = pipe["messages_per_s"] / shm["messages_per_s"]
    holds = gain >= 1.0
    verdict = "gains nothing" if holds else "unexpectedly wins"
    return Claim(
        holds,
        f"For {size}-byte messages shared memory {verdict}: a Pipe delivered "
        f"**{pipe['messages_per_s']:,.0f} messages/s**, the shared-memory ring "
        f"{shm['messages_per_s']:,.0f} (it still needs a message per slot).",
        figure=gain,
    )


@claim("ipc_throughput")
def pipe_beats_queue_for_large_payloads(result: dict[str, Any]) -> Claim:
    size = max(result["sizes"])
    pipe, queue = _ipc(result, "Pipe", size), _ipc(result, "Queue", size)
    gain = pipe["mb_per_s"] / queue["mb_per_s"]
    holds = gain >= PIPE_MIN_GAIN_OVER_QUEUE_LARGE
    verdict = "beat" if holds else "did NOT beat"
    return Claim(
        holds,
        f"For {size / 1e6:g} MB payloads a Pipe {verdict} a Queue: "
        f"**{pipe['mb_per_s']:,.0f} MB/s** vs {queue['mb_per_s']:,.0f} MB/s "
        f"(**{gain:.1f}×**).",
        figure=gain,
    )


# ---- shared_array -------------------------------------------------------------------


@claim("shared_array")
def shared_memory_beats_pickled_copy(result: dict[str, Any]) -> Claim:
    gain = result["shared_vs_pickled"]
    timings = result["timings"]
    holds = gain >= SHARED_ARRAY_MIN_GAIN
    verdict = "finished" if holds else "did NOT finish"
    return Claim(
        holds,
        f"With the {result['bytes'] / 1e6:.0f} MB array in shared memory the job "
        f"{verdict} clearly faster: **{gain:.1f}×** "
        f"({timings['shared memory']['median'] * 1000:.0f} ms vs "
        f"{timings['pickled copy']['median'] * 1000:.0f} ms with pickled copies).",
        figure=gain,
    )


@claim("shared_array")
def shared_memory_sends_a_name(result: dict[str, Any]) -> Claim:
    sent = result["bytes_sent"]
    holds = sent["pickled copy"] >= result["bytes"] and sent["shared memory"] < 4096
    return Claim(
        holds,
        f"Pickled copies pushed **{sent['pickled copy']:,} bytes** through pipes to "
        f"the workers; shared memory sent **{sent['shared memory']:,} bytes** "
        "(a segment name and chunk bounds).",
        figure=float(sent["shared memory"]),
    )


# ---- race_threads -------------------------------------------------------------------


def _race(result: dict[str, Any], way: str, interval: float) -> list[int]:
    return next(
        r["lost"]
        for r in result["rows"]
        if r["way"] == way and r["interval"] == interval
    )


@claim("race_threads")
def read_call_write_loses_updates(result: dict[str, Any]) -> Claim:
    lost = _race(result, "unsafe", result["tiny_interval"])
    holds = sum(lost) > 0
    verdict = "lost" if holds else "did NOT lose"
    return Claim(
        holds,
        f"Read → call → write without a lock {verdict} updates: "
        f"**{median(lost):,.0f}** of {result['expected']:,} (median of "
        f"{len(lost)} trials) with a {result['tiny_interval'] * 1000:g} ms switch "
        "interval.",
        figure=float(median(lost)),
    )


@claim("race_threads")
def lock_prevents_lost_updates(result: dict[str, Any]) -> Claim:
    lost = [
        n
        for interval in (result["default_interval"], result["tiny_interval"])
        for n in _race(result, "locked", interval)
    ]
    return Claim(
        max(lost) == 0,
        f"With a `Lock` around read → call → write, **{max(lost)}** updates were "
        f"lost in {len(lost)} trials.",
        figure=float(max(lost)),
    )


@claim("race_threads")
def plain_increment_happens_to_survive(result: dict[str, Any]) -> Claim:
    lost = [
        n
        for interval in (result["default_interval"], result["tiny_interval"])
        for n in _race(result, "naive", interval)
    ]
    statement = (
        f"A plain `counter.value += 1` lost **{max(lost):,}** updates in the worst "
        f"of {len(lost)} trials"
    )
    if not result["env"]["gil_enabled"]:
        return _not_shown(
            statement + ".",
            "this interpreter runs without the GIL, where `+=` is not one step",
            float(max(lost)),
        )
    return Claim(
        max(lost) == 0,
        statement + " on this GIL build: an implementation detail, not a promise.",
        figure=float(max(lost)),
    )


@claim("race_threads")
def list_append_loses_nothing(result: dict[str, Any]) -> Claim:
    lost = [
        n
        for interval in (result["default_interval"], result["tiny_interval"])
        for n in _race(result, "append", interval)
    ]
    return Claim(
        max(lost) == 0,
        f"`list.append` from {result['threads']} threads lost **{max(lost)}** items "
        f"in {len(lost)} trials: one append is one step.",
        figure=float(max(lost)),
    )


# ---- race_processes -----------------------------------------------------------------


def _proc_lost(result: dict[str, Any], way: str) -> list[int]:
    return next(r["lost"] for r in result["rows"] if r["way"] == way)


def _no_fork(statement: str) -> Claim:
    return _not_shown(statement, "this platform has no fork start method")


@claim("race_processes")
def processes_lose_updates_without_lock(result: dict[str, Any]) -> Claim:
    if not result["fork_available"]:
        return _no_fork("Unlocked `Value` increments across processes.")
    lost = _proc_lost(result, "unlocked")
    statement = (
        f"Unlocked `value.value += 1` in {result['processes']} processes lost "
        f"**{max(lost):,}** of {result['expected']:,} updates in the worst of "
        f"{len(lost)} trials."
    )
    if sum(lost) == 0 and result["env"]["cores"] < 2:
        return _not_shown(statement, "one usable core: the processes rarely overlap")
    return Claim(sum(lost) > 0, statement, figure=float(max(lost)))


@claim("race_processes")
def threading_lock_does_not_protect_processes(result: dict[str, Any]) -> Claim:
    if not result["fork_available"]:
        return _no_fork("A threading.Lock inherited by forked processes.")
    lost = _proc_lost(result, "threading.Lock")
    statement = (
        f"A `threading.Lock` shared with forked processes did not protect them: "
        f"**{max(lost):,}** updates lost in the worst of {len(lost)} trials."
    )
    if sum(lost) == 0 and result["env"]["cores"] < 2:
        return _not_shown(statement, "one usable core: the processes rarely overlap")
    return Claim(sum(lost) > 0, statement, figure=float(max(lost)))


@claim("race_processes")
def process_locks_prevent_lost_updates(result: dict[str, Any]) -> Claim:
    if not result["fork_available"]:
        return _no_fork("Locked Value increments across processes.")
    lost = _proc_lost(result, "value.get_lock()") + _proc_lost(
        result, "multiprocessing.Lock"
    )
    return Claim(
        max(lost) == 0,
        f"`value.get_lock()` and `multiprocessing.Lock` lost **{max(lost)}** "
        f"updates in {len(lost)} trials.",
        figure=float(max(lost)),
    )


# ---- lock_cost ----------------------------------------------------------------------


@claim("lock_cost")
def uncontended_lock_is_cheap(result: dict[str, Any]) -> Claim:
    cost = result["uncontended_ns"] - result["no_lock_ns"]
    holds = cost <= UNCONTENDED_MAX_NS
    return Claim(
        holds,
        f"An uncontended `Lock` added **{cost:.0f} ns** per acquisition "
        f"({'under' if holds else 'OVER'} a microsecond).",
        figure=cost,
    )


@claim("lock_cost")
def contended_lock_costs_more(result: dict[str, Any]) -> Claim:
    ratio = result["contention_ratio"]
    holds = ratio >= CONTENDED_MIN_RATIO
    verdict = "cost" if holds else "did NOT cost"
    return Claim(
        holds,
        f"An acquisition that had to wait for another thread's release {verdict} "
        f"far more: **{result['contended_ns'] / 1000:,.1f} µs**, "
        f"**{ratio:.0f}×** an uncontended one.",
        figure=ratio,
    )


# ---- sync_primitives ----------------------------------------------------------------


@claim("sync_primitives")
def semaphore_bounds_concurrency(result: dict[str, Any]) -> Claim:
    peak = result["semaphore"]["peak_inside"]
    return Claim(
        peak == result["limit"],
        f"`Semaphore({result['limit']})` let at most **{peak}** of "
        f"{result['workers']} threads in at once.",
        figure=float(peak),
    )


@claim("sync_primitives")
def rlock_reenters_lock_does_not(result: dict[str, Any]) -> Claim:
    r = result["rlock"]
    return Claim(
        r["rlock_reentered"] and not r["lock_second_acquire"],
        "An `RLock` let its owner acquire it again; a plain `Lock` asked twice by "
        "the same thread would wait forever (the timeout returned False).",
        figure=float(r["lock_second_acquire"]),
    )


@claim("sync_primitives")
def event_condition_barrier_coordinate(result: dict[str, Any]) -> Claim:
    ev, bar, cond = result["event"], result["barrier"], result["condition"]
    holds = (
        ev["woken_before_set"] == 0
        and ev["woken"] == 5
        and bar["first_pass_ms"] >= 0.9 * bar["last_arrival_ms"]
        and cond["received"] == [0, 1, 2]
    )
    return Claim(
        holds,
        f"`Event`: {ev['woken_before_set']} waiters passed before `set()`, "
        f"{ev['woken']} after. `Barrier`: the first thread passed at "
        f"**{bar['first_pass_ms']:.0f} ms**, once the last arrived "
        f"({bar['last_arrival_ms']:.0f} ms). `Condition`: the consumer woke to "
        f"{cond['received']}.",
        figure=bar["first_pass_ms"],
    )


@claim("sync_primitives")
def queue_delivers_each_item_once(result: dict[str, Any]) -> Claim:
    q = result["queue"]
    holds = q["delivered"] == q["distinct"] == q["items"]
    return Claim(
        holds,
        f"`queue.Queue` handed **{q['distinct']:,}** distinct items of "
        f"{q['items']:,} to 4 consumers, each exactly once, with no lock in user "
        "code.",
        figure=float(q["distinct"]),
    )


@claim("sync_primitives")
def deadlock_detected_by_timeout(result: dict[str, Any]) -> Claim:
    d = result["deadlock"]
    opposite, same = (
        d["opposite_order_got_second_lock"],
        d["same_order_got_second_lock"],
    )
    gave_up = opposite.count(False)
    return Claim(
        gave_up >= 1 and all(same),
        f"Locks taken in opposite orders deadlocked: **{gave_up}** of 2 threads "
        f"gave up after `acquire(timeout={result['deadlock_timeout']})`. Taken in "
        f"one global order, both threads got both locks.",
        figure=float(gave_up),
    )


# ---- helpers of futures_api, futures_compare, asyncio_*, many_connections ------------


def _interval_times(interval: stats.Interval, factor: float) -> stats.Interval:
    """An interval times a positive constant: order statistics keep their ranks."""
    return stats.Interval(
        interval.estimate * factor,
        interval.low * factor,
        interval.high * factor,
        interval.n,
        interval.confidence,
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _every_run(
    evidence: Evidence, read: Callable[[dict[str, Any]], Any], ok: Callable[..., bool]
) -> tuple[bool, Any]:
    """Whether ``ok`` held in every run, and the run to quote: the first that missed.

    Observations are pooled by requiring them in every run: one run in which the
    behaviour did not happen is enough to refute "it happens".
    """
    seen = evidence.values(read)
    missed = [value for value in seen if not ok(value)]
    return not missed, (missed or seen)[0]


# ---- futures_api --------------------------------------------------------------------


@claim("futures_api", kind=MEASURED)
def map_keeps_order_as_completed_does_not(evidence: Evidence) -> Claim:
    """map yields in input order; as_completed in completion order (observed)."""

    def ok(o: dict[str, Any]) -> bool:
        return o["map"] == o["submitted"] and o["as_completed"] == sorted(
            o["submitted"]
        )

    holds, o = _every_run(evidence, lambda r: r["orders"], ok)
    if holds:
        text = (
            f"`map` returned results in input order {o['map']}; `as_completed` in "
            f"completion order {o['as_completed']}."
        )
    else:
        text = (
            f"For tasks submitted as {o['submitted']}, `map` returned {o['map']} and "
            f"`as_completed` {o['as_completed']}: NOT input and completion order."
        )
    return observed(holds, text, float(o["as_completed"][0]))


@claim("futures_api", kind=MEASURED)
def timeout_does_not_stop_the_task(evidence: Evidence) -> Claim:
    """result(timeout=...) gives up waiting; the task itself runs on (observed)."""

    def ok(t: dict[str, Any]) -> bool:
        return t["raised"] == "TimeoutError" and t["still_running"]

    holds, t = _every_run(evidence, lambda r: r["timeout"], ok)
    waited = median(evidence.values(lambda r: r["timeout"]["after_ms"]))
    if holds:
        text = (
            f"`result(timeout=0.05)` raised {t['raised']} after **{waited:.0f} ms**, "
            f"but the task kept running and later returned {t['result_later']}."
        )
    else:
        state = "still running" if t["still_running"] else "NOT running any more"
        text = (
            f"`result(timeout=0.05)` raised {t['raised'] or 'nothing'} after "
            f"**{waited:.0f} ms** and the task was {state}."
        )
    return observed(holds, text, waited)


@claim("futures_api", kind=MEASURED)
def cancel_only_stops_queued_tasks(evidence: Evidence) -> Claim:
    """cancel() fails on a running task, works on queued ones (observed)."""

    def ok(c: dict[str, Any]) -> bool:
        # One worker: the first task runs, the others wait. shutdown() may find up
        # to two tasks started (one running, one just taken from the queue).
        return c["cancel_returned"] == [False, True, True, True] and (
            c["shutdown_cancelled"] >= c["shutdown_total"] - 2
        )

    holds, c = _every_run(evidence, lambda r: r["cancel"], ok)
    text = (
        f"`cancel()` returned {c['cancel_returned']} for one running and three "
        f"queued tasks"
    )
    if holds:
        text += (
            ": only tasks still in the queue can be cancelled. "
            f"`shutdown(cancel_futures=True)` cancelled **{c['shutdown_cancelled']} "
            f"of {c['shutdown_total']}**."
        )
    else:
        text += (
            f", and `shutdown(cancel_futures=True)` cancelled "
            f"**{c['shutdown_cancelled']} of {c['shutdown_total']}**: NOT only the "
            "queued ones, or not all of them."
        )
    return observed(holds, text, float(c["shutdown_cancelled"]))


@claim("futures_api", kind=MEASURED)
def worker_exception_reaches_caller(evidence: Evidence) -> Claim:
    """An exception in a worker process reaches the caller with its traceback."""

    def ok(e: dict[str, Any]) -> bool:
        traceback = "\n".join(e["remote_traceback_lines"])
        return e["exception"].startswith("ValueError") and "parse_row" in traceback

    holds, e = _every_run(evidence, lambda r: r["exceptions"], ok)
    kind = e["exception"].split("(")[0]
    if holds:
        text = (
            f"An exception raised in a worker process reached the caller as "
            f"`{kind}`, with the worker's traceback attached."
        )
    else:
        text = (
            f"The worker's `ValueError` reached the caller as `{kind}`, and its "
            "traceback did NOT name the worker's function."
        )
    return observed(holds, text, float(len(e["other_results"])))


@claim("futures_api", kind=MEASURED)
def initializer_runs_once_per_worker(evidence: Evidence) -> Claim:
    """initializer= runs once in each worker, before its tasks (observed)."""

    def ok(i: dict[str, Any]) -> bool:
        return i["init_calls_per_worker"] == [1] and i["configs"] == [
            "db=orders.sqlite"
        ]

    holds, i = _every_run(evidence, lambda r: r["initializer"], ok)
    if holds:
        text = (
            f"The `initializer` ran once in each of {i['workers_seen']} workers; all "
            f"{i['tasks']} tasks saw its setting."
        )
    else:
        text = (
            f"The `initializer` ran {i['init_calls_per_worker']} times per worker "
            f"and the tasks saw {i['configs']}: NOT once per worker."
        )
    return observed(holds, text, float(i["workers_seen"]))


@claim("futures_api", kind=MEASURED)
def spawn_starts_slower_than_fork(evidence: Evidence) -> Claim:
    """A pool with mp_context spawn costs clearly more to start than with fork."""
    rounds = evidence.rounds("start_methods")
    methods = rounds["samples"]
    if "fork" not in methods or "spawn" not in methods:
        return not_shown(
            "Start-up cost of spawn vs fork.", "this platform lacks fork or spawn"
        )
    figure = Figure(
        "spawn ÷ fork, per round",
        stats.ratio(rounds, "spawn", "fork"),
        margins.SPAWN_OVER_FORK_START_MIN,
        "at least",
    )
    spawn = stats.timing(rounds, "spawn").estimate * 1000
    fork = stats.timing(rounds, "fork").estimate * 1000
    text = (
        f"A 1-worker pool with `mp_context` spawn took **{spawn:.0f} ms** to start, "
        f"run one task and stop; with fork **{fork:.1f} ms**"
    )
    ratio = figure.interval.estimate
    return judged(
        f"{text}: spawn cost **{ratio:.0f}×** as much.",
        [figure],
        missed=f"{text}: spawn did NOT cost clearly more (**{ratio:.1f}×**).",
    )


# ---- broken_pool --------------------------------------------------------------------


@claim("broken_pool", kind=MEASURED)
def exception_leaves_pool_working(evidence: Evidence) -> Claim:
    """A task that raises fails alone; the pool keeps serving (observed)."""

    def ok(a: dict[str, Any]) -> bool:
        return a["raising_task"] == "ValueError" and a["next_task"] == "ok"

    holds, a = _every_run(evidence, lambda r: r["after_exception"], ok)
    verdict = "returned" if holds else "did NOT return: it got"
    return observed(
        holds,
        f"A task that raised gave its future a `{a['raising_task']}`; the next task "
        f"on the same pool {verdict} {a['next_result']}.",
        float(a["next_result"]),
    )


@claim("broken_pool", kind=MEASURED)
def dead_worker_breaks_pool(evidence: Evidence) -> Claim:
    """A worker that dies breaks the pool; a new pool works (observed)."""

    def ok(r: dict[str, Any]) -> bool:
        c = r["after_crash"]
        return (
            c["crashed_task"] == "BrokenProcessPool"
            and all(state == "BrokenProcessPool" for state in c["pending_tasks"])
            and c["new_submit"] == "BrokenProcessPool"
            and r["new_pool"]["result"] == 49
        )

    holds, r = _every_run(evidence, lambda r: r, ok)
    c = r["after_crash"]
    broken = sum(state == "BrokenProcessPool" for state in c["pending_tasks"])
    if holds:
        text = (
            f"A worker that died (`os._exit(1)`) broke the pool: its future and "
            f"**{broken} of {len(c['pending_tasks'])}** others failed with "
            f"`BrokenProcessPool`, and `submit()` raised it afterwards. A new pool "
            "worked."
        )
    else:
        text = (
            f"A worker that died (`os._exit(1)`) did NOT break the pool as "
            f"described: its future got `{c['crashed_task']}`, **{broken} of "
            f"{len(c['pending_tasks'])}** others `BrokenProcessPool`, and a later "
            f"`submit()` was {c['new_submit']}."
        )
    return observed(holds, text, float(broken))


# ---- futures_compare ----------------------------------------------------------------

# Waiting tasks overlap in any pool, whatever the cores: at least 60 % of the ideal
# (one wave per worker). Measured 3.7-3.9x with 4 workers (0.93-0.98 of ideal).
WAIT_MIN_EFFICIENCY = 0.6
# Handing a tiny task to a process pool (pickle, pipe, another process) against a
# thread pool (a queue, another thread): 13-15x per task measured here; 3x is
# still "far more" and survives a loaded machine.
PROCESS_TASK_OVERHEAD_MIN = 3.0


def _fc(workload: str) -> Callable[[dict[str, Any]], Any]:
    return lambda r: r["workloads"][workload]["rounds"]


def _tasks(evidence: Evidence, workload: str, kind: str) -> int:
    """Tasks one alternative ran per round (set-up, the same in every run)."""
    w = evidence.result["workloads"][workload]
    return int(w["tasks"] * w["maps_per_round"][kind])


def futures_compare_table(evidence: Evidence) -> list[dict[str, Any]]:
    """Every workload and pool: pooled median time, per task, speedup vs serial."""
    rows = []
    for workload, w in evidence.result["workloads"].items():
        rounds = evidence.rounds(_fc(workload))
        for kind in w["maps_per_round"]:
            tasks = _tasks(evidence, workload, kind)
            took = stats.timing(rounds, kind)
            compared = workload != "tiny" and kind != "serial"
            rows.append(
                {
                    "workload": workload,
                    "kind": kind,
                    "workers": w["workers"],
                    "tasks": tasks,
                    "time": took,
                    "per_task_us": _interval_times(took, 1e6 / tasks),
                    "speedup": stats.ratio(rounds, "serial", kind)
                    if compared
                    else None,
                }
            )
    return rows


def per_task_ratio(evidence: Evidence, slower: str, faster: str) -> stats.Interval:
    """How many times more one tiny task cost on ``slower`` than on ``faster``.

    Paired per round: (slower seconds / its tasks) / (faster seconds / its tasks).
    """
    ratio = evidence.ratio(_fc("tiny"), slower, faster)
    return _interval_times(
        ratio,
        _tasks(evidence, "tiny", faster) / _tasks(evidence, "tiny", slower),
    )


@claim("futures_compare", kind=MEASURED)
def both_pools_overlap_waiting(evidence: Evidence) -> Claim:
    """Thread and process pools both overlap waits (no core needed to wait)."""
    workers = evidence.result["workloads"]["waiting"]["workers"]
    figures = [
        Figure(
            f"{kind} vs serial",
            evidence.ratio(_fc("waiting"), "serial", kind),
            WAIT_MIN_EFFICIENCY * workers,
            "at least",
            ideal=float(workers),  # waits overlap beyond the cores, not beyond this
        )
        for kind in ("threads", "processes")
    ]
    t, p = (f.interval.estimate for f in figures)
    text = (
        f"threads **{t:.2f}×**, processes **{p:.2f}×** faster than one after "
        f"another, with {workers} workers each (ideal {workers:.2f}×)"
    )
    return judged(
        f"For waiting tasks both pools overlapped the waits: {text}.",
        figures,
        figure=min(t, p),
        missed=f"For waiting tasks the pools did NOT both overlap the waits: {text}.",
    )


def _cpu(evidence: Evidence, kind: str, margin: float | None, rule: str) -> Figure:
    workers = evidence.result["headline_workers"]
    return speedup(
        evidence,
        _fc("CPU"),
        "serial",
        kind,
        label=f"{kind} vs serial",
        workers=workers,
        margin=margin,
        rule=rule,
    )


@claim("futures_compare", kind=MEASURED)
def processes_speed_up_cpu(evidence: Evidence) -> Claim:
    """The same code on a process pool runs CPU work in parallel."""
    workers, cores = evidence.result["headline_workers"], evidence.cores
    gain = _cpu(evidence, "processes", None, "").interval.estimate
    text = (
        f"**{gain:.2f}×** on a process pool of {_count(workers, 'worker')} on "
        f"{_count(cores, 'core')} (ideal {min(workers, cores):.2f}×)"
    )
    kept = parallel(evidence, min(workers, cores), f"For CPU work the code ran {text}.")
    if isinstance(kept, Claim):
        return kept
    margin = margins.parallel_min_speedup(workers, cores)
    return judged(
        f"For CPU work the same code sped up {text}.",
        [_cpu(kept, "processes", margin, "at least")],
        missed=f"For CPU work the process pool did NOT speed the code up: {text}.",
    )


@claim("futures_compare", kind=MEASURED)
def threads_do_not_speed_up_cpu(evidence: Evidence) -> Claim:
    """On a GIL build the same code on a thread pool gains nothing for CPU work."""
    workers, cores = evidence.result["headline_workers"], evidence.cores
    gain = _cpu(evidence, "threads", None, "").interval.estimate
    text = f"**{gain:.2f}×** on a thread pool of {_count(workers, 'worker')}"
    if not evidence.env["gil_enabled"]:
        return not_shown(
            f"For CPU work the code ran {text} with the GIL disabled.",
            "this interpreter runs without the GIL, so threads may speed it up",
            figure=gain,
        )
    # On one core, or with the cores busy, nothing could speed up: no evidence.
    kept = parallel(evidence, min(workers, cores), f"For CPU work the code ran {text}.")
    if isinstance(kept, Claim):
        return kept
    return judged(
        f"For CPU work the same code gained nothing on threads: {text} on "
        f"{_count(cores, 'core')}, because the GIL lets one thread at a time run "
        "Python bytecode.",
        [_cpu(kept, "threads", margins.GIL_THREADS_MAX_SPEEDUP, "at most")],
        missed=f"For CPU work threads DID speed the code up: {text} on "
        f"{_count(cores, 'core')}.",
    )


@claim("futures_compare", kind=MEASURED)
def process_tasks_cost_more(evidence: Evidence) -> Claim:
    """Handing a task to a process pool costs far more than to a thread pool."""
    figure = Figure(
        "processes ÷ threads, per task",
        per_task_ratio(evidence, "processes", "threads"),
        PROCESS_TASK_OVERHEAD_MIN,
        "at least",
    )
    rows = {
        r["kind"]: r for r in futures_compare_table(evidence) if r["workload"] == "tiny"
    }
    p = rows["processes"]["per_task_us"].estimate
    t = rows["threads"]["per_task_us"].estimate
    ratio = figure.interval.estimate
    text = (
        f"Each tiny task cost **{p:.0f} µs** on the process pool and **{t:.1f} µs** "
        f"on the thread pool (**{ratio:.0f}×**)"
    )
    return judged(
        f"{text}: arguments and results are pickled and sent through pipes.",
        [figure],
        missed=f"{text}: a process pool did NOT cost clearly more per task.",
    )


# ---- asyncio_basics -----------------------------------------------------------------

# gather: TASKS coroutines that each wait NAP against one coroutine's wait. If the
# waits overlap, the batch takes one wait plus the cost of creating the tasks
# (measured 1.07-1.15x); under 2x no wait can have followed another one.
GATHER_MAX_RATIO = 2.0
# asyncio.timeout: the cut-off, timed around asyncio.run, against its deadline.
# Measured 1.01-1.05x; within 2x of the deadline is "on time" next to a 10 s sleep.
TIMEOUT_MAX_LATE = 2.0


@claim("asyncio_basics", kind=MEASURED)
def coroutines_share_one_thread(evidence: Evidence) -> Claim:
    """Every coroutine reports the same process and the same OS thread."""
    holds, o = _every_run(
        evidence,
        lambda r: r["one_thread"],
        lambda o: o["processes"] == 1 and o["threads"] == 1,
    )
    verdict = "ran" if holds else "did NOT all run"
    return observed(
        holds,
        f"{o['tasks']:,} coroutines {verdict} in one thread: they reported "
        f"**{o['processes']} process** and **{o['threads']} thread**.",
        float(o["threads"]),
    )


@claim("asyncio_basics", kind=MEASURED)
def gather_overlaps_waits(evidence: Evidence) -> Claim:
    """gather runs the waits of many coroutines at once, not one after another."""
    g = evidence.result["gather"]
    rounds = evidence.rounds(lambda r: r["gather"]["rounds"])
    figure = Figure(
        "gather ÷ one wait, per round",
        stats.ratio(rounds, "gather", "one wait"),
        GATHER_MAX_RATIO,
        "at most",
    )
    took = stats.timing(rounds, "gather").estimate
    text = (
        f"`gather` ran {g['tasks']:,} coroutines that each wait {g['nap']} s in "
        f"**{took:.3f} s**, **{figure.interval.estimate:.2f}×** the time one such "
        "wait took alone"
    )
    return judged(
        f"{text}: the waits overlapped.",
        [figure],
        missed=f"{text}: the waits did NOT all overlap.",
    )


@claim("asyncio_basics", kind=MEASURED)
def task_group_cancels_siblings(evidence: Evidence) -> Claim:
    """A failing task in a TaskGroup cancels its siblings; the error surfaces."""
    holds, g = _every_run(
        evidence,
        lambda r: r["task_group"],
        lambda g: (
            g["siblings_cancelled"] == g["siblings"]
            and "ConnectionError" in g["caught"]
        ),
    )
    surfaced = "the error surfaced" if g["caught"] else "NO error surfaced"
    return observed(
        holds,
        f"When one task in a `TaskGroup` failed, **{g['siblings_cancelled']} of "
        f"{g['siblings']}** siblings were cancelled and {surfaced}.",
        float(g["siblings_cancelled"]),
    )


@claim("asyncio_basics", kind=MEASURED)
def timeout_cuts_off_on_time(evidence: Evidence) -> Claim:
    """asyncio.timeout cancels the await at its deadline, with TimeoutError."""
    deadline = evidence.result["timeout"]["deadline"]
    outcomes = [
        o for run in evidence.values(lambda r: r["timeout"]["outcomes"]) for o in run
    ]
    after = _interval_times(
        evidence.timing(lambda r: r["timeout"]["rounds"], "timeout"), 1000
    )
    figure = Figure(
        "cut off after", after, TIMEOUT_MAX_LATE * deadline * 1000, "at most", " ms"
    )
    raised = ", ".join(sorted(set(outcomes)))
    text = (
        f"`asyncio.timeout({deadline})` around a 10 s sleep ended it after "
        f"**{after.estimate:.1f} ms** with {raised}"
    )
    if set(outcomes) != {"TimeoutError"}:
        return Claim(
            False,
            f"{text}: NOT a TimeoutError in every round.",
            figure=after.estimate,
            figures=(figure,),
        )
    return judged(
        f"{text}, in every one of {len(outcomes)} rounds: cut off on time.",
        [figure],
        missed=f"{text}: NOT on time, over {TIMEOUT_MAX_LATE:g}× its deadline.",
    )


@claim("asyncio_basics", kind=MEASURED)
def async_semaphore_bounds(evidence: Evidence) -> Claim:
    """asyncio.Semaphore(n) lets at most n coroutines in at once."""
    holds, s = _every_run(
        evidence, lambda r: r["semaphore"], lambda s: s["peak"] == s["limit"]
    )
    return observed(
        holds,
        f"`asyncio.Semaphore({s['limit']})` let at most **{s['peak']}** of "
        f"{s['tasks']} coroutines in at once.",
        float(s["peak"]),
    )


# ---- asyncio_blocking ---------------------------------------------------------------

BLOCKING = "time.sleep() in a coroutine"
TO_THREAD = "asyncio.to_thread(time.sleep)"
EXECUTOR = "run_in_executor(None, time.sleep)"
CPU_INLINE = "CPU work in a coroutine"
CPU_POOL = "CPU work in a process pool"
# A job the loop waits on freezes it for the job's whole duration: stall ÷ duration
# near 1 (measured 0.99-1.01); 0.75 leaves room for a heartbeat that was due late.
BLOCKED_MIN_SHARE = 0.75
# A job the loop hands off leaves it responsive: measured about 0.01 (a 1 ms stall
# over a 100 ms job); a quarter of the job is still far from frozen.
RESPONSIVE_MAX_SHARE = 0.25


def _stalls(evidence: Evidence, job: str) -> list[float]:
    """The loop's worst stall during ``job``, round by round, every run in order."""
    return [
        x for run in evidence.values(lambda r: r["stall_seconds"][job]) for x in run
    ]


def stall_share(evidence: Evidence, job: str) -> stats.Interval:
    """Stall ÷ the job's own duration, in %, paired per round: 100 is frozen."""
    took = stats.samples(evidence.rounds("took"), job)
    share = stats.median_interval(stats.paired_ratios(_stalls(evidence, job), took))
    return _interval_times(share, 100)


def asyncio_blocking_table(evidence: Evidence) -> list[dict[str, Any]]:
    """Every job: its duration, the loop's worst stall (ms) and their ratio."""
    rounds = evidence.rounds("took")
    return [
        {
            "job": job,
            "took_ms": _interval_times(stats.timing(rounds, job), 1000),
            "stall_ms": _interval_times(
                stats.median_interval(_stalls(evidence, job)), 1000
            ),
            "share": stall_share(evidence, job),
        }
        for job in rounds["samples"]
    ]


def _share(evidence: Evidence, job: str, margin: float, rule: str) -> Figure:
    return Figure(
        f"{job}: stall ÷ duration", stall_share(evidence, job), 100 * margin, rule, "%"
    )


@claim("asyncio_blocking", kind=MEASURED)
def blocking_call_stalls_the_loop(evidence: Evidence) -> Claim:
    """A blocking call freezes the loop; to_thread and run_in_executor do not."""
    rows = {r["job"]: r for r in asyncio_blocking_table(evidence)}
    figures = [
        _share(evidence, BLOCKING, BLOCKED_MIN_SHARE, "at least"),
        _share(evidence, TO_THREAD, RESPONSIVE_MAX_SHARE, "at most"),
        _share(evidence, EXECUTOR, RESPONSIVE_MAX_SHARE, "at most"),
    ]
    stall = rows[BLOCKING]["stall_ms"].estimate
    took = rows[BLOCKING]["took_ms"].estimate
    fixed = max(rows[job]["stall_ms"].estimate for job in (TO_THREAD, EXECUTOR))
    block = evidence.result["block"]
    text = (
        f"a `time.sleep({block})` inside a coroutine stalled every task for "
        f"**{stall:.0f} ms** of the {took:.0f} ms it took; through "
        f"`asyncio.to_thread` or `run_in_executor` the loop stalled at most "
        f"**{fixed:.1f} ms**"
    )
    return judged(
        f"A blocking call froze the loop: {text}.",
        figures,
        figure=stall,
        missed=f"The loop did NOT behave as described: {text}.",
    )


@claim("asyncio_blocking", kind=MEASURED)
def cpu_work_belongs_in_a_process_pool(evidence: Evidence) -> Claim:
    """CPU work in a coroutine freezes the loop; in a process pool it does not."""
    rows = {r["job"]: r for r in asyncio_blocking_table(evidence)}
    figures = [
        _share(evidence, CPU_INLINE, BLOCKED_MIN_SHARE, "at least"),
        _share(evidence, CPU_POOL, RESPONSIVE_MAX_SHARE, "at most"),
    ]
    inline, pooled = rows[CPU_INLINE]["stall_ms"].estimate, rows[CPU_POOL]["stall_ms"]
    work = rows[CPU_INLINE]["took_ms"].estimate
    text = (
        f"CPU work run in a coroutine stalled the loop for **{inline:.0f} ms** of "
        f"the {work:.0f} ms it computed; the same work in a process pool stalled it "
        f"**{pooled.estimate:.1f} ms**"
    )
    return judged(
        f"{text}.",
        figures,
        figure=inline,
        missed=f"{text}: NOT frozen inline and free with a pool.",
    )


# ---- many_connections ---------------------------------------------------------------

# Client RSS per connection, a thread each against a task each: 2.2x measured at
# 1,000-5,000 connections; 1.3x is still "clearly less" for a deterministic figure.
ASYNC_MIN_MEMORY_GAIN = 1.3
# Client wall time, a thread each against asyncio: 2.6-4x measured at 1,000-5,000
# connections on two cores, 1.4x at 2,000 on one core (taskset); 1.2x is still
# "clearly sooner".
ASYNC_MIN_TIME_GAIN = 1.2
KIND_LABELS = {"threads": "a thread per connection", "asyncio": "asyncio"}


def _level(n: int) -> Callable[[dict[str, Any]], Any]:
    return lambda r: r["by_level"][str(n)]


def rss_per_connection(evidence: Evidence, n: int, kind: str) -> list[float]:
    """Bytes of resident memory a client added per connection, one per session.

    (RSS with all ``n`` connections open - RSS of the fresh client process before
    its first one) / n, every session of every run in round order.
    """
    return [
        (s["rss_peak"] - s["rss_before"]) / n
        for run in evidence.values(lambda r: _level(n)(r)["sessions"][kind])
        for s in run
    ]


def memory_ratio(evidence: Evidence, n: int) -> stats.Interval:
    """Thread client's RSS per connection ÷ asyncio client's, paired per round."""
    return stats.median_interval(
        stats.paired_ratios(
            rss_per_connection(evidence, n, "threads"),
            rss_per_connection(evidence, n, "asyncio"),
        )
    )


def many_connections_table(evidence: Evidence) -> list[dict[str, Any]]:
    """Every level and client: pooled wall time, RSS per connection, failures."""
    rows = []
    for n in evidence.result["levels"]:
        time_rounds = evidence.rounds(lambda r, n=n: _level(n)(r)["time"])
        for kind in KIND_LABELS:
            per_conn = stats.median_interval(rss_per_connection(evidence, n, kind))
            rows.append(
                {
                    "connections": n,
                    "kind": kind,
                    "rounds": int(time_rounds["rounds"]),
                    "time": stats.timing(time_rounds, kind),
                    "rss_per_connection": per_conn,
                    "rss_added": _interval_times(per_conn, n),
                    "failures": sum(
                        s["failures"]
                        for run in evidence.values(
                            lambda r, n=n, kind=kind: _level(n)(r)["sessions"][kind]
                        )
                        for s in run
                    ),
                }
            )
    return rows


def _top_rows(evidence: Evidence) -> tuple[int, dict[str, dict[str, Any]]]:
    top = evidence.result["top"]
    rows = many_connections_table(evidence)
    return top, {r["kind"]: r for r in rows if r["connections"] == top}


@claim("many_connections", kind=MEASURED)
def asyncio_uses_less_memory_per_connection(evidence: Evidence) -> Claim:
    """asyncio's client adds less resident memory per connection than threads'."""
    n, rows = _top_rows(evidence)
    figure = Figure(
        "thread ÷ asyncio RSS per connection, per round",
        memory_ratio(evidence, n),
        ASYNC_MIN_MEMORY_GAIN,
        "at least",
    )
    a = rows["asyncio"]["rss_per_connection"].estimate / 1024
    t = rows["threads"]["rss_per_connection"].estimate / 1024
    text = (
        f"**{a:.1f} KiB** per connection against **{t:.1f} KiB** with a thread each "
        f"(**{figure.interval.estimate:.1f}×**): the resident memory each client "
        f"process added with all {n:,} connections open, divided by {n:,}"
    )
    return judged(
        f"At {n:,} connections the asyncio client needed less memory: {text}.",
        [figure],
        missed=f"At {n:,} connections the asyncio client did NOT need less "
        f"memory: {text}.",
    )


@claim("many_connections", kind=MEASURED)
def asyncio_is_faster_at_scale(evidence: Evidence) -> Claim:
    """At the highest level, asyncio's client opens, uses and closes sooner."""
    n, rows = _top_rows(evidence)
    figure = Figure(
        "thread ÷ asyncio wall time, per round",
        evidence.ratio(lambda r: _level(n)(r)["time"], "threads", "asyncio"),
        ASYNC_MIN_TIME_GAIN,
        "at least",
    )
    a, t = rows["asyncio"]["time"].estimate, rows["threads"]["time"].estimate
    text = (
        f"**{a:.2f} s** against **{t:.2f} s** for a thread per connection "
        f"(**{figure.interval.estimate:.1f}×**)"
    )
    return judged(
        f"At {n:,} connections the asyncio client finished sooner: {text}.",
        [figure],
        missed=f"At {n:,} connections the asyncio client did NOT finish sooner: "
        f"{text}.",
    )


@claim("many_connections", kind=MEASURED)
def both_clients_serve_every_level(evidence: Evidence) -> Claim:
    """Both clients hold every level's connections open at once, without failures."""
    failures = sum(r["failures"] for r in many_connections_table(evidence))
    n = evidence.result["top"]
    peaks = evidence.values(lambda r: r["server"].get("peak"))
    statement = (
        f"Both clients held up to **{n:,}** connections open at once with "
        f"**{failures}** failures"
    )
    skipped = evidence.result["skipped_levels"]
    if skipped:
        limit = evidence.result["fd_limit"]["soft"]
        return not_shown(
            f"{statement}.",
            f"the file-descriptor limit ({limit:,}) is too low for "
            f"{', '.join(f'{s:,}' for s in skipped)} connections",
            SHAPE,
            float(failures),
        )
    holds = failures == 0 and all(peak == n for peak in peaks)
    if holds:
        return observed(holds, f"{statement}.", float(failures))
    return observed(
        holds,
        f"{statement}; the server saw at most {min(p or 0 for p in peaks):,} open "
        "at once: NOT every connection served.",
        float(failures),
    )
