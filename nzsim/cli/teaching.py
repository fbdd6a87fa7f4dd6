"""``nzsim dashboard`` and ``nzsim classroom``: the teaching dashboard's server, and a class's
bundles run side by side (the classroom's logic is :mod:`nzsim.teaching.classroom`)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from ..teaching import CLASSROOM_REPS
from .common import UsageError, positive, seed


#: Where the dashboard listens unless --host says otherwise (this machine only).
DEFAULT_HOST = "127.0.0.1"


DEFAULT_PORT = 8765


#: How long the dashboard server may take to start answering.
START_TIMEOUT_S = 120.0


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, got {value}")
    return value


def free_port(host: str, port: int) -> int:
    """``port`` if it can be listened on (a free one when ``port`` is 0); a UsageError if not."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError as err:
            raise UsageError(f"--port {port}: expected a free port on {host}, but it cannot be used "
                             f"({err.strerror or err}); try another, or --port 0 for any free one") from None
        return s.getsockname()[1]


def _answers(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def server_environment(scenarios: Path) -> dict[str, str]:
    """The dashboard server's environment: the scenario library, and nothing fetched or sent
    over the network (Solara's usage statistics are off)."""
    return {
        **os.environ,
        "NZSIM_SCENARIOS": str(scenarios.resolve()),
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        # served over plain http on this computer, so Solara's advice about https cookies does not apply
        "PYTHONWARNINGS": "ignore:Cookies with samesite",
    }


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Start the teaching dashboard and print its address: open it in a web browser.

    The dashboard (Solara, over the Mesa model) has a scenario picker that fills the controls,
    every event's signals and the situation as controls (a change waits, marked, until Reset),
    Step, Play and Reset, downloads of the run as a scenario file and CSV, live plots, the run's
    events in plain English, and a panel that runs a few hundred replications of the current settings to
    show that one run is one draw. Stop it with Ctrl+C.
    """
    from ..scenario import scenario_files
    from ..teaching.browser_files import browser_files_folder, missing_browser_packages

    folder: Path = args.scenarios
    if not folder.is_dir():
        raise UsageError(f"--scenarios {folder}: expected a folder of scenario files, but there is no such folder")
    if not scenario_files(folder)[0]:
        raise UsageError(f"--scenarios {folder}: expected a folder of scenario files (*.yaml, *.yml), but it has none")
    missing = missing_browser_packages()
    if missing:  # never fetched here: nothing downloads at run time
        raise UsageError(
            f"the dashboard's browser files are missing from {browser_files_folder()} ({', '.join(missing)}); "
            f"put them in place with: bash scripts/setup.sh (it needs npm and the npm registry)"
        )
    port = free_port(args.host, args.port)
    command = [sys.executable, "-m", "solara", "run", "nzsim.teaching.dashboard:page", "--host", args.host, "--port", str(port),
               "--no-open", "--production", "--log-level", "warning"]
    # Solara's own start-up line would repeat the address before the server answers: only ours is printed.
    # In a process group of its own, so that stopping it stops the processes it starts too (the
    # replications panel's forkserver and workers), which would otherwise hold this command's
    # output open after it ends.
    server = subprocess.Popen(command, env=server_environment(folder), stdout=subprocess.DEVNULL,
                              start_new_session=True)
    # Stopped by a signal (Ctrl+C; SIGTERM from a process manager, a test or `kill`; SIGHUP when the
    # terminal closes, which the server, in a session of its own, no longer gets itself), this
    # command stops its server and the server's processes before it ends, with 128 + the signal.
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _answers(args.host, port):
            if server.poll() is not None:
                print(f"nzsim dashboard: error: the dashboard server stopped (exit status {server.returncode})",
                      file=sys.stderr)
                return 1
            if time.monotonic() > deadline:
                raise UsageError(f"the dashboard server did not answer on port {port} within {START_TIMEOUT_S:.0f} s")
            time.sleep(0.2)
        print(f"nzsim dashboard: open http://{args.host}:{port}/ in your web browser (Ctrl+C stops it)", flush=True)
        return server.wait()
    finally:  # a stop (a signal the program turns into KeyboardInterrupt) is said by nzsim.cli.main, after this
        # Not cut short by a signal (the program ignores all but the first): one that comes while the
        # server is stopped lets the stopping finish, then ends the command.
        came = None
        while True:
            try:
                _stop_group(server)
                break
            except KeyboardInterrupt as stop:
                came = came or stop
        if came is not None:
            raise came


def _stop_group(server: subprocess.Popen) -> None:
    """Stop the server and every process of its group: SIGTERM to the group, up to 10 s for the
    server to end, a moment for the rest, then SIGKILL to whatever of the group is left."""
    try:
        os.killpg(server.pid, signal.SIGTERM)  # the group's id is the server's pid (start_new_session)
    except (ProcessLookupError, PermissionError):
        return  # nothing of the group is left
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    time.sleep(0.5)  # the pool's processes end on the same SIGTERM
    try:
        os.killpg(server.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    server.wait()


def add_commands(sub) -> None:
    """Add ``dashboard`` and ``classroom`` to the ``nzsim`` subcommands."""
    dashboard = sub.add_parser("dashboard", help="start the teaching dashboard in the browser",
                               description=cmd_dashboard.__doc__)
    dashboard.add_argument("--port", type=_port, default=DEFAULT_PORT,
                           help=f"port to listen on (default {DEFAULT_PORT}; 0 picks a free one)")
    dashboard.add_argument("--host", default=DEFAULT_HOST,
                           help=f"address to listen on (default {DEFAULT_HOST}, this computer only)")
    dashboard.add_argument("--scenarios", type=Path, default=Path("scenarios"), metavar="FOLDER",
                           help="the scenario files the picker offers (default: scenarios/ in this folder, the "
                                "project's scenario library when run from the project)")
    dashboard.set_defaults(func=cmd_dashboard)

    classroom = sub.add_parser("classroom", help="run a class's scenario files and compare them",
                               description=cmd_classroom.__doc__)
    classroom.add_argument("folder", metavar="FOLDER", type=Path, help="folder of scenario files (one per team)")
    classroom.add_argument("--reps", type=positive("replications"), default=CLASSROOM_REPS,
                           help=f"replications per file (default {CLASSROOM_REPS})")
    classroom.add_argument("--seed", type=seed, default=0, help="root seed (whole number >= 0; default 0)")
    classroom.add_argument("--workers", type=positive("workers"), help="worker processes (default: CPU count)")
    classroom.add_argument("--out", type=Path, help="new results folder (default: runs/classroom-<folder>-<time>)")
    classroom.set_defaults(func=cmd_classroom)


def cmd_classroom(args: argparse.Namespace) -> int:
    """Run every scenario file in FOLDER (one per student or team) and compare them side by side.

    Each file is a signal bundle that extends a shared base kept in a subfolder (e.g.
    base/class-base.yaml), so only the files directly in FOLDER run. Each bundle's replications
    go to a run folder under --out; the table shows each bundle's mean interoperability, NZ$
    exports lost, probability of trade coercion, mean approval and partners' trust, and whether
    it sits on the tradeoff frontier (no other bundle is at least as good on all five and better
    on one) or which bundles beat it. frontier.png and frontier.csv are written to --out. A bad
    file is reported by name and the others still run (exit status 2 if any was bad).
    """
    from ..teaching.classroom import (
        bundle_warnings, class_title, format_classroom, load_bundles, not_run, run_classroom,
    )

    folder: Path = args.folder
    if not folder.is_dir():
        raise UsageError(f"{folder}: expected a folder of scenario files, but there is no such folder")
    specs, failed, skipped = load_bundles(folder)
    for name in skipped:
        print(f"nzsim classroom: warning: {name} is not run: only files ending in .yaml or .yml are "
              f"(rename it to run it)", file=sys.stderr)
    if not specs and not failed:
        raise UsageError(f"{folder}: expected scenario files (*.yaml or *.yml) directly in the folder, but it has none")
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    out = args.out or Path("runs") / f"classroom-{folder.resolve().name}-{stamp}"
    if out.exists():
        raise UsageError(f"--out {out}: expected a new folder, but it exists")
    workers = args.workers or os.cpu_count() or 1
    for error in failed.values():
        print(f"nzsim classroom: error: {error}", file=sys.stderr)
    for warning in bundle_warnings(specs):
        print(f"nzsim classroom: warning: {warning}", file=sys.stderr)
    if not specs:
        if len(failed) > 1:  # (one file's own line already says it all)
            print(f"nzsim classroom: error: none of the {len(failed)} scenario files in {folder} could be run",
                  file=sys.stderr)
        return 2
    try:
        out.mkdir(parents=True)
    except OSError as err:
        raise UsageError(f"--out {out}: cannot be created ({err.strerror})") from None
    frame, figure = run_classroom(
        specs, out, reps=args.reps, seed=args.seed, workers=workers,
        announce=lambda line: print(line, file=sys.stderr, flush=True),
        title=class_title(folder, len(specs), args.reps),
    )
    sys.stdout.write(format_classroom(frame, args.reps, args.seed))
    print(f"\nresults in {out}" + (f" (figure {figure})" if figure else ""))
    if failed or skipped:  # said again at the end, where the class reads the table
        print(not_run(failed, skipped))
    return 2 if failed else 0
