"""The scale-out topology as real processes: N `aigc serve`, M `aigc worker`, a private Redis, the scripted model.

Used by the scale-out tests (backend/tests/scaleout) and benchmarks. Everything runs on loopback and is
stopped on exit. Redis is a `redis-server` of its own on a free port (streams in db 0, the Celery broker in
db 1), so a test may stop it without touching the machine's shared Redis. The database is a SQLite file,
or with `database_url` a PostgreSQL database created for the topology and dropped afterwards. Each worker
has a data folder of its own, as on separate machines: stored files go to an S3 server (moto), transcripts
to the database (the SDK's SessionStore), so the CLI's files on one worker do not help another. The work
folder path is the same for all (a deployment's setting); tests/sessions/test_workspace.py covers a
worker whose folder lacks the session's files.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
from common import AIGC, API, BENCH_USER, Platform, _stop_process, free_port

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class ScaledPlatform(Platform):
    """Use as `with ScaledPlatform(web=2, workers=2) as p:`; `p.urls` are the web replicas."""

    def __init__(
        self,
        *,
        web: int = 2,
        workers: int = 2,
        worker_concurrency: int = 4,
        heartbeat_seconds: float = 0.5,
        database_url: str | None = None,
        broker: str = "redis",
        separate_broker: bool = False,
        **kwargs: Any,
    ) -> None:
        self.web_count = web
        self.worker_count = workers
        self.worker_concurrency = worker_concurrency
        self.heartbeat_seconds = heartbeat_seconds
        self.admin_database_url = database_url
        self.broker = broker
        self.redis_port = free_port()
        # The broker: db 1 of the same redis-server, or with `separate_broker` a second one (stoppable alone).
        self.separate_broker = separate_broker
        self.broker_port = free_port() if separate_broker else self.redis_port
        self.broker_redis: subprocess.Popen[bytes] | None = None
        self.s3_port = free_port()
        self.s3: subprocess.Popen[bytes] | None = None
        self.web_ports = [free_port() for _ in range(web)]
        self.redis: subprocess.Popen[bytes] | None = None
        self.webs: list[subprocess.Popen[bytes] | None] = [None] * web
        self.workers: list[subprocess.Popen[bytes] | None] = [None] * workers
        self.worker_metrics_ports = [free_port() for _ in range(workers)]
        self.database_name = f"aigc_scale_{secrets.token_hex(4)}"
        super().__init__(**kwargs)
        self.url = self.urls[0]

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.web_ports]

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def _environment(self) -> dict[str, str]:
        env = super()._environment()
        broker = (
            f"redis://127.0.0.1:{self.broker_port}/1"
            if self.broker == "redis"
            else "amqp://guest:guest@127.0.0.1:5672//"
        )
        env.update(
            {
                "REDIS_URL": self.redis_url,
                "BROKER_URL": broker,
                # Unique per topology: queue names derive from it, so a shared RabbitMQ keeps runs apart.
                "REDIS_KEY_PREFIX": f"aigc-{secrets.token_hex(3)}:",
                "WORKER_HEARTBEAT_SECONDS": str(self.heartbeat_seconds),
                "SCHEDULER_ENABLED": "false",
                # The test suite's short stall limit (4 s) would end turns on a loaded machine.
                "AGENT_STALL_TIMEOUT_SECONDS": "30",
                "MINIO_ENDPOINT": f"127.0.0.1:{self.s3_port}",
                "MINIO_ACCESS_KEY": "test-access",
                "MINIO_SECRET_KEY": "test-secret",
                "MINIO_BUCKET": f"aigc-scale-{secrets.token_hex(4)}",
            }
        )
        if self.admin_database_url:
            base = self.admin_database_url.rsplit("/", 1)[0]
            env["DATABASE_URL"] = f"{base}/{self.database_name}"
        return env

    # --- processes
    def start(self) -> None:
        self._create_database()
        self.start_redis()
        self._start_s3()
        self._run("db", "upgrade")
        self._run("create-admin", "--username", BENCH_USER, "--password", self.password)
        self._start_mock()
        for index in range(self.worker_count):
            self.start_worker(index)
        for index in range(self.web_count):
            self.start_web(index)
        self.wait_for_workers(self.worker_count)

    def _start_mock(self) -> None:
        self._spawn_mock()
        assert self.mock is not None
        self._wait_ready(f"{self.mock_url}/_mock/health", self.mock)

    def _start_s3(self) -> None:
        moto = Path(AIGC).with_name("moto_server")
        self.s3 = subprocess.Popen(
            [str(moto), "-H", "127.0.0.1", "-p", str(self.s3_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._wait_port(self.s3_port)

    def _wait_port(self, port: int) -> None:
        import socket

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
            time.sleep(0.05)
        raise RuntimeError(f"nothing listens on port {port}")

    def start_redis(self) -> None:
        self.redis = self._redis_server(self.redis_port)
        if self.separate_broker and self.broker_redis is None:
            self.start_broker()

    def start_broker(self) -> None:
        self.broker_redis = self._redis_server(self.broker_port)

    def stop_broker(self) -> None:
        if self.broker_redis is not None:
            _stop_process(self.broker_redis, grace=5)
            self.broker_redis = None

    def _redis_server(self, port: int) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._wait_port(port)
        return proc

    def stop_redis(self) -> None:
        if self.redis is not None:
            _stop_process(self.redis, grace=5)
            self.redis = None

    def start_worker(self, index: int) -> None:
        env = dict(
            self.env,
            # One WORK_DIR path for every worker, as every machine of a deployment has the same setting
            # (the transcript store's keys derive from it); DATA_DIR, where the CLI keeps its own copy
            # of each transcript, is the worker's own.
            WORK_DIR=str(self.root / "work_workers"),
            DATA_DIR=str(self.root / f"data_worker{index}"),
            WORKER_METRICS_PORT=str(self.worker_metrics_ports[index]),
        )
        log = open(self.root / f"worker{index}.out", "ab")
        self.workers[index] = subprocess.Popen(
            [str(AIGC), "worker", "--concurrency", str(self.worker_concurrency)],
            env=env,
            cwd=self.root,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_web(self, index: int) -> None:
        env = dict(
            self.env,
            WORK_DIR=str(self.root / f"work_web{index}"),
            DATA_DIR=str(self.root / f"data_web{index}"),
        )
        log = open(self.root / f"web{index}.out", "ab")
        proc = subprocess.Popen(
            [str(AIGC), "serve", "--port", str(self.web_ports[index])],
            env=env,
            cwd=self.root,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.webs[index] = proc
        self._wait_ready(f"{self.urls[index]}{API}/health", proc, require_ok=False)

    def _wait_ready(
        self, url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0, require_ok: bool = True
    ) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{url} exited with {proc.returncode}\n{self.tail_all()}")
            with contextlib.suppress(httpx.HTTPError):
                status = httpx.get(url, timeout=2).status_code
                if status == 200 or (not require_ok and status in (200, 503)):
                    return
            time.sleep(0.1)
        raise RuntimeError(f"{url} did not answer within {timeout:.0f} s\n{self.tail_all()}")

    def wait_for_workers(self, count: int, timeout: float = 60.0) -> None:
        """Until the first web replica's health counts `count` live workers."""
        deadline = time.monotonic() + timeout
        expected = f"ok: {count} worker(s)"
        last = ""
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                last = httpx.get(f"{self.url}{API}/health", timeout=5).json().get("turns", "")
                if last == expected:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"workers not ready ({last!r})\n{self.tail_all()}")

    def kill_worker(self, index: int, sig: int = signal.SIGKILL) -> None:
        proc = self.workers[index]
        assert proc is not None
        if sig == signal.SIGKILL:
            from common import descendants

            below = descendants(proc.pid)
            proc.kill()
            proc.wait(10)
            for pid in below:  # a machine that died takes its agents with it
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    import os

                    os.kill(pid, signal.SIGKILL)
        else:
            proc.send_signal(sig)
        self.workers[index] = proc if sig != signal.SIGKILL else None

    def kill_web(self, index: int) -> None:
        proc = self.webs[index]
        assert proc is not None
        proc.kill()
        proc.wait(10)
        self.webs[index] = None

    def tail_all(self, lines: int = 25) -> str:
        parts = []
        for path in sorted(self.root.glob("*.out")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(parts)

    def stop(self) -> None:
        for proc in [*self.webs, *self.workers]:
            if proc is not None:
                _stop_process(proc, grace=20)
        for helper in (self.mock, self.s3):
            if helper is not None:
                _stop_process(helper, grace=5)
        self.stop_redis()
        self.stop_broker()
        self._drop_database()
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)
        with contextlib.suppress(AttributeError, ValueError):
            signal.signal(signal.SIGTERM, self._old_sigterm)

    # --- PostgreSQL database of its own
    def _psql(self, sql: str) -> None:
        assert self.admin_database_url
        # postgresql+asyncpg://user@host:port/db -> psql URL
        url = self.admin_database_url.replace("postgresql+asyncpg://", "postgresql://")
        subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, capture_output=True)

    def _create_database(self) -> None:
        if self.admin_database_url:
            self._psql(f'CREATE DATABASE "{self.database_name}"')

    def _drop_database(self) -> None:
        if self.admin_database_url:
            with contextlib.suppress(subprocess.CalledProcessError):
                self._psql(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')


def worker_log(p: ScaledPlatform, index: int) -> str:
    path: Path = p.root / f"worker{index}.out"
    return path.read_text(errors="replace") if path.exists() else ""
