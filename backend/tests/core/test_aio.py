"""read_ahead: a generator that runs before it is read, hands on its errors, and is closed when left early."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import pytest

from aigc.core.aio import read_ahead


async def test_the_source_runs_while_the_reader_waits_for_something_else() -> None:
    progress: list[str] = []

    async def source() -> AsyncGenerator[str, None]:
        for step in ("one", "two", "three"):
            progress.append(step)
            yield step

    async with read_ahead(source()) as items:
        await asyncio.sleep(0.01)  # the reader is busy elsewhere
        assert progress == ["one", "two", "three"]
        assert [item async for item in items] == ["one", "two", "three"]


async def test_an_error_of_the_source_reaches_the_reader_after_what_came_before() -> None:
    async def source() -> AsyncGenerator[int, None]:
        yield 1
        raise ValueError("broken")

    received = []
    async with read_ahead(source()) as items:
        with pytest.raises(ValueError, match="broken"):
            async for item in items:
                received.append(item)
    assert received == [1]


async def test_leaving_early_cancels_the_source_and_runs_its_clean_up() -> None:
    cleaned = asyncio.Event()

    async def source() -> AsyncGenerator[int, None]:
        try:
            yield 1
            await asyncio.sleep(30)
            yield 2
        finally:
            await asyncio.sleep(0)  # clean-up that itself awaits must still complete
            cleaned.set()

    async with read_ahead(source()) as items:
        assert await anext(aiter(items)) == 1
    assert cleaned.is_set()
