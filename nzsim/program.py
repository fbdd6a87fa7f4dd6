"""The ``nzsim`` program: sets up the process it runs in, then hands over to :func:`nzsim.cli.main`.

What is set here belongs to the program, not the library: ``import nzsim`` and the Python API
change nothing global (decision 28). This module imports nothing that loads pyarrow, because
its one setting must be in place before pyarrow is loaded:

- ``ARROW_DEFAULT_MEMORY_POOL=system`` (unless the user chose a pool). pyarrow's default pool,
  mimalloc, kept 30-40 MB more resident in the parent of a long run than pyarrow ever had
  allocated, and about 10 MB more in each worker; the workers inherit the environment. The
  system allocator costs nothing measurable here: Arrow allocates few, large buffers.
"""

from __future__ import annotations

import os


def main() -> int:
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    from .cli import main as cli_main

    return cli_main()
