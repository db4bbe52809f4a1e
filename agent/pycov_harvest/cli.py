"""`python -m pycov_harvest flush|context|status|pack` inside a target (docs/protocol.md)."""

from __future__ import annotations

import argparse
import json
import sys

from pycov_harvest import contexts, fanout, files, pack, registry
from pycov_harvest.messages import check_context_name
from pycov_harvest.settings import data_dir_from_env, read_settings


def _timeout(text: str) -> float:
    try:
        return fanout.check_timeout(text)
    except (TypeError, ValueError, OverflowError):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds above 0 and at most {fanout.MAX_TIMEOUT:g}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pycov_harvest")
    parser.add_argument("--data-dir", default=None, help="default: $PYCOV_HARVEST_DATA_DIR or /coverdata")
    commands = parser.add_subparsers(dest="command", required=True)
    flush = commands.add_parser("flush", help="make every agent process of this host save, and wait for the acks")
    flush.add_argument("--timeout", type=_timeout, default=5.0, help="seconds to wait for the acks (default 5)")
    flush.add_argument("--reset", action="store_true", help="after saving, start a clean slate")
    flush.add_argument("--data-dir", default=argparse.SUPPRESS)
    context = commands.add_parser(
        "context", help="every agent process of this host saves, then measures on under NAME ('' for none)"
    )
    context.add_argument("name", metavar="NAME", help="the context to measure under from now on; '' for none")
    context.add_argument("--timeout", type=_timeout, default=5.0, help="seconds to wait for the acks (default 5)")
    context.add_argument("--data-dir", default=argparse.SUPPRESS)
    status = commands.add_parser("status", help="the registered processes as JSON")
    status.add_argument("--data-dir", default=argparse.SUPPRESS)
    pack_cmd = commands.add_parser("pack", help="the data files as a tar stream on stdout")
    pack_cmd.add_argument("--data-dir", default=argparse.SUPPRESS)
    return parser


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    data_dir = args.data_dir or data_dir_from_env()
    settings = read_settings()
    if args.command == "flush":
        if not registry.live_processes(data_dir, files.host_name(), settings.token):
            print(json.dumps({"seq": None, "ok": False, "reset": args.reset, "elapsed_ms": 0.0, "acks": [],
                              "missing": [], "error": f"no agent process is registered in {data_dir}"}))
            return 2
        result = fanout.flush(data_dir, reset=args.reset, timeout=args.timeout, trigger="cli",
                              token=settings.token, save_signal=settings.save_signal)
        print(json.dumps(result))
        return 0 if result["ok"] else 1
    if args.command == "context":
        return _context(args, data_dir, settings)
    if args.command == "status":
        print(json.dumps(fanout.status(data_dir, settings.token)))
        return 0
    if args.command == "pack":
        out = sys.stdout.buffer
        pack.write_tar(data_dir, out)
        out.flush()
        return 0
    return 2


def _context(args, data_dir: str, settings) -> int:
    try:
        name = check_context_name(args.name)
    except ValueError as e:
        print(json.dumps({"seq": None, "ok": False, "context": args.name, "error": str(e)}))
        return 2
    if not registry.live_processes(data_dir, files.host_name(), settings.token):
        print(json.dumps({"seq": None, "ok": False, "context": name, "elapsed_ms": 0.0, "acks": [],
                          "missing": [], "error": f"no agent process is registered in {data_dir}"}))
        return 2
    result = contexts.switch(data_dir, name, timeout=args.timeout, trigger="cli", token=settings.token,
                             save_signal=settings.save_signal)
    print(json.dumps(result))
    return 0 if result["ok"] else 1
