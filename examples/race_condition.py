import time
from concurrent.futures import ThreadPoolExecutor

count = {"value": 0}


def add(times: int) -> None:
    for _ in range(times):
        value = count["value"]  # read ...
        # sleep releases the GIL, so another thread certainly runs here; other
        # work loses updates only if a switch lands between the read and write
        time.sleep(0.0001)
        count["value"] = value + 1  # ... write: their updates meanwhile are lost


with ThreadPoolExecutor(max_workers=4) as pool:  # the with block waits for all
    for _ in range(4):
        pool.submit(add, 100)
print(f"4 threads added 100 each: count = {count['value']}")
