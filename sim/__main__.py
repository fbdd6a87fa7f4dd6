"""``python -m sim`` is the same as the ``nzsim`` command."""

from .cli import main

raise SystemExit(main())
