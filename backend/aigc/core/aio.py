"""Small asyncio building blocks the standard library lacks."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing, asynccontextmanager
from typing import TypeVar

T = TypeVar("T")


class _End:
    """Marks the end of a read-ahead buffer, carrying the source's exception if it raised."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


@asynccontextmanager
async def read_ahead(source: AsyncGenerator[T, None]) -> AsyncIterator[AsyncIterator[T]]:
    """Run `source` in a task of its own from now on, buffering what it yields until it is read.

    An async generator only runs while somebody iterates it; this lets it make progress while the caller
    awaits something else first. Leaving the block before the end cancels the source and closes it.
    """
    buffer: asyncio.Queue[T | _End] = asyncio.Queue()

    async def pump() -> None:
        try:
            async with aclosing(source):
                async for item in source:
                    buffer.put_nowait(item)
        except Exception as exc:  # raised again in the reader, where it can be handled
            buffer.put_nowait(_End(exc))
            return
        buffer.put_nowait(_End())

    async def drain() -> AsyncIterator[T]:
        while not isinstance(item := await buffer.get(), _End):
            yield item
        if item.error is not None:
            raise item.error

    task = asyncio.create_task(pump(), name="read-ahead")
    try:
        yield drain()
    finally:
        if not task.done():
            task.cancel()
        # The source's own clean-up (closing what it opened) runs to its end before the block is left.
        with contextlib.suppress(asyncio.CancelledError):
            await task
