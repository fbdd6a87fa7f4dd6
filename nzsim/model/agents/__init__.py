"""The model's actors: one module each. The dozen named actors are ordinary Mesa agents; the
voters live as numpy arrays inside :class:`~nzsim.agents.public.Public`."""

from .china import China, Rung
from .election import Election
from .exporters import Exporters
from .government import Government
from .partner import Partner
from .public import Public
from .security import SecurityEstablishment

__all__ = [
    "China",
    "Election",
    "Exporters",
    "Government",
    "Partner",
    "Public",
    "Rung",
    "SecurityEstablishment",
]
