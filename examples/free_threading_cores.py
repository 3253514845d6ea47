import sys
import time
from concurrent.futures import ThreadPoolExecutor


def count_down(n: int) -> None:
    while n:  # pure Python: with a GIL, one thread at a time runs this
        n -= 1


# sys._is_gil_enabled() is new in 3.13; before that the GIL is always on.
gil = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
wall, cpu = time.perf_counter(), time.process_time()
with ThreadPoolExecutor(max_workers=2) as pool:
    list(pool.map(count_down, [3_000_000, 3_000_000]))
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
print(f"Python {sys.version.split()[0]}, GIL enabled: {gil}")
print(f"two busy threads kept {cpu / wall:.2f} cores busy on average (at most 2)")
