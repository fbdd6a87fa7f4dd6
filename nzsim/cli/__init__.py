"""The ``nzsim`` command line: a thin layer over the library, one module per group of commands.

Layer: the top. It may import any of the package; nothing imports it but :mod:`nzsim.program`
(the ``nzsim`` program). Each submodule adds its commands to the parser (``add_commands``) and
imports the library inside its commands, so that ``nzsim --help`` starts fast and a command
loads only what it uses. The submodules import :mod:`~nzsim.cli.common` and never each other.

Every user mistake (a bad scenario file, a bad option) ends with one line on stderr and exit
status 2, never a traceback. SIGINT (Ctrl+C), SIGTERM and SIGHUP stop a command the same way: its
worker processes are stopped, one line says so (for ``nzsim run``, what is kept and how to
resume) and the exit status is 128 + the signal's number (:func:`~nzsim.cli.common.stop_on_signals`).
"""

from __future__ import annotations

import argparse
import sys

from ..version import code_version
from . import explaining, exploring, exporting, results, runs, scenarios, teaching, validation
from .common import EXIT_USAGE, UsageError, say_stopped, stop_on_signals

__all__ = ["EXIT_USAGE", "UsageError", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nzsim",
        description=(
            "Simulate New Zealand's foreign-policy tradeoffs between NATO interoperability, "
            "an independent foreign policy and trade with China."
        ),
    )
    parser.add_argument("--version", action="version", version=code_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for group in (scenarios, runs, results, exploring, explaining, exporting, teaching, validation):
        group.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    program = argv is None  # the ``nzsim`` program, not a call from a program of someone else's
    # The program ends still ignoring the stop signals once one came, so that nothing after this
    # (the forkserver stopped, the interpreter's own clean-up) is cut short; a caller's handlers
    # are put back.
    with stop_on_signals(keep_ignoring=program) as stopping:
        try:
            status = _command(args)
        except KeyboardInterrupt as stop:  # one that came just as the command ended
            status = say_stopped(args.command, stop)
    if program and stopping.is_set():
        # Its pools are stopped; the forkserver that started their workers goes too, rather than
        # outliving the program for a moment. Never from inside another program, whose own pools
        # may share the forkserver.
        from ..runs.executors import stop_forkserver

        stop_forkserver()
    return status


def _command(args: argparse.Namespace) -> int:
    from ..runs.errors import EnsembleError
    from ..scenario.errors import ScenarioError

    try:
        return args.func(args)
    except (ScenarioError, UsageError) as err:
        print(f"nzsim {args.command}: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except EnsembleError as err:
        hint = ""
        if args.command == "run":
            hint = f"; finish the run with: nzsim run {args.scenario} --resume {err.folder}"
        print(f"nzsim {args.command}: error: {err}{hint}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `nzsim check ... | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt as stop:  # Ctrl+C, SIGTERM, SIGHUP
        return say_stopped(args.command, stop)
