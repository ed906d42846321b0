"""Scripted Anthropic-compatible model server for the tests and the offline demo."""

from __future__ import annotations

from aigc.mock_model.app import create_app, default_script
from aigc.mock_model.scripts import Rule, Script, Step, ToolUse
from aigc.mock_model.testing import MockModelServer

__all__ = ["MockModelServer", "Rule", "Script", "Step", "ToolUse", "create_app", "default_script", "serve"]

# Small pauses between streamed chunks make the offline demo visibly stream, like a real model.
DEMO_CHUNK_DELAY = 0.03


def serve(host: str, port: int, script_path: str | None) -> None:
    """Run the scripted model with uvicorn until interrupted."""
    import uvicorn

    script = Script.load(script_path) if script_path else None
    uvicorn.run(create_app(script, chunk_delay=DEMO_CHUNK_DELAY), host=host, port=port, lifespan="off")
