import time
from concurrent.futures import ThreadPoolExecutor, wait

with ThreadPoolExecutor() as pool:
    futures = [pool.submit(time.sleep, seconds) for seconds in (0.1, 0.5)]
    done, pending = wait(futures, timeout=0.3)  # returns after 0.3 s at the latest
    print(f"after the timeout: {len(done)} done, {len(pending)} still running")
    # Leaving the with block waits for the rest; cancel() stops only queued tasks.
print(f"after the with block: {sum(f.done() for f in futures)} done")
