import asyncio
import time


async def main() -> None:
    start = time.perf_counter()
    async with asyncio.TaskGroup() as group:  # Python 3.11+
        slow = group.create_task(asyncio.sleep(0.2, "slow"))
        fast = group.create_task(asyncio.sleep(0.1, "fast"))
    # The block ends when every task has: no task is left running behind your back.
    print(f"{fast.result()}, {slow.result()}: {time.perf_counter() - start:.2f} s")


asyncio.run(main())
