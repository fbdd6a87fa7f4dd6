"""The teaching commands of ``nzsim``: ``dashboard`` and ``classroom``.

``nzsim.cli.build_parser`` calls :func:`add_commands`; user mistakes raise ``nzsim.cli.UsageError``
(one line on stderr, exit status 2).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Mapping

from .scenario import scenario_files

#: The scenario library the dashboard offers by default.
LIBRARY_DIR = Path(__file__).resolve().parent.parent / "scenarios"
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
    from .cli import UsageError

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


#: The browser files Solara's page loads from its asset folder (``/_solara/cdn/``), as npm
#: packages. Solara fetches a missing one from a public CDN when the browser first asks for it;
#: :func:`install_browser_files` puts them there beforehand with npm, so the dashboard runs
#: without reaching the internet.
BROWSER_PACKAGES = ("@widgetti/solara-vuetify3-app@5.2.0", "requirejs@2.3.6", "font-awesome@4.5.0",
                    "@widgetti/vue-grid-layout@2.3.13-alpha.2", "mermaid@10.8.0", "katex@0.16.9")
#: A file of each package that the page loads, to tell whether the package is in place.
_BROWSER_MARKERS = {
    "@widgetti/solara-vuetify3-app@5.2.0": "dist/solara-vuetify-app8.min.js",
    "requirejs@2.3.6": "require.js",
    "font-awesome@4.5.0": "css/font-awesome.min.css",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2": "dist/vue-grid-layout.umd.js",
    "mermaid@10.8.0": "dist/mermaid.min.js",
    "katex@0.16.9": "dist/katex.min.css",
}


def browser_files_folder() -> Path:
    """Solara's asset folder (its CDN cache): ``<environment>/share/solara/cdn``."""
    return Path(sys.prefix) / "share" / "solara" / "cdn"


def missing_browser_packages(folder: Path | None = None) -> list[str]:
    folder = folder or browser_files_folder()
    return [p for p in BROWSER_PACKAGES if not (folder / p / _BROWSER_MARKERS[p]).is_file()]


