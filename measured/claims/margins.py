"""Every margin a claim is held against, one per statement, with why it sits there.

Parallel claims are written as *efficiency*: speedup ÷ min(workers, usable cores),
so the same claim means the same thing on 2 cores and on 64. The decision rule
(``measured.run.stats``) holds a claim only when the whole 95 % interval of its figure
clears the margin, so a margin is the weakest result that still proves the
statement, not the figure we expect.
"""

from __future__ import annotations

# Why a parallel claim cannot be shown on this machine.
ONE_CORE = "this machine has one usable core, so nothing can run in parallel"

# Processes (and threads running C code that releases the GIL, free-threaded
# threads, subinterpreters, Dask workers) run CPU work in parallel: at least 70 %
# of the ideal speedup. On 2 cores that is 1.4x; measured 1.75-1.9x here.
PARALLEL_MIN_EFFICIENCY = 0.7
# Threads running pure Python on a GIL build: no real speedup, whatever the cores.
# Ideal is 1.0; 1.3 leaves room for noise and is still far from parallel (2.0).
GIL_THREADS_MAX_SPEEDUP = 1.3
# Workers beyond the core count only queue for cores: twice as many processes as
# cores change the speedup by less than 20 %.
OVERSUBSCRIBED_MAX_GAIN = 1.2

# Starting a process costs far more than starting a thread: 0.1 ms against 2 ms
# (fork) to 60 ms (spawn) measured here. One margin wherever the guide says it.
PROCESS_OVER_THREAD_START_MIN = 5.0
# spawn (a fresh interpreter importing the module) against fork (a copy of the
# running process): 17-36x measured here. One margin wherever the guide says it.
SPAWN_OVER_FORK_START_MIN = 3.0
# A whole pool, created, with every worker started and then shut down: processes
# against as many threads. Shared costs (the pool's own threads, the shutdown)
# dilute the per-start ratio above: about 11-12x measured here for 25 workers
# (io_bound) and about 21x for one per core (startup_cost's one-shot pool).
PROCESS_POOL_OVER_THREAD_POOL_START_MIN = 3.0


def parallel_min_speedup(workers: int, cores: int) -> float:
    """The speedup a parallel claim needs: PARALLEL_MIN_EFFICIENCY of the ideal."""
    return PARALLEL_MIN_EFFICIENCY * max(1, min(workers, cores))


# Eager tasks (asyncio.eager_task_factory) against the default factory, for
# coroutines that return without suspending: the default ÷ eager time. Measured
# 2.1-2.8x on 3.12 and 3.13 here; 1.3 is a generous bar, asking only for a clear
# saving, with room for a noisy machine.
EAGER_MIN_SPEEDUP = 1.3
