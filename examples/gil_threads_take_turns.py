import threading
import time


def count_down(n: int) -> None:
    while n:  # pure Python: a thread runs this only while it holds the GIL
        n -= 1


threads = [threading.Thread(target=count_down, args=(5_000_000,)) for _ in range(2)]
wall, cpu = time.perf_counter(), time.process_time()
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
print(f"two busy threads ran for {wall:.2f} s and used {cpu:.2f} s of CPU")
print(f"cores busy at once, on average: {cpu / wall:.2f} (2.00 would be parallel)")
