"""Reports: what a person reads about runs. The story of one replication, a run's summary and
figures, the overview of several runs or cells (the table the commands show first), the
comparison of several runs, one run as an HTML page, and the one rule for printing numbers.

Layer: above figures and analysis. It may import :mod:`nzsim.figures`, :mod:`nzsim.analysis`,
:mod:`nzsim.runs`, :mod:`nzsim.model`, :mod:`nzsim.scenario`, :mod:`nzsim.catalogue`,
:mod:`nzsim.seeds` and :mod:`nzsim.version`; nothing above it (validation, teaching, the
command line).
"""

from __future__ import annotations

from .comparison import format_comparison, frontier_objectives, write_comparison
from .html import retell, write_html_report
from .numbers import number
from .overview import format_overview, overview_table
from .story import tell
from .summary import describe_run, format_run, format_summary

__all__ = ["describe_run", "format_comparison", "format_overview", "format_run", "format_summary", "frontier_objectives",
           "number", "overview_table", "retell", "tell", "write_comparison", "write_html_report"]
