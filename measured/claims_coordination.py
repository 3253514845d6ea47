"""Claims of the "Sharing and coordination" pages, one function per conclusion.

Registered with :func:`measured.claims.claim` like every other claim, so
tests/test_claims.py asserts each of them against the result the build shows.
Margins are for a noisy, shared 2-core machine; the comment on each constant says
what was measured when it was set and why the margin is where it is.
"""

from __future__ import annotations

from statistics import median
from typing import Any

from .claims import PROCESSES_MIN_SPEEDUP, THREADS_MAX_SPEEDUP_WITH_GIL, Claim, claim

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
# spawn vs fork start-up of a 1-worker pool: 17-36x measured.
SPAWN_MIN_SLOWDOWN = 3.0
# Waiting tasks in a pool of 4: 3.6-4.0x measured (ideal 4).
WAIT_MIN_SPEEDUP = 2.4
# Per-task overhead of a process pool vs a thread pool: 7-10x measured.
PROCESS_TASK_OVERHEAD_MIN = 3.0
# The event loop: a 200 ms blocking call stalls it by ~200 ms; a well-behaved
# alternative keeps every heartbeat within a few ms.
BLOCKED_MIN_STALL_MS = 150.0
RESPONSIVE_MAX_STALL_MS = 50.0
# asyncio vs thread client memory per connection at the largest level: 2.2x measured.
ASYNC_MIN_MEMORY_GAIN = 1.3
# thread vs asyncio client wall time at the largest level: 1.7-2.2x measured.
ASYNC_MIN_TIME_GAIN = 1.2


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


# ---- futures_api --------------------------------------------------------------------


@claim("futures_api")
def map_keeps_order_as_completed_does_not(result: dict[str, Any]) -> Claim:
    o = result["orders"]
    holds = o["map"] == o["submitted"] and o["as_completed"] == sorted(o["submitted"])
    return Claim(
        holds,
        f"`map` returned results in input order {o['map']}; `as_completed` in "
        f"completion order {o['as_completed']}.",
        figure=o["as_completed"][0],
    )


@claim("futures_api")
def timeout_does_not_stop_the_task(result: dict[str, Any]) -> Claim:
    t = result["timeout"]
    holds = t["raised"] == "TimeoutError" and t["still_running"]
    return Claim(
        holds,
        f"`result(timeout=0.05)` raised {t['raised']} after "
        f"**{t['after_ms']:.0f} ms**, but the task kept running and later "
        f"returned {t['result_later']}.",
        figure=t["after_ms"],
    )


@claim("futures_api")
def cancel_only_stops_queued_tasks(result: dict[str, Any]) -> Claim:
    c = result["cancel"]
    holds = c["cancel_returned"] == [False, True, True, True] and (
        c["shutdown_cancelled"] >= c["shutdown_total"] - 2
    )
    return Claim(
        holds,
        f"`cancel()` returned {c['cancel_returned']}: only tasks still in the queue "
        f"can be cancelled. `shutdown(cancel_futures=True)` cancelled "
        f"**{c['shutdown_cancelled']} of {c['shutdown_total']}**.",
        figure=float(c["shutdown_cancelled"]),
    )


@claim("futures_api")
def worker_exception_reaches_caller(result: dict[str, Any]) -> Claim:
    e = result["exceptions"]
    traceback = "\n".join(e["remote_traceback_lines"])
    holds = e["exception"].startswith("ValueError") and "parse_row" in traceback
    return Claim(
        holds,
        f"An exception raised in a worker process reached the caller as "
        f"`{e['exception'].split('(')[0]}`, with the worker's traceback attached.",
        figure=float(len(e["other_results"])),
    )


@claim("futures_api")
def initializer_runs_once_per_worker(result: dict[str, Any]) -> Claim:
    i = result["initializer"]
    holds = i["init_calls_per_worker"] == [1] and i["configs"] == ["db=orders.sqlite"]
    return Claim(
        holds,
        f"The `initializer` ran once in each of {i['workers_seen']} workers; all "
        f"{i['tasks']} tasks saw its setting.",
        figure=float(i["workers_seen"]),
    )


@claim("futures_api")
def spawn_starts_slower_than_fork(result: dict[str, Any]) -> Claim:
    methods = result["start_methods"]
    if "fork" not in methods or "spawn" not in methods:
        return _not_shown(
            "Start-up cost of spawn vs fork.", "this platform lacks fork or spawn"
        )
    ratio = methods["spawn"]["median"] / methods["fork"]["median"]
    holds = ratio >= SPAWN_MIN_SLOWDOWN
    return Claim(
        holds,
        f"A 1-worker pool with `mp_context` spawn took "
        f"**{methods['spawn']['median'] * 1000:.0f} ms** to start, run one task and "
        f"stop; with fork {methods['fork']['median'] * 1000:.0f} ms "
        f"(**{ratio:.0f}×**).",
        figure=ratio,
    )


# ---- broken_pool --------------------------------------------------------------------


