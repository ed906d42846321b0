"""Follow-up first token and memory of a warm Bash session, for the shell sandbox of the tree given.

    python bench/sandbox_ttft.py [--aigc-root backend] [--turns 20] [--json]

Runs the agent runtime in this process against the scripted model. A first turn runs one Bash command
(so the sandbox is set up), then `--turns` follow-up turns answer with text only; the time from sending
each to its first text delta is reported, with the RSS/PSS of the agent CLI and everything below it and
the `socat` processes among them. `--aigc-root` points at another checkout's `backend` folder (e.g. one
exported with `git archive <commit> backend/aigc`) to measure an older sandbox in the same conditions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import Memory, descendants, memory_of, process_name

BACKEND = Path(__file__).resolve().parents[1] / "backend"
REPLY = "Benchmark reply: the first token, then a few more words."


async def measure(turns: int) -> dict[str, Any]:
    from aigc.agent import AgentRuntime, RuntimeConfig, TurnRequest
    from aigc.mock_model.testing import MockModelServer

    with tempfile.TemporaryDirectory(prefix="sandbox-bench-") as tmp, MockModelServer() as model:
        root = Path(tmp)
        runtime = AgentRuntime(
            RuntimeConfig(data_dir=root / "data", api_key="sk-bench", base_url=model.url, max_retries=0)
        )
        cwd = root / "work" / "s1"
        base = TurnRequest(session_key="s1", cwd=cwd, prompt="", model="claude-sonnet-4-5")
        tools = ["Read", "Write", "Bash"]
        bash = {
            "tool_use": {"name": "Bash", "input": {"command": "echo warm > warm.txt", "description": "warm"}}
        }
        model.set_script([{"user": "warm up", "steps": [bash, REPLY]}, {"user": "follow", "steps": [REPLY]}])
        try:
            first = [e async for e in runtime.run_turn(_with(base, "warm up", tools))]
            assert (cwd / "warm.txt").read_text() == "warm\n", [e.to_dict() for e in first]
            ttft: list[float] = []
            for n in range(turns):
                started = time.perf_counter()
                seen = None
                async for event in runtime.run_turn(_with(base, f"follow {n}", tools)):
                    if seen is None and event.type == "text_delta":
                        seen = (time.perf_counter() - started) * 1000
                assert seen is not None, "no text in a follow-up turn"
                ttft.append(seen)
            cli = runtime.cli_pids()["s1"]
            tree = [cli, *descendants(cli)]
            total = Memory()
            for pid in tree:
                total = total + memory_of(pid)
            names = [process_name(pid) for pid in tree]
        finally:
            await runtime.shutdown()
    return {
        "turns": turns,
        "ttft_ms_median": round(statistics.median(ttft), 1),
        "ttft_ms_min": round(min(ttft), 1),
        "ttft_ms_p90": round(sorted(ttft)[int(len(ttft) * 0.9) - 1], 1),
        "agent_tree": names,
        "agent_rss_mib": round(total.rss_kib / 1024, 1),
        "agent_pss_mib": round(total.pss_kib / 1024, 1),
    }


def _with(base: Any, prompt: str, tools: list[str]) -> Any:
    from dataclasses import replace

    return replace(base, prompt=prompt, tools=tools)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aigc-root", type=Path, default=BACKEND, help="the backend folder holding `aigc`")
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    sys.path.insert(0, str(args.aigc_root.resolve()))
    result = asyncio.run(measure(args.turns))
    result["aigc_root"] = str(args.aigc_root)
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
