"""`python -m aigc.mock_model [--host H] [--port P] [--script FILE]`."""

from __future__ import annotations

import argparse

from aigc.mock_model import serve


def main() -> None:
    """Parse arguments and serve."""
    parser = argparse.ArgumentParser(prog="python -m aigc.mock_model", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--script", default=None, help="JSON file with the rules")
    args = parser.parse_args()
    serve(args.host, args.port, args.script)


if __name__ == "__main__":
    main()
