from concurrent.futures import Future, ThreadPoolExecutor


def report(future: Future) -> None:  # called with the future once it is done
    print(f"callback: the result is {future.result()}")


with ThreadPoolExecutor() as pool:
    future = pool.submit(pow, 2, 10)
    future.add_done_callback(report)  # runs at once if the future is already done
print(f"after the with block: done = {future.done()}")
