import multiprocessing
import time


def nothing() -> None:
    pass


if __name__ == "__main__":
    print(f"default here: {multiprocessing.get_start_method()}")
    for method in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context(method)  # this method, for these only
        for _ in range(2):  # time the 2nd: the 1st forkserver child starts the server
            start = time.perf_counter()
            child = context.Process(target=nothing)
            child.start()
            child.join()
        ms = (time.perf_counter() - start) * 1000
        print(f"{method:<10} start + join, 2nd child: {ms:.1f} ms")