@claim("broken_pool")
def exception_leaves_pool_working(result: dict[str, Any]) -> Claim:
    a = result["after_exception"]
    holds = a["raising_task"] == "ValueError" and a["next_task"] == "ok"
    return Claim(
        holds,
        f"A task that raised gave its future a `{a['raising_task']}`; the next task "
        f"on the same pool returned {a['next_result']}.",
        figure=float(a["next_result"]),
    )


@claim("broken_pool")
def dead_worker_breaks_pool(result: dict[str, Any]) -> Claim:
    c = result["after_crash"]
    broken = sum(state == "BrokenProcessPool" for state in c["pending_tasks"])
    holds = (
        c["crashed_task"] == "BrokenProcessPool"
        and broken == len(c["pending_tasks"])
        and c["new_submit"] == "BrokenProcessPool"
        and result["new_pool"]["result"] == 49
    )
    return Claim(
        holds,
        f"A worker that died (`os._exit(1)`) broke the pool: its future and "
        f"**{broken} of {len(c['pending_tasks'])}** others failed with "
        f"`BrokenProcessPool`, and `submit()` raised it afterwards. A new pool "
        "worked.",
        figure=float(broken),
    )


# ---- futures_compare ----------------------------------------------------------------


def _fc(result: dict[str, Any], workload: str, kind: str) -> dict[str, Any]:
    return next(
        r for r in result["rows"] if r["workload"] == workload and r["kind"] == kind
    )


@claim("futures_compare")
def both_pools_overlap_waiting(result: dict[str, Any]) -> Claim:
    t = _fc(result, "waiting", "threads")["speedup"]
    p = _fc(result, "waiting", "processes")["speedup"]
    holds = min(t, p) >= WAIT_MIN_SPEEDUP
    return Claim(
        holds,
        f"For waiting tasks both pools overlapped the waits: threads "
        f"**{t:.2f}×**, processes **{p:.2f}×** with {result['workers']} workers "
        f"(ideal {result['workers']}.00×).",
        figure=min(t, p),
    )


@claim("futures_compare")
def only_processes_speed_up_cpu(result: dict[str, Any]) -> Claim:
    t = _fc(result, "CPU", "threads")["speedup"]
    p = _fc(result, "CPU", "processes")["speedup"]
    statement = (
        f"For CPU work the same code sped up **{p:.2f}×** on processes and "
        f"**{t:.2f}×** on threads ({result['cores']} cores)."
    )
    if result["cores"] < 2:
        return _not_shown(statement, "this machine has one usable core", p)
    if not result["env"]["gil_enabled"]:
        return _not_shown(statement, "this interpreter runs without the GIL", p)
    holds = p >= PROCESSES_MIN_SPEEDUP and t <= THREADS_MAX_SPEEDUP_WITH_GIL
    return Claim(holds, statement, figure=p)


@claim("futures_compare")
def process_tasks_cost_more(result: dict[str, Any]) -> Claim:
    t = _fc(result, "tiny", "threads")["per_task_us"]
    p = _fc(result, "tiny", "processes")["per_task_us"]
    ratio = p / t
    holds = ratio >= PROCESS_TASK_OVERHEAD_MIN
    return Claim(
        holds,
        f"Each tiny task cost **{p:.0f} µs** on the process pool and **{t:.0f} µs** "
        f"on the thread pool (**{ratio:.0f}×**): arguments and results are pickled "
        "and sent through pipes.",
        figure=ratio,
    )


# ---- asyncio_basics -----------------------------------------------------------------


@claim("asyncio_basics")
def coroutines_share_one_thread(result: dict[str, Any]) -> Claim:
    o = result["one_thread"]
    holds = o["processes"] == 1 and o["threads"] == 1
    return Claim(
        holds,
        f"{o['tasks']:,} coroutines ran in **{o['processes']} process** and "
        f"**{o['threads']} thread**.",
        figure=float(o["threads"]),
    )


@claim("asyncio_basics")
def gather_overlaps_waits(result: dict[str, Any]) -> Claim:
    g = result["gather"]
    took = g["timing"]["median"]
    overlap = g["serial_seconds"] / took
    holds = took <= 5 * g["nap"]
    return Claim(
        holds,
        f"`gather` ran {g['tasks']:,} coroutines that each wait {g['nap']} s in "
        f"**{took:.3f} s** (one after another: {g['serial_seconds']:.0f} s).",
        figure=overlap,
    )


@claim("asyncio_basics")
def task_group_cancels_siblings(result: dict[str, Any]) -> Claim:
    g = result["task_group"]
    holds = (
        g["siblings_cancelled"] == g["siblings"] and "ConnectionError" in (g["caught"])
    )
    return Claim(
        holds,
        f"When one task in a `TaskGroup` failed, **{g['siblings_cancelled']} of "
        f"{g['siblings']}** siblings were cancelled and the error surfaced.",
        figure=float(g["siblings_cancelled"]),
    )


