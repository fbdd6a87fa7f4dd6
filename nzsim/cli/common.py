"""What every command shares: the one-line user error, exit statuses, option types, and how a
command is stopped by a signal (:func:`stop_on_signals`, :func:`say_stopped`; docs/runs.md,
"Stopping a run")."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import shlex
import signal
import sys
import threading
from pathlib import Path

EXIT_USAGE = 2
EXIT_FAILED = 1

#: The signals that stop a command cleanly: Ctrl+C, a process manager's or batch scheduler's
#: SIGTERM, a closed terminal's SIGHUP (where the platform has them).
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class Stopped(KeyboardInterrupt):
    """A command stopped by a signal: a KeyboardInterrupt, so that SIGTERM and SIGHUP take the path
    Ctrl+C takes (the pending chunks cancelled, the workers stopped, the finished chunks kept)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def stop_signal(stop: BaseException) -> int:
    """The signal that stopped a command (SIGINT for a plain KeyboardInterrupt)."""
    return getattr(stop, "signum", signal.SIGINT)


@contextlib.contextmanager
def stop_on_signals(keep_ignoring: bool = False):
    """While in the block, the first SIGINT, SIGTERM or SIGHUP raises :class:`Stopped` in the main
    thread, and every later one is ignored, so that stopping (the workers ended, the run folder
    left resumable) is never cut short by a second signal and its traceback. A signal this
    process was started ignoring (SIGHUP under ``nohup``) stays ignored. The handlers are put back
    afterwards, unless ``keep_ignoring`` and a signal came: the program then ends still ignoring them.
    Yields an event that is set once a signal came. Outside the main thread, where no handler can
    be set, nothing changes (and the event is never set)."""
    stopping = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stopping
        return

    def stop(signum, frame) -> None:
        if stopping.is_set():
            return  # already stopping: let it finish
        stopping.set()
        raise Stopped(signum)

    previous = {}
    for sig in STOP_SIGNALS:
        if signal.getsignal(sig) is not signal.SIG_IGN:
            previous[sig] = signal.signal(sig, stop)
    try:
        yield stopping
    finally:
        for sig, handler in previous.items():
            kept = signal.SIG_IGN if keep_ignoring and stopping.is_set() else handler
            signal.signal(sig, signal.SIG_DFL if kept is None else kept)


def say_stopped(command: str, stop: BaseException, scenario: Path | None = None, folder: Path | None = None) -> int:
    """End a command stopped by a signal: say so in one line (for a run of ``scenario``: the
    replications kept in its folder, the exception's ``run_folder`` or else ``folder``, and the
    command that resumes it) and return the conventional exit status, 128 + the signal's number
    (130 for SIGINT). The command's pools are already stopped; the ``nzsim`` program then stops
    multiprocessing's forkserver too (:func:`nzsim.cli.main`)."""
    signum = stop_signal(stop)
    line = f"nzsim {command}: stopped by {signal.Signals(signum).name}"
    folder = getattr(stop, "run_folder", None) or folder
    if scenario is not None:
        line += _kept(Path(folder), scenario) if folder is not None and Path(folder).is_dir() else " before the run began"
    with contextlib.suppress(OSError):  # a closed terminal (SIGHUP)
        print(line, file=sys.stderr, flush=True)
    return 128 + signum


def _kept(folder: Path, scenario: Path) -> str:
    from ..runs.runfolder import MANIFEST, kept_replications

    kept, total = kept_replications(folder)
    if total is None and not kept and not (folder / MANIFEST).exists():
        return f" before the run began; nothing was kept in {folder} (remove it to start again)"
    of = f" of {total:,}" if total is not None else ""
    return (f"; {kept:,}{of} replications kept in {folder}; resume with: nzsim run {shlex.quote(str(scenario))} "
            f"--resume {shlex.quote(str(folder))}")


class UsageError(ValueError):
    """A user mistake on the command line: one line on stderr, exit status 2."""


def whole(minimum: int, what: str = ""):
    """An argparse type: a whole number of at least ``minimum``."""
    label = f" ({what})" if what else ""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}{label}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}{label}, got {value}")
        return value

    return parse


def positive(what: str):
    return whole(1, what)


seed = whole(0)


def coverage(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a coverage between 0 and 1 such as 0.95, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a coverage between 0 and 1 such as 0.95, got {value}")
    return value


def new_folder(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``... if it exists (two comparisons in the same second)."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def utc_stamp() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
