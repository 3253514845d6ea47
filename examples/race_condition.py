import time
from concurrent.futures import ThreadPoolExecutor

count = {"value": 0}


def add(times: int) -> None:
    for _ in range(times):
        value = count["value"]  # read ...
        time.sleep(0.0001)  # ... other threads run here (any work would do) ...
        count["value"] = value + 1  # ... write: their updates meanwhile are lost


with ThreadPoolExecutor(max_workers=4) as pool:  # the with block waits for all
    for _ in range(4):
        pool.submit(add, 100)
print(f"4 threads added 100 each: count = {count['value']}")
