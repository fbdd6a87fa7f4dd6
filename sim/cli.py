"""The ``nzsim`` command: a thin layer over the library.

Every user mistake (a bad scenario file, a bad option) ends with one line on stderr and exit
status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import scenario as scenario_mod
from .parameters import markdown_table
from .replication import replicate
from .scenario import ScenarioError
from .story import tell
from .version import code_version

EXIT_USAGE = 2


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {value}")
    return value


def cmd_check(args: argparse.Namespace) -> int:
    """Validate scenario files and print each resolved scenario (after ``extends``).

    Prints the canonical YAML of each scenario with its content hash. A bad file is reported
    by name, field and expectation; the others are still checked. Exit status 2 if any failed.
    """
    failed = 0
    for i, path in enumerate(args.scenarios):
        try:
            spec = scenario_mod.load(path)
        except ScenarioError as err:
            print(f"nzsim check: error: {err}", file=sys.stderr)
            failed += 1
            continue
        if args.quiet:
            print(f"ok {path} sha256 {spec.sha256}")
            continue
        if i:
            print("---")
        print(f"# {path}: valid; sha256 {spec.sha256}")
        print(spec.to_yaml(), end="")
    return EXIT_USAGE if failed else 0


def cmd_story(args: argparse.Namespace) -> int:
    """Run one replication and tell its story: dated events in plain English, then the outcomes.

    The same scenario and seed print the same story, byte for byte.
    """
    spec = scenario_mod.load(args.scenario)
    rep = replicate(spec, seed=args.seed)
    sys.stdout.write(tell(spec, rep))
    return 0


def cmd_parameters(args: argparse.Namespace) -> int:
    """Print the parameter table (name, default, unit, range, meaning, source) as Markdown.

    This is what docs/parameters.md holds: ``nzsim parameters > docs/parameters.md``.
    """
    sys.stdout.write(markdown_table())
    return 0


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

    check = sub.add_parser("check", help="validate scenario files", description=cmd_check.__doc__)
    check.add_argument("scenarios", nargs="+", metavar="SCENARIO", type=Path, help="scenario YAML file(s)")
    check.add_argument("-q", "--quiet", action="store_true", help="print one line per valid file, not the scenario")
    check.set_defaults(func=cmd_check)

    story = sub.add_parser("story", help="tell the story of one replication", description=cmd_story.__doc__)
    story.add_argument("scenario", metavar="SCENARIO", type=Path, help="scenario YAML file")
    story.add_argument("--seed", type=_seed, default=0, help="replication seed (whole number >= 0; default 0)")
    story.set_defaults(func=cmd_story)

    table = sub.add_parser("parameters", help="print the parameter table", description=cmd_parameters.__doc__)
    table.set_defaults(func=cmd_parameters)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ScenarioError as err:
        print(f"nzsim {args.command}: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. `nzsim check ... | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("nzsim: interrupted", file=sys.stderr)
        return 130