@claim("asyncio_basics")
def timeout_cuts_off_on_time(result: dict[str, Any]) -> Claim:
    t = result["timeout"]
    holds = t["outcome"] == "TimeoutError" and t["seconds"] < 0.5
    return Claim(
        holds,
        f"`asyncio.timeout(0.05)` cut a 10 s wait off after "
        f"**{t['seconds'] * 1000:.0f} ms** with {t['outcome']}.",
        figure=t["seconds"],
    )


@claim("asyncio_basics")
def async_semaphore_bounds(result: dict[str, Any]) -> Claim:
    s = result["semaphore"]
    return Claim(
        s["peak"] == s["limit"],
        f"`asyncio.Semaphore({s['limit']})` let at most **{s['peak']}** of "
        f"{s['tasks']} coroutines in at once.",
        figure=float(s["peak"]),
    )


# ---- asyncio_blocking ---------------------------------------------------------------

BLOCKING = "time.sleep() in a coroutine"
TO_THREAD = "asyncio.to_thread(time.sleep)"
EXECUTOR = "run_in_executor(None, time.sleep)"
CPU_INLINE = "CPU work in a coroutine"
CPU_POOL = "CPU work in a process pool"


@claim("asyncio_blocking")
def blocking_call_stalls_the_loop(result: dict[str, Any]) -> Claim:
    stall = result["stall_ms"][BLOCKING]
    fixed = max(result["stall_ms"][TO_THREAD], result["stall_ms"][EXECUTOR])
    holds = stall >= BLOCKED_MIN_STALL_MS and fixed <= RESPONSIVE_MAX_STALL_MS
    return Claim(
        holds,
        f"A `time.sleep({result['block']})` inside a coroutine froze every task for "
        f"**{stall:.0f} ms**; through `asyncio.to_thread` or `run_in_executor` the "
        f"loop never stalled more than **{fixed:.1f} ms**.",
        figure=stall,
    )


@claim("asyncio_blocking")
def cpu_work_belongs_in_a_process_pool(result: dict[str, Any]) -> Claim:
    inline = result["stall_ms"][CPU_INLINE]
    pooled = result["stall_ms"][CPU_POOL]
    work = result["cpu_work_ms"]
    # The loop is frozen for the whole computation (less one heartbeat interval).
    holds = inline >= 0.8 * work and pooled <= RESPONSIVE_MAX_STALL_MS
    return Claim(
        holds,
        f"CPU work run in a coroutine froze the loop for **{inline:.0f} ms**, all "
        f"{work:.0f} ms it computed; the same work in a process pool stalled it "
        f"**{pooled:.1f} ms**.",
        figure=inline,
    )


# ---- many_connections ---------------------------------------------------------------


def _mc(result: dict[str, Any], kind: str, n: int) -> dict[str, Any]:
    return next(
        r for r in result["rows"] if r["kind"] == kind and r["connections"] == n
    )


def _top_level(result: dict[str, Any]) -> int:
    return max(result["levels"])


@claim("many_connections")
def asyncio_uses_less_memory_per_connection(result: dict[str, Any]) -> Claim:
    n = _top_level(result)
    t, a = _mc(result, "threads", n), _mc(result, "asyncio", n)
    ratio = t["rss_per_connection"] / a["rss_per_connection"]
    holds = ratio >= ASYNC_MIN_MEMORY_GAIN
    verdict = "needed" if holds else "did NOT need"
    return Claim(
        holds,
        f"At {n:,} connections the asyncio client {verdict} less memory: "
        f"**{a['rss_per_connection'] / 1024:.1f} KiB** per connection vs "
        f"**{t['rss_per_connection'] / 1024:.1f} KiB** per thread "
        f"(**{ratio:.1f}×**).",
        figure=ratio,
    )


@claim("many_connections")
def asyncio_is_faster_at_scale(result: dict[str, Any]) -> Claim:
    n = _top_level(result)
    t, a = _mc(result, "threads", n), _mc(result, "asyncio", n)
    ratio = t["seconds"] / a["seconds"]
    holds = ratio >= ASYNC_MIN_TIME_GAIN
    verdict = "finished" if holds else "did NOT finish"
    return Claim(
        holds,
        f"At {n:,} connections the asyncio client {verdict} sooner: "
        f"**{a['seconds']:.2f} s** vs **{t['seconds']:.2f} s** for a thread per "
        f"connection (**{ratio:.1f}×**).",
        figure=ratio,
    )


@claim("many_connections")
def both_clients_serve_every_level(result: dict[str, Any]) -> Claim:
    failures = sum(r["failures"] for r in result["rows"])
    n = _top_level(result)
    statement = (
        f"Both clients held up to **{n:,}** connections open at once with "
        f"**{failures}** failures."
    )
    if result["skipped_levels"]:
        limit = result["fd_limit"]["soft"]
        return _not_shown(
            statement,
            f"the file-descriptor limit ({limit:,}) is too low for "
            f"{result['skipped_levels']} connections",
            float(failures),
        )
    holds = failures == 0 and result["server"].get("peak") == n
    return Claim(holds, statement, figure=float(failures))
