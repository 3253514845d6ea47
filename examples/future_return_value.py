import threading
from concurrent.futures import ThreadPoolExecutor


def square(n: int) -> str:
    return f"{n} squared is {n * n}, computed in {threading.current_thread().name}"


with ThreadPoolExecutor(max_workers=2) as pool:
    future = pool.submit(square, 7)  # queues the call; an idle or new worker runs it
    print(future.result())  # waits for it, then returns its value (or raises)
