"""Exporters: the interest group whose pressure grows with China exposure and perceived risk.

Exporters also keep the books: each week they count the China exports lost to active
restrictions, in NZ$ million.
"""

from __future__ import annotations

import mesa


class Exporters(mesa.Agent):
    """Exporters selling to China."""

    def __init__(self, model):
        super().__init__(model)
        ctx = model.spec.context
        self.china_share: float = ctx.china_export_share
        #: China exports in a normal week, NZ$ million.
        self.weekly_china_exports_nzd_m: float = ctx.china_export_share * ctx.goods_exports_nzd_bn * 1000 / 52
        self.sector_shares = {name: s.share for name, s in ctx.sectors.items()}
        self.growth: float = 0.0  # extra China exports from warmth, as a fraction
        #: starts where China's rung at the start puts it, so pressure does not drift in a quiet run
        self.perceived_risk: float = int(model.china.rung) / 5
        self.pressure: float = 0.0
        self.lost_this_week_nzd_m: float = 0.0
        self.lost_total_nzd_m: float = 0.0

    def weekly_value(self, sector: str) -> float:
        """NZ$ million a week that ``sector`` normally sells to China."""
        return self.weekly_china_exports_nzd_m * (1 + self.growth) * self.sector_shares[sector]

    def lost_fraction(self, sector: str) -> float:
        """Share of ``sector``'s China sales lost this week: ``1 - prod(1 - f)`` over the
        restrictions that name it, so overlapping measures never take more than everything."""
        kept = 1.0
        for r in self.model.china.restrictions:
            if sector in r.sectors:
                kept *= 1.0 - r.fraction
        return 1.0 - kept

    def count_losses(self) -> None:
        """This week's lost China exports, NZ$ million."""
        hit = {sector for r in self.model.china.restrictions for sector in r.sectors}
        self.lost_this_week_nzd_m = sum(self.lost_fraction(s) * self.weekly_value(s) for s in hit)
        self.lost_total_nzd_m += self.lost_this_week_nzd_m

    def update_pressure(self) -> None:
        """``risk += risk_learning * (rung / 5 - risk)``; ``pressure = share * (0.5 + risk) / 0.3``,
        so that a 27-33% share with no risk gives a pressure near one half."""
        rung = int(self.model.china.rung)
        self.perceived_risk += self.model.params["exporters.risk_learning"] * (rung / 5 - self.perceived_risk)
        self.pressure = self.china_share * (0.5 + self.perceived_risk) / 0.3

    def step(self) -> None:
        """Count this week's losses, update perceived risk, and press the government."""
        self.count_losses()
        self.update_pressure()
