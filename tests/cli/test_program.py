"""The nzsim program's own process set-up (nzsim/program.py), which the library never does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(script: str, env: dict[str, str] | None = None) -> dict:
    environ = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, env={**environ, **(env or {})})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


PROGRAM = """
    import json, sys
    import nzsim.program
    loaded_early = "pyarrow" in sys.modules
    sys.argv = ["nzsim", "parameters"]
    sys.stdout = open("/dev/null", "w")
    code = nzsim.program.main()
    import pyarrow as pa
    sys.stdout = sys.__stdout__
    print(json.dumps({"code": code, "loaded_early": loaded_early, "pool": pa.default_memory_pool().backend_name}))
"""


def test_the_program_runs_pyarrow_on_the_system_allocator():
    got = run_python(PROGRAM)
    assert got == {"code": 0, "loaded_early": False, "pool": "system"}


def test_a_pool_the_user_chose_is_kept():
    assert run_python(PROGRAM, {"ARROW_DEFAULT_MEMORY_POOL": "mimalloc"})["pool"] == "mimalloc"


def test_the_library_leaves_the_allocator_alone():
    got = run_python("""
        import json, sys
        import nzsim, nzsim.cli
        sys.stdout = open("/dev/null", "w")
        code = nzsim.cli.main(["parameters"])  # the CLI function, called as a library would
        import pyarrow as pa
        sys.stdout = sys.__stdout__
        print(json.dumps({"code": code, "pool": pa.default_memory_pool().backend_name}))
    """)
    assert got["code"] == 0 and got["pool"] != "system"
