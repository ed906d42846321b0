"""Mixed API load with streaming sessions alongside, shared by load.py, soak.py and the fast test.

`run_load` signs in `users` ordinary accounts (created by the bench admin), gives each a session with one
finished turn, then for `duration` seconds runs `clients` API clients in a closed loop (feedback, lists,
detail and stats, spread over the accounts) while `streams` sessions send one turn after another. Every
request is timed and classified; the server's output is searched for "database is locked" and tracebacks
afterwards. Figures go to docs/reliability.md (this file's owner), never docs/performance.md.
"""

from __future__ import annotations

import asyncio
import random
import re
import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from common import (
    API,
    REPO,
    Platform,
    bench_script,
    ms,
    new_session,
    percentile,
    replace_marked_section,
    send_turn,
    set_script,
    signed_in_client,
    table,
)

DOC = REPO / "docs" / "reliability.md"
LOCKED = "database is locked"

# Operation name -> weight: what a few hundred people clicking around the web app do most.
MIX = {
    "feedback.put": 25,
    "feedback.get": 5,
    "sessions.list": 20,
    "scenarios.list": 15,
    "skills.list": 5,
    "session.detail": 15,
    "stats": 15,
}


@dataclass
class Account:
    client: httpx.AsyncClient
    session_id: str
    message_ids: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    """Every request's (operation, status, seconds), the turns, and what the server logged."""

    duration: float = 0.0
    clients: int = 0
    streams: int = 0
    samples: list[tuple[str, int, float]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # transport errors, 5xx and "locked" bodies
    turns: list[tuple[str, float, float | None]] = field(default_factory=list)  # (status, total, first text)
    locked_in_log: int = 0
    tracebacks_in_log: int = 0

    @property
    def server_errors(self) -> int:
        return sum(1 for _, status, _ in self.samples if status >= 500)

    @property
    def failed_turns(self) -> int:
        return sum(1 for status, _, _ in self.turns if status != "ok")

    @property
    def ok(self) -> bool:
        return (
            not self.failures and not self.server_errors and not self.failed_turns and not self.locked_in_log
        )

    def by_operation(self) -> dict[str, list[float]]:
        grouped: dict[str, list[float]] = defaultdict(list)
        for name, _, seconds in self.samples:
            grouped[name].append(seconds)
        return dict(sorted(grouped.items()))

    def rows(self) -> list[list[object]]:
        rows = []
        statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for name, status, _ in self.samples:
            statuses[name][status] += 1
        for name, values in self.by_operation().items():
            seen = ", ".join(f"{code}×{n}" for code, n in sorted(statuses[name].items()))
            rows.append(
                [
                    name,
                    len(values),
                    ms(percentile(values, 50)),
                    ms(percentile(values, 95)),
                    ms(max(values)),
                    seen,
                ]
            )
        totals = [t for _, t, _ in self.turns]
        firsts = [f for _, _, f in self.turns if f is not None]
        if totals:
            rows.append(
                [
                    "turn (whole stream)",
                    len(totals),
                    ms(percentile(totals, 50)),
                    ms(percentile(totals, 95)),
                    ms(max(totals)),
                    f"ok×{len(totals) - self.failed_turns}, failed×{self.failed_turns}",
                ]
            )
            rows.append(
                [
                    "turn (first text)",
                    len(firsts),
                    ms(percentile(firsts, 50)),
                    ms(percentile(firsts, 95)),
                    ms(max(firsts) if firsts else float("nan")),
                    "",
                ]
            )
        return rows

    def report(self) -> str:
        rate = len(self.samples) / self.duration if self.duration else 0.0
        head = (
            f"{self.clients} API clients + {self.streams} streaming sessions for {self.duration:.0f} s: "
            f"{len(self.samples)} API requests ({rate:.0f}/s), {len(self.turns)} turns; "
            f"5xx: {self.server_errors}, transport errors/locked bodies: {len(self.failures)}, "
            f'failed turns: {self.failed_turns}, "{LOCKED}" in the server log: {self.locked_in_log}, '
            f"tracebacks in the server log: {self.tracebacks_in_log}."
        )
        body = table(["operation", "requests", "p50 ms", "p95 ms", "max ms", "statuses"], self.rows())
        return f"{head}\n\n{body}{self._reasons()}"

    def _reasons(self) -> str:
        """The most frequent failures, so a red figure comes with its cause."""
        failures = [re.sub(r'"request_id":"[^"]*"', '"request_id":…', text) for text in self.failures]
        counted = Counter(failures) + Counter(status for status, _, _ in self.turns if status != "ok")
        if not counted:
            return ""
        lines = "\n".join(f"- {n}× `{reason[:160]}`" for reason, n in counted.most_common(5))
        return f"\n\nMost frequent failures:\n\n{lines}"


async def make_accounts(p: Platform, count: int) -> list[Account]:
    """`count` ordinary users, each signed in with a session that has one finished turn."""
    admin = await signed_in_client(p)
    await set_script(admin, p.mock_url, bench_script())
    password = secrets.token_urlsafe(12)
    accounts = []
    for _ in range(count):
        name = f"load{secrets.token_hex(4)}"
        created = await admin.post(
            f"{API}/users", json={"username": name, "password": password, "role": "user"}
        )
        created.raise_for_status()
        client = httpx.AsyncClient(
            base_url=p.url,
            timeout=httpx.Timeout(120.0),
            limits=httpx.Limits(max_connections=400, max_keepalive_connections=400),
        )
        login = await client.post(f"{API}/auth/login", data={"username": name, "password": password})
        login.raise_for_status()
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        client.cookies.clear()
        accounts.append(Account(client, await new_session(client)))
    await admin.aclose()
    # In small batches: a burst of simultaneous first turns as large as the database pool stalls the
    # server (see docs/reliability.md, bug 5); the load phase is where concurrency is measured.
    first = []
    for batch in range(0, len(accounts), 5):
        first += await asyncio.gather(*(_turn(a, None) for a in accounts[batch : batch + 5]))
    if any(status != "ok" for status, _, _ in first):
        raise RuntimeError(f"setup turns failed: {first}")
    return accounts


async def _turn(account: Account, result: LoadResult | None) -> tuple[str, float, float | None]:
    turn = await send_turn(account.client, account.session_id, "A question under load")
    if turn.status == "ok":
        detail = await account.client.get(f"{API}/sessions/{account.session_id}")
        if detail.status_code == 200:
            account.message_ids = [m["id"] for m in detail.json()["messages"] if m["role"] == "assistant"]
    outcome = (
        turn.status if turn.error is None else f"{turn.status}: {turn.error}",
        turn.total,
        turn.first_text,
    )
    if result is not None:
        result.turns.append(outcome)
    return outcome


def _request(account: Account, name: str, rng: random.Random) -> Awaitable[httpx.Response]:
    c = account.client
    message = (
        rng.choice(account.message_ids) if account.message_ids else "00000000-0000-0000-0000-000000000000"
    )
    calls: dict[str, Callable[[], Awaitable[httpx.Response]]] = {
        "feedback.put": lambda: c.put(
            f"{API}/messages/{message}/feedback",
            json={"rating": rng.choice(["up", "down"]), "comment": f"load {rng.random():.6f}"},
        ),
        "feedback.get": lambda: c.get(f"{API}/messages/{message}/feedback"),
        "sessions.list": lambda: c.get(f"{API}/sessions"),
        "scenarios.list": lambda: c.get(f"{API}/scenarios"),
        "skills.list": lambda: c.get(f"{API}/skills"),
        "session.detail": lambda: c.get(f"{API}/sessions/{account.session_id}"),
        "stats": lambda: c.get(f"{API}/sessions/stats"),
    }
    return calls[name]()


async def _api_client(account: Account, result: LoadResult, until: float, think: float, seed: int) -> None:
    rng = random.Random(seed)
    names, weights = list(MIX), list(MIX.values())
    while time.monotonic() < until:
        name = rng.choices(names, weights)[0]
        started = time.perf_counter()
        try:
            response = await _request(account, name, rng)
        except httpx.HTTPError as exc:
            result.failures.append(f"{name}: {type(exc).__name__}: {exc}")
            continue
        result.samples.append((name, response.status_code, time.perf_counter() - started))
        if response.status_code >= 500 or LOCKED in response.text:
            result.failures.append(f"{name}: {response.status_code} {response.text[:200]}")
        if think:
            await asyncio.sleep(rng.uniform(0, 2 * think))


async def _stream_loop(account: Account, result: LoadResult, until: float) -> None:
    while time.monotonic() < until:
        status, _, _ = await _turn(account, result)
        if status != "ok":
            await asyncio.sleep(1.0)  # like a person reading the error; a fast failure must not spin


async def run_load(
    p: Platform,
    *,
    clients: int,
    streams: int,
    duration: float,
    think: float = 0.0,
    on_tick: Callable[[LoadResult], Awaitable[None]] | None = None,
    tick: float = 10.0,
) -> LoadResult:
    """Run the mix for `duration` seconds against a started platform and collect every figure."""
    accounts = await make_accounts(p, max(streams, 1))
    result = LoadResult(clients=clients, streams=streams)
    started = time.monotonic()
    until = started + duration
    tasks = [
        asyncio.create_task(_api_client(accounts[i % len(accounts)], result, until, think, seed=i))
        for i in range(clients)
    ]
    tasks += [asyncio.create_task(_stream_loop(accounts[i], result, until)) for i in range(streams)]
    if on_tick is not None:
        while time.monotonic() < until:
            await asyncio.sleep(min(tick, max(0.0, until - time.monotonic())))
            await on_tick(result)
    await asyncio.gather(*tasks)
    result.duration = time.monotonic() - started
    for account in accounts:
        await account.client.aclose()
    log = (p.root / "server.out").read_text(errors="replace") if (p.root / "server.out").exists() else ""
    result.locked_in_log = log.count(LOCKED)
    result.tracebacks_in_log = log.count("Traceback (most recent call last)")
    return result


# --- docs/reliability.md -------------------------------------------------------------------------------------


def write_section(name: str, body: str) -> None:
    """Replace (or append) the section between `<!-- reliability:NAME:start/end -->` in docs/reliability.md."""
    start, end = f"<!-- reliability:{name}:start -->", f"<!-- reliability:{name}:end -->"
    replace_marked_section(DOC, start, end, body, new_doc="# Reliability\n")
    print(f"\nWrote the {name} section of {Path(DOC).relative_to(REPO)}")
