"""The security establishment: officials who press for interoperability with partners."""

from __future__ import annotations

import mesa


class SecurityEstablishment(mesa.Agent):
    """Defence and intelligence officials."""

    def __init__(self, model):
        super().__init__(model)
        self.pressure: float = 0.0

    def step(self) -> None:
        """``pressure = max(0, target - interoperability) + 0.5 * (1 - mean partner trust)``."""
        gov = self.model.government
        target = self.model.params["security.interop_target"]
        self.pressure = max(0.0, target - gov.interoperability) + 0.5 * (1 - self.model.mean_trust())
