"""``nzsim check``, ``nzsim story`` and ``nzsim parameters``: scenario files, one replication
told as a story, and the parameter table."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import EXIT_USAGE, seed


def cmd_check(args: argparse.Namespace) -> int:
    """Validate scenario files and print each resolved scenario (after 'extends').

    Prints the canonical YAML of each scenario with its content hash. A bad file is reported
    by name, field and expectation; the others are still checked. Exit status 2 if any failed.
    """
    from ..scenario import ScenarioError, load

    failed = 0
    for i, path in enumerate(args.scenarios):
        try:
            spec = load(path)
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
    from ..reports.story import tell
    from ..runs.loop import replicate  # the model: loaded by the commands that build one
    from ..scenario import load

    spec = load(args.scenario)
    rep = replicate(spec, seed=args.seed)
    sys.stdout.write(tell(spec, rep))
    return 0


def cmd_parameters(args: argparse.Namespace) -> int:
    """Print the parameter table (name, default, unit, range, meaning, source) as Markdown.

    This is what docs/parameters.md holds: ``nzsim parameters > docs/parameters.md``.
    """
    from ..catalogue.parameters_md import markdown_table

    sys.stdout.write(markdown_table())
    return 0


def add_commands(sub) -> None:
    check = sub.add_parser("check", help="validate scenario files", description=cmd_check.__doc__)
    check.add_argument("scenarios", nargs="+", metavar="SCENARIO", type=Path, help="scenario YAML file(s)")
    check.add_argument("-q", "--quiet", action="store_true", help="print one line per valid file, not the scenario")
    check.set_defaults(func=cmd_check)

    story = sub.add_parser("story", help="tell the story of one replication", description=cmd_story.__doc__)
    story.add_argument("scenario", metavar="SCENARIO", type=Path, help="scenario YAML file")
    story.add_argument("--seed", type=seed, default=0, help="replication seed (whole number >= 0; default 0)")
    story.set_defaults(func=cmd_story)

    table = sub.add_parser("parameters", help="print the parameter table", description=cmd_parameters.__doc__)
    table.set_defaults(func=cmd_parameters)
