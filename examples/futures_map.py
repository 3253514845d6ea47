import time
from concurrent.futures import ThreadPoolExecutor


def slow_square(n: int) -> int:
    time.sleep(0.1 * (3 - n))  # the later inputs finish first ...
    return n * n


with ThreadPoolExecutor() as pool:
    print(list(pool.map(slow_square, [0, 1, 2])))  # ... yet results keep input order
