"""The app's route table, read from the router tree, so that checks cover every route there is."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from aigc.auth.dependencies import get_admin_user, get_current_user

PARAM = re.compile(r"{(\w+)(?::\w+)?}")


@dataclass(frozen=True)
class RouteInfo:
    """One method of one route, with what its dependency tree calls."""

    method: str
    path: str
    name: str
    calls: frozenset[Callable[..., Any]]
    has_body: bool
    is_stream: bool

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def params(self) -> list[str]:
        return PARAM.findall(self.path)

    @property
    def needs_user(self) -> bool:
        return get_current_user in self.calls

    @property
    def needs_admin(self) -> bool:
        return get_admin_user in self.calls

    def url(self, ids: dict[str, Any] | None = None) -> str:
        """The path with each parameter filled from `ids` (a fresh random UUID when absent)."""
        ids = ids or {}
        return PARAM.sub(lambda m: str(ids.get(m.group(1), uuid.uuid4())), self.path)


def _calls(dependant: Any) -> frozenset[Callable[..., Any]]:
    found: set[Callable[..., Any]] = set()
    for sub in dependant.dependencies:
        found.add(sub.call)
        found |= _calls(sub)
    return frozenset(found)


def _contexts(app: FastAPI) -> Iterator[Any]:
    # FastAPI keeps included routers as nodes of a tree; each node yields its routes with the full path
    # and the dependencies of every router above them merged in.
    for route in app.routes:
        if hasattr(route, "effective_route_contexts"):
            yield from route.effective_route_contexts()
        else:
            yield route


def route_table(app: FastAPI) -> list[RouteInfo]:
    """Every (method, path) the app answers, HEAD left out (it follows GET)."""
    table = []
    for route in _contexts(app):
        path = getattr(route, "path", None)
        methods = getattr(route, "methods", None)
        if path is None or not methods:  # mounts (static assets)
            continue
        dependant = getattr(route, "dependant", None)
        calls = _calls(dependant) if dependant is not None else frozenset()
        for method in sorted(methods - {"HEAD"}):
            table.append(
                RouteInfo(
                    method=method,
                    path=path,
                    name=route.name,
                    calls=calls,
                    has_body=getattr(route, "body_field", None) is not None,
                    is_stream=bool(getattr(route, "is_sse_stream", False)),
                )
            )
    return table


def api_routes(app: FastAPI) -> list[RouteInfo]:
    return [r for r in route_table(app) if r.path.startswith("/api/v1/")]
