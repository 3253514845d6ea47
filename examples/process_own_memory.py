import multiprocessing
import os

counter = 0


def work() -> None:
    global counter
    counter += 1  # changes the child's copy of counter, not the parent's
    print(f"child  (pid {os.getpid()}): counter = {counter}")


if __name__ == "__main__":  # a spawned child imports this file: guard the start
    child = multiprocessing.Process(target=work)
    child.start()
    child.join()
    print(f"parent (pid {os.getpid()}): counter = {counter}")
    print(f"child exit code: {child.exitcode}")