def install_browser_files(folder: Path | None = None) -> list[str]:
    """Put the packages of :data:`BROWSER_PACKAGES` that are missing into Solara's asset folder,
    fetched with npm from its registry. Returns what is still missing (npm absent or failing)."""
    import shutil
    import tarfile
    import tempfile

    folder = folder or browser_files_folder()
    missing = missing_browser_packages(folder)
    npm = shutil.which("npm")
    if not missing or npm is None:
        return missing
    with tempfile.TemporaryDirectory() as tmp:
        for package in missing:
            done = subprocess.run([npm, "pack", package, "--silent"], cwd=tmp, capture_output=True, text=True,
                                  timeout=600, stdin=subprocess.DEVNULL)
            names = done.stdout.split()
            if done.returncode != 0 or not names:
                continue
            target = folder / package
            staging = Path(tempfile.mkdtemp(dir=tmp))
            with tarfile.open(Path(tmp) / names[-1]) as archive:
                archive.extractall(staging, filter="data")
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                shutil.rmtree(target)
            shutil.move(str(staging / "package"), target)
    return missing_browser_packages(folder)


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Start the teaching dashboard and print its address: open it in a web browser.

    The dashboard (Mesa's SolaraViz) has a scenario picker that fills the controls, the summit
    signals and the context as controls, Step, Play and Reset, live plots, the run's events in
    plain English, and a panel that runs a few hundred replications of the current settings to
    show that one run is one draw. Stop it with Ctrl+C.
    """
    from .cli import UsageError

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
    command = [sys.executable, "-m", "solara", "run", "nzsim.app:page", "--host", args.host, "--port", str(port),
               "--no-open", "--production", "--log-level", "warning"]
    # Solara's own start-up line would repeat the address before the server answers: only ours is printed.
    # In a process group of its own, so that stopping it stops the processes it starts too (the
    # replications panel's forkserver and workers), which would otherwise hold this command's
    # output open after it ends.
    server = subprocess.Popen(command, env=server_environment(folder), stdout=subprocess.DEVNULL,
                              start_new_session=True)
    # Stopped with SIGTERM (by a process manager, a test, `kill`), this command must stop its server
    # too, not leave it running on its own: the handler turns SIGTERM into an exit through `finally`.
    # SIGHUP too (the terminal closed, the SSH link dropped): the server, in a session of its own,
    # no longer gets the terminal's signals itself.
    previous = {sig: signal.signal(sig, _exit_on_sigterm) for sig in (signal.SIGTERM, signal.SIGHUP)}
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
    except KeyboardInterrupt:
        return 0
    finally:
        previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl+C must not cut this short
        try:
            _stop_group(server)
        finally:
            signal.signal(signal.SIGINT, previous_int)
            for sig, handler in previous.items():
                signal.signal(sig, handler)


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


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)


def add_commands(sub) -> None:
    """Add ``dashboard`` and ``classroom`` to the ``nzsim`` subcommands."""
    dashboard = sub.add_parser("dashboard", help="start the teaching dashboard in the browser",
                               description=cmd_dashboard.__doc__)
    dashboard.add_argument("--port", type=_port, default=DEFAULT_PORT,
                           help=f"port to listen on (default {DEFAULT_PORT}; 0 picks a free one)")
    dashboard.add_argument("--host", default=DEFAULT_HOST,
                           help=f"address to listen on (default {DEFAULT_HOST}, this computer only)")
    dashboard.add_argument("--scenarios", type=Path, default=LIBRARY_DIR, metavar="FOLDER",
                           help="the scenario files the picker offers (default: the project's scenarios/)")
    dashboard.set_defaults(func=cmd_dashboard)

    from .cli import _positive, _seed

    classroom = sub.add_parser("classroom", help="run a class's scenario files and compare them",
                               description=cmd_classroom.__doc__)
    classroom.add_argument("folder", metavar="FOLDER", type=Path, help="folder of scenario files (one per team)")
    classroom.add_argument("--reps", type=_positive("replications"), default=CLASSROOM_REPS,
                           help=f"replications per file (default {CLASSROOM_REPS})")
    classroom.add_argument("--seed", type=_seed, default=0, help="root seed (whole number >= 0; default 0)")
    classroom.add_argument("--workers", type=_positive("workers"), help="worker processes (default: CPU count)")
    classroom.add_argument("--out", type=Path, help="new results folder (default: runs/classroom-<folder>-<time>)")
    classroom.set_defaults(func=cmd_classroom)


# --------------------------------------------------------------------------------------
# Classroom mode
# --------------------------------------------------------------------------------------

#: The objectives a class weighs its bundles on, and which way is better.
CLASSROOM_OBJECTIVES = {
    "final_interoperability": "max",
    "exports_lost_nzd_m": "min",
    "trade_coercion": "min",
    "mean_approval": "max",
    "trust_mean": "max",
}
#: Column headings of the printed table.
_HEADINGS = {
    "final_interoperability": "interop",
    "exports_lost_nzd_m": "lost NZ$m",
    "trade_coercion": "P(coercion)",
    "mean_approval": "approval",
    "trust_mean": "trust",
}
CLASSROOM_REPS = 200


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
    import datetime as dt

    from . import analysis, plotting
    from . import scenario as scenario_mod
    from .cli import UsageError
    from .ensemble import run_ensemble
    from .scenario import ScenarioError

    folder: Path = args.folder
    if not folder.is_dir():
        raise UsageError(f"{folder}: expected a folder of scenario files, but there is no such folder")
    files, skipped = scenario_files(folder)
    for name in skipped:
        print(f"nzsim classroom: warning: {name} is not run: only files ending in .yaml or .yml are "
              f"(rename it to run it)", file=sys.stderr)
    if not files:
        raise UsageError(f"{folder}: expected scenario files (*.yaml or *.yml) directly in the folder, but it has none")
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    out = args.out or Path("runs") / f"classroom-{folder.resolve().name}-{stamp}"
    if out.exists():
        raise UsageError(f"--out {out}: expected a new folder, but it exists")
    workers = args.workers or os.cpu_count() or 1
    specs, failed = {}, {}
    for path in files:  # every file is checked before anything runs
        try:
            specs[path] = scenario_mod.load(path)
        except ScenarioError as err:
            print(f"nzsim classroom: error: {err}", file=sys.stderr)
            failed[path.name] = str(err)
    for warning in bundle_warnings(specs):
        print(f"nzsim classroom: warning: {warning}", file=sys.stderr)
    if not specs:
        print(f"nzsim classroom: error: no scenario file in {folder} could be run", file=sys.stderr)
        return 2
    try:
        out.mkdir(parents=True)
    except OSError as err:
        raise UsageError(f"--out {out}: cannot be created ({err.strerror})") from None
    runs = {}
    for path, spec in specs.items():
        label = path.stem  # the file's name: unique in the folder, and what the team knows it by
        print(f"running {label} ({path.name}): {args.reps} replications", file=sys.stderr, flush=True)
        runs[label] = run_ensemble(spec, reps=args.reps, seed=args.seed, workers=workers, out=out / label,
                                   describe=False, scenario_file=path)
    frame = analysis.tradeoff_frontier(runs, CLASSROOM_OBJECTIVES)
    frame.to_csv(out / "frontier.csv", index=False)
    figure = None
    if len(frame) > 1:
        figure = plotting.frontier(frame, out / "frontier.png", CLASSROOM_OBJECTIVES,
                                   title=f"The class in {folder.name}: {len(frame)} bundles, {args.reps} runs each")
    sys.stdout.write(format_classroom(frame, args.reps, args.seed))
    print(f"\nresults in {out}" + (f" (figure {figure})" if figure else ""))
    if failed or skipped:  # said again at the end, where the class reads the table
        print(not_run(failed, skipped))
    return 2 if failed else 0


def not_run(failed: Mapping[str, str], skipped: list[str]) -> str:
    """The closing note on the files left out of the table."""
    count = len(failed) + len(skipped)
    lines = [f"{count} file{'s' if count != 1 else ''} in the folder did not run (not in the table):"]
    lines += [f"  {error}" if error.startswith(name) or f"/{name}:" in error else f"  {name}: {error}"
              for name, error in failed.items()]
    lines += [f"  {name}: not a .yaml or .yml file" for name in skipped]
    return "\n".join(lines)


def bundle_warnings(specs: Mapping[Path, Any]) -> list[str]:
    """What makes a bundle not a fair comparison with the others: it does not extend the base
    most files extend, it changes the context (the situation, not the signals), or it holds
    lever cells (each cell is compared as a bundle of its own)."""
    import yaml

    extends: dict[Path, str | None] = {}
    for path in specs:
        try:
            raw = yaml.safe_load(path.read_text()) or {}
        except (OSError, yaml.YAMLError):
            raw = {}
        target = raw.get("extends") if isinstance(raw, dict) else None
        extends[path] = str((path.parent / target).resolve()) if isinstance(target, str) else None
    bases = [b for b in extends.values() if b is not None]
    shared = max(set(bases), key=bases.count) if bases else None
    contexts = [spec.context.model_dump() for spec in specs.values()]
    warnings = []
    base = _base_events(shared)
    for (path, spec), context in zip(specs.items(), contexts):
        if extends[path] != shared:
            what = "does not extend a base" if extends[path] is None else f"extends {Path(extends[path]).name}"
            warnings.append(f"{path.name} {what}, not the shared {Path(shared).name if shared else 'base'}: "
                            f"it is compared all the same, but it may differ in more than its signals")
        changed = sorted(k for k in context if sum(c[k] == context[k] for c in contexts) <= len(contexts) // 2)
        if len(contexts) > 2 and changed:
            warnings.append(f"{path.name} changes the situation, not only the signals ({', '.join(changed)})")
        if spec.levers:
            warnings.append(f"{path.name} has levers: each of its cells is compared as a bundle of its own")
        if extends[path] == shared and base:
            removed = [f"{what} ({key})" for key, what in base.items() if key not in spec.events]
            if removed:
                warnings.append(f"{path.name} removes {', '.join(removed)} from the shared base: it is compared "
                                f"all the same, but without {'that event' if len(removed) == 1 else 'those events'}")
    return warnings


def _base_events(path: str | None) -> dict[str, str]:
    """The events of the shared base file, key -> label (none if it does not load)."""
    from .scenario import ScenarioError, load

    if path is None:
        return {}
    try:
        spec = load(Path(path))
    except (ScenarioError, OSError):
        return {}
    kinds = {"nato_summit": "the NATO summit", "election": "the election"}
    return {key: f"{kinds.get(event.kind, 'the event')} '{event.label}'" if event.label
            else kinds.get(event.kind, event.kind.replace("_", " ")) for key, event in spec.events.items()}


def _shown(column: str, value: float) -> str:
    return f"{value:,.1f}" if column == "exports_lost_nzd_m" else f"{value:.3f}"


def format_classroom(frame, reps: int, seed: int) -> str:
    """The bundles side by side, the frontier marked. The verdict is taken on the unrounded means:
    a verdict the rounded numbers shown would not give is starred and the star explained."""
    from .analysis import dominates

    width = max(len("bundle"), *(len(r) for r in frame["run"]))
    head = f"  {'bundle':<{width}}" + "".join(f"  {_HEADINGS[c]:>11}" for c in CLASSROOM_OBJECTIVES) + "  frontier"
    lines = [(f"{len(frame)} bundles, {reps} replications each (root seed {seed}); better is higher for interop, "
              f"approval and trust, lower for lost NZ$m and P(coercion)"), "", head]
    shown = [{c: float(_shown(c, float(v)).replace(",", "")) for c, v in row.items() if c in CLASSROOM_OBJECTIVES}
             for row in frame.to_dict("records")]
    starred = False
    for row, rounded in zip(frame.to_dict("records"), shown):
        cells = [f"{_shown(column, float(row[column])):>11}" for column in CLASSROOM_OBJECTIVES]
        mark = "yes" if row["on_frontier"] else f"no (beaten by {row['dominated_by']})"
        if bool(row["on_frontier"]) != (not any(dominates(other, rounded, CLASSROOM_OBJECTIVES) for other in shown)):
            mark += " *"
            starred = True
        lines.append(f"  {row['run']:<{width}}" + "".join(f"  {c}" for c in cells) + f"  {mark}")
    if starred:
        lines += ["", ("* decided by differences smaller than the digits shown (the frontier compares the "
                       "unrounded means; frontier.csv has them)")]
    return "\n".join(lines) + "\n"


def _setup(argv: list[str] | None = None) -> int:
    """``python -m nzsim.teaching_cli --browser-files-present | --install-browser-files``, for scripts/setup.sh."""
    parser = argparse.ArgumentParser(prog="python -m nzsim.teaching_cli")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--browser-files-present", action="store_true", help="exit 0 if they are all in place")
    group.add_argument("--install-browser-files", action="store_true", help="put the missing ones in place with npm")
    args = parser.parse_args(argv)
    if args.browser_files_present:
        return 0 if not missing_browser_packages() else 1
    still = install_browser_files()
    if still:
        print(f"nzsim setup: could not install {', '.join(still)} with npm", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_setup())
