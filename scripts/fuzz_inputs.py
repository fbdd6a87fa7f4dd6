"""Fuzz the scenario door: thousands of generated scenario files through the loader, and a
sample through ``nzsim check``, ``nzsim story`` and ``nzsim run --reps 5``; print the counts.

    .venv/bin/python scripts/fuzz_inputs.py [--files 5000] [--sample 30] [--seed 0]

Counted: tracebacks (any exception other than ScenarioError, or a traceback on stderr), hangs
(over 20 s a file in the loader, 300 s a command), memory over 500 MB (the loader's peak per
file, traced; a command's peak resident size), exit statuses other than 0 or 2, and messages
over 300 characters (after the file's path), on more than one line or not beginning with the
file's path. Every count should be zero; the result is recorded in scripts/fuzz_inputs.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
MB = 1e6

VALID = {
    "name": "fuzz",
    "description": "A scenario to fuzz.",
    "references": ["Capie 2023"],
    "start": "2023-01-02",
    "horizon_weeks": 8,
    "context": {"governing_bloc": "labour", "china_export_share": 0.28, "goods_exports_nzd_bn": 70, "voters": 200},
    "events": {"vilnius": {"kind": "nato_summit", "date": "2023-01-20", "signals": {"attendance": "leader"}}},
    "uncertainties": {"china.trade_threshold": {"dist": "choice", "values": [3, 4], "weights": [1, 1]}},
    "levers": {"events.vilnius.signals.personnel": [0, 100]},
}
PATHS = [(), ("name",), ("description",), ("references",), ("start",), ("horizon_weeks",), ("context",),
         ("context", "china_export_share"), ("context", "sectors"), ("context", "voters"), ("events",),
         ("events", "vilnius"), ("events", "vilnius", "signals"), ("events", "vilnius", "date"),
         ("events", "vilnius", "signals", "attendance"), ("uncertainties",),
         ("uncertainties", "china.trade_threshold", "weights"), ("levers",),
         ("levers", "events.vilnius.signals.personnel"), ("replications",), ("extends",), ("parameters",)]


def scalar(rng: random.Random):
    kind = rng.randrange(14)
    return [
        lambda: None, lambda: rng.random() < 0.5, lambda: rng.randint(-10**6, 10**6),
        lambda: rng.choice([float("nan"), float("inf"), -float("inf"), 1e308, -1e308, 5e-324, 0.5]),
        lambda: rng.randint(-10**300, 10**300), lambda: f"<<digits:{rng.randint(100, 20_000)}>>",
        lambda: rng.choice(["", " ", "\t", "\n\n", "\u00a0", "\u2028"]),
        lambda: rng.choice("xé \t\n") * rng.randint(1, 200_000),
        lambda: "".join(chr(rng.randint(1, 0x2FFF)) for _ in range(rng.randint(0, 12))),
        lambda: rng.choice(["labour", "leader", "nato_summit", "2023-02-30", "2023-07-11", "choice", "0.5", "yes"]),
        lambda: [rng.random() * 10 ** rng.randint(0, 308)] * rng.randint(0, 5),
        lambda: rng.choice([{}, [], {"kind": "recession"}, {"dist": "uniform"}]),
        lambda: [[1e308, 1e308]] if rng.random() < 0.5 else [1e308, 1e308],
        lambda: {f"k{i}": i for i in range(rng.randint(0, 30))},
    ][kind]()


def value(rng: random.Random, depth: int = 0):
    if depth > 3 or rng.random() < 0.5:
        return scalar(rng)
    if rng.random() < 0.5:
        return [value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(["a", "kind", "date", "signals", "x" * rng.randint(1, 400), "weights"]) + str(i): value(rng, depth + 1)
            for i in range(rng.randint(0, 4))}


def put(data: dict, path: tuple, new):
    if not path:
        return new
    out = json.loads(json.dumps(data))
    node = out
    for part in path[:-1]:
        node[part] = node[part] if isinstance(node.get(part), dict) else {}
        node = node[part]
    node[path[-1]] = new
    return out


def mutated(rng: random.Random) -> bytes:
    import re

    data = put(VALID, rng.choice(PATHS), value(rng))
    text = yaml.safe_dump(data, allow_unicode=rng.random() < 0.5, width=10**9)
    return re.sub(r"'?<<digits:(\d+)>>'?", lambda m: "9" * int(m.group(1)), text).encode("utf-8", "surrogatepass")


def nested(rng: random.Random) -> bytes:
    depth = rng.randint(1, 5000)
    opener, closer = rng.choice([("[", "]"), ("{a: ", "}"), ("[{b: ", "}]")])
    return (yaml.safe_dump(VALID) + f"{rng.choice(['levers', 'extra', 'context'])}_x: "
            + opener * depth + "1" + closer * depth + "\n").encode()


def aliased(rng: random.Random) -> bytes:
    head = yaml.safe_dump({k: v for k, v in VALID.items() if k not in ("events", "levers")})
    field = rng.choice(["levers", "events", "context", "uncertainties", "references"])
    if rng.random() < 0.3:
        return (head + rng.choice([f"{field}: &a {{b: *a}}\n", f"{field}: &a [*a]\n",
                                   f"{field}: &a {{b: [{{c: *a}}]}}\n", f"{field}: *nowhere\n"])).encode()
    levels, width = rng.randint(1, 12), rng.randint(2, 12)
    lines = ["a0: &a0 [" + ", ".join(["x"] * width) + "]"]
    for i in range(1, levels):
        items = [f"*a{i - 1}"] * width
        lines.append(f"a{i}: &a{i} " + ("[" + ", ".join(items) + "]" if rng.random() < 0.5 else
                                        "{" + ", ".join(f"k{j}: {x}" for j, x in enumerate(items)) + "}"))
    return (head + f"{field}:\n" + "".join(f"  {line}\n" for line in lines)).encode()


def encoded(rng: random.Random) -> bytes:
    text = yaml.safe_dump(VALID, allow_unicode=True)
    kind = rng.choice(["utf-16", "utf-32", "latin-1", "cut", "bytes", "nul", "bom", "control", "tabs"])
    if kind in ("utf-16", "utf-32"):
        return (text + "label: café\n").encode(kind)
    if kind == "latin-1":
        return text.replace("A scenario", "Caf\u00e9").encode("latin-1")
    if kind == "cut":
        return text.encode()[: rng.randint(0, len(text))]
    if kind == "nul":
        return text.encode().replace(b"labour", b"lab\x00our")
    if kind == "bom":
        return b"\xef\xbb\xbf" + text.encode()
    if kind == "control":
        return text.replace("A scenario", "A " + chr(rng.randint(0, 31)) + " scenario").encode()
    if kind == "tabs":
        return text.replace("  ", "\t").encode()
    return bytes(rng.randrange(256) for _ in range(rng.randint(0, 400)))


def structural(rng: random.Random, folder: Path, name: str) -> bytes:
    """Files that extend others: long names, long chains, cycles, a missing or broken base."""
    kind = rng.choice(["long", "chain", "cycle", "missing", "broken", "self"])
    if kind == "long":
        return f"extends: {'a' * rng.randint(200, 5000)}.yaml\ndescription: d\nreferences: [r]\n".encode()
    if kind == "chain":
        n = rng.randint(2, 1500)
        sub = folder / f"{name}-chain"
        sub.mkdir()
        (sub / f"f{n}.yaml").write_text(yaml.safe_dump(VALID))
        for i in range(1, n):
            (sub / f"f{i}.yaml").write_text(f"extends: f{i + 1}.yaml\ndescription: d\nreferences: [r]\n")
        return f"extends: {name}-chain/f1.yaml\ndescription: d\nreferences: [r]\n".encode()
    if kind == "cycle":
        (folder / f"{name}-other.yaml").write_text(f"extends: {name}.yaml\ndescription: d\nreferences: [r]\n")
        return f"extends: {name}-other.yaml\ndescription: d\nreferences: [r]\n".encode()
    if kind == "broken":
        (folder / f"{name}-base.yaml").write_bytes(mutated(rng))
        return f"extends: {name}-base.yaml\ndescription: d\nreferences: [r]\n".encode()
    if kind == "self":
        return f"extends: {name}.yaml\ndescription: d\nreferences: [r]\n".encode()
    return b"extends: no/such/file.yaml\ndescription: d\nreferences: [r]\n"


def generate(folder: Path, count: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    paths = []
    for i in range(count):
        name = f"case{i:05d}"
        path = folder / f"{name}.yaml"
        maker = rng.choices(["mutated", "nested", "aliased", "encoded", "structural"], weights=[60, 8, 12, 12, 8])[0]
        content = structural(rng, folder, name) if maker == "structural" else globals()[maker](rng)
        path.write_bytes(content)
        paths.append(path)
    return paths


def message_problems(message: str, path: Path) -> list[str]:
    problems = []
    if "\n" in message.strip():
        problems.append("lines")
    if not message.startswith(f"{path}: "):
        problems.append("unnamed")
    elif len(message.strip()) - len(f"{path}: ") > 300:
        problems.append("long")
    return problems


def worker(folder: Path) -> None:
    """Load each file in ``folder`` (in this process, under a 20 s alarm); one JSON line each."""
    sys.path.insert(0, str(ROOT))
    from nzsim.scenario import ScenarioError, load

    def alarm(*_):
        raise TimeoutError

    signal.signal(signal.SIGALRM, alarm)
    for path in sorted(folder.glob("case*.yaml")):
        if "-" in path.stem:
            continue
        row = {"file": str(path), "problems": []}
        tracemalloc.start()
        signal.alarm(20)
        try:
            load(path)
            row["outcome"] = "valid"
        except ScenarioError as err:
            row["outcome"] = "error"
            row["problems"] += message_problems(str(err), path)
        except TimeoutError:
            row["problems"].append("hang")
        except MemoryError:
            row["problems"].append("memory")
        except BaseException as err:  # noqa: BLE001 - what the fuzz looks for
            row["problems"].append("traceback")
            row["error"] = f"{type(err).__name__}: {str(err)[:200]}"
        finally:
            signal.alarm(0)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        if peak > 500 * MB:
            row["problems"].append("memory")
        print(json.dumps(row), flush=True)


def command(args: list[str], path: Path, out: Path) -> list[str]:
    """Run one command on one file; its problems (an empty list: a clean exit 0 or 2)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryFile() as stderr, tempfile.TemporaryFile() as stdout:
        began = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "nzsim", *args], stdout=stdout, stderr=stderr, cwd=out, env=env)
        problems = []
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - began > 300:
                proc.kill()
                os.wait4(proc.pid, 0)
                return ["hang"]
            time.sleep(0.05)
        code = os.waitstatus_to_exitcode(status)
        if usage.ru_maxrss * 1024 > 500 * MB:
            problems.append("memory")
        stderr.seek(0)
        err = stderr.read().decode("utf-8", "replace")
    if "Traceback" in err or code not in (0, 2):
        problems.append("traceback")
    if code == 2:
        prefix = f"nzsim {args[0]}: error: "
        lines = [line for line in err.splitlines() if not line.startswith(f"nzsim {args[0]}: warning")]
        if len(lines) != 1:
            problems.append("lines")
        elif not lines[0].startswith(prefix):
            problems.append("unnamed")
        else:
            problems += message_problems(lines[0].removeprefix(prefix), path)
    return problems


