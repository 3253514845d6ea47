import threading
import time


def download(name: str, seconds: float) -> None:
    time.sleep(seconds)  # stand-in for a network call: the thread just waits
    print(f"{name} finished after {seconds} s")


waits = {"a": 0.3, "b": 0.1, "c": 0.2}
threads = [threading.Thread(target=download, args=item) for item in waits.items()]
start = time.perf_counter()
for thread in threads:
    thread.start()  # runs download() in the new thread; start() returns at once
for thread in threads:
    thread.join()  # wait until that thread has finished
elapsed = time.perf_counter() - start
print(f"all three in {elapsed:.2f} s; the waits add up to {sum(waits.values()):.1f} s")
