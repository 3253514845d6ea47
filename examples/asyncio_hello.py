import asyncio


async def main() -> None:  # async def: calling main() makes a coroutine object
    print("hello ...")
    await asyncio.sleep(0.1)  # hands control to the event loop while it waits
    print("... world")


asyncio.run(main())  # starts a loop, runs main() to the end, closes the loop