KINDS = ("traceback", "hang", "memory", "long", "unnamed", "lines")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--sample", type=int, default=30, help="files run through each command")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "fuzz"
        folder.mkdir()
        paths = generate(folder, args.files, args.seed)
        began = time.monotonic()
        proc = subprocess.run([sys.executable, __file__, "--worker", str(folder)], capture_output=True, text=True)
        rows = [json.loads(line) for line in proc.stdout.splitlines()]
        counts = {kind: 0 for kind in KINDS}
        for row in rows:
            for problem in set(row["problems"]):
                counts[problem] += 1
            if row["problems"]:
                print(f"  {row['file']}: {row['problems']} {row.get('error', '')}", file=sys.stderr)
        if len(rows) != len(paths):
            counts["traceback"] += len(paths) - len(rows)  # the worker itself died
            print(proc.stderr[-2000:], file=sys.stderr)
        outcomes = {o: sum(r.get("outcome") == o for r in rows) for o in ("valid", "error")}
        print(f"loader: {len(paths)} files in {time.monotonic() - began:.0f} s "
              f"({outcomes['valid']} valid, {outcomes['error']} refused); "
              + ", ".join(f"{k} {v}" for k, v in counts.items()))
        rng = random.Random(args.seed + 1)
        valid = [Path(r["file"]) for r in rows if r.get("outcome") == "valid"]
        refused = [Path(r["file"]) for r in rows if r.get("outcome") == "error"]
        n_valid = min(len(valid), 5, args.sample // 2)
        sample = rng.sample(refused, min(len(refused), args.sample - n_valid)) + valid[:n_valid]
        out = Path(tmp) / "runs"
        out.mkdir()
        for name, extra in (("check", []), ("story", []), ("run", ["--reps", "5", "--workers", "1", "--no-figures",
                                                                   "--no-progress"])):
            counts = {kind: 0 for kind in KINDS}
            began = time.monotonic()
            for i, path in enumerate(sample):
                more = ["--out", str(out / f"{name}-{i}")] if name == "run" else []
                problems = command([name, str(path), *extra, *more], path, out)
                for problem in set(problems):
                    counts[problem] += 1
                if problems:
                    print(f"  nzsim {name} {path}: {problems}", file=sys.stderr)
            print(f"nzsim {name}: {len(sample)} files in {time.monotonic() - began:.0f} s; "
                  + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
