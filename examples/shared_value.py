from multiprocessing import Process, Value


def add(total, times: int) -> None:
    for _ in range(times):
        with total.get_lock():  # += is a read then a write: hold the lock across both
            total.value += 1


if __name__ == "__main__":
    total = Value("i", 0)  # one C int in shared memory, with a lock
    workers = [Process(target=add, args=(total, 1000)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(f"total = {total.value} after 4 processes added 1000 each")
