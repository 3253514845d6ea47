import asyncio
import time


async def main() -> None:
    start = time.perf_counter()
    await asyncio.sleep(0.2)  # main() waits here until the first sleep is over ...
    await asyncio.sleep(0.2)  # ... and only then starts the second
    print(f"two awaits in sequence: {time.perf_counter() - start:.2f} s")


asyncio.run(main())
