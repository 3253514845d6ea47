from concurrent.futures import ThreadPoolExecutor


def divide(a: int, b: int) -> float:
    return a / b


with ThreadPoolExecutor() as pool:
    future = pool.submit(divide, 1, 0)  # the error happens in a worker thread ...
    print(f"exception(): {future.exception()!r}")  # ... kept in the future, not raised
    try:
        future.result()  # result() raises it again, here, in the caller
    except ZeroDivisionError as error:
        print(f"result() raised {error!r}")
