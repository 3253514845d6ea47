import threading
import time
from concurrent.futures import ThreadPoolExecutor

count = {"value": 0}
lock = threading.Lock()


def add(times: int) -> None:
    for _ in range(times):
        with lock:  # one thread at a time from the read to the write
            value = count["value"]
            time.sleep(0.0001)
            count["value"] = value + 1


with ThreadPoolExecutor(max_workers=4) as pool:
    for _ in range(4):
        pool.submit(add, 100)
print(f"4 threads added 100 each: count = {count['value']}")
