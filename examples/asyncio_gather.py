import asyncio
import time


async def main() -> None:
    start = time.perf_counter()
    # Both sleeps are scheduled at once; gather waits for all and keeps their order.
    results = await asyncio.gather(asyncio.sleep(0.2, "a"), asyncio.sleep(0.2, "b"))
    print(f"gather: {time.perf_counter() - start:.2f} s, results {results}")


asyncio.run(main())
