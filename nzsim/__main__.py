"""``python -m nzsim`` is the same as the ``nzsim`` command."""

from .program import main

raise SystemExit(main())
