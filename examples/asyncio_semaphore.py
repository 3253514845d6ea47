import asyncio
import time


async def job(i: int, slots: asyncio.Semaphore, start: float) -> None:
    async with slots:  # at most two jobs get past this line at a time
        print(f"job {i} starts at {time.perf_counter() - start:.2f} s")
        await asyncio.sleep(0.1)


async def main() -> None:
    slots, start = asyncio.Semaphore(2), time.perf_counter()
    await asyncio.gather(*(job(i, slots, start) for i in range(6)))


asyncio.run(main())
