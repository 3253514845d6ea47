import time
from concurrent.futures import ThreadPoolExecutor, as_completed


def wait(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


with ThreadPoolExecutor() as pool:
    futures = [pool.submit(wait, seconds) for seconds in (0.3, 0.1, 0.2)]
    for future in as_completed(futures):  # each one as soon as it finishes
        print(f"finished: the {future.result()} s task")
