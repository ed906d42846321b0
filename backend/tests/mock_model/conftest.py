"""Fixtures: one scripted model server per module, reset before each test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from aigc.mock_model import MockModelServer


@pytest.fixture(scope="module")
def model_server() -> Iterator[MockModelServer]:
    with MockModelServer() as server:
        yield server


@pytest.fixture
def model(model_server: MockModelServer) -> MockModelServer:
    model_server.reset()
    return model_server


@pytest.fixture
async def client(model: MockModelServer) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"x-api-key": "test", "anthropic-version": "2023-06-01"}
    async with httpx.AsyncClient(base_url=model.url, headers=headers, timeout=10) as http:
        yield http
