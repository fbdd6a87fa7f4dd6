"""Exporters: the interest group whose pressure grows with China exposure and perceived risk.

Exporters also keep the books: each week they count, in NZ$ million, the China exports lost to
active restrictions on goods (less what partners standing by New Zealand buy instead), the spending of visitors and students lost to restrictions on
people, and the exports lost while high-level contact is frozen (Fuchs and Klann 2013).
"""

from __future__ import annotations

import mesa

from .china import FREEZE_COST_WEEKS


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
        #: spending of visitors and students from China in a normal week, NZ$ million
        self.weekly_people_nzd_m: float = (ctx.china_tourism_nzd_bn + ctx.china_education_nzd_bn) * 1000 / 52
        #: every instrument's cost this week: goods, people and the freeze, NZ$ million
        self.coercion_cost_this_week_nzd_m: float = 0.0
        #: share of the goods China turns away that partners standing by New Zealand buy instead
        self.partner_support: float = 0.0

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

    def people_weekly_nzd_m(self) -> float:
        """NZ$ million a week of visitors' and students' spending lost while people are restricted."""
        return self.weekly_people_nzd_m * self.model.params["china.people_fraction"]

    def freeze_weekly_nzd_m(self) -> float:
        """NZ$ million a week of China exports lost while high-level contact is frozen:
        ``china.freeze_export_loss`` of them (Fuchs and Klann 2013: 8.1%)."""
        return self.weekly_china_exports_nzd_m * (1 + self.growth) * self.model.params["china.freeze_export_loss"]

    def count_losses(self) -> None:
        """This week's lost China exports to goods measures, and the cost of every instrument, NZ$ million."""
        china = self.model.china
        hit = {sector for r in china.restrictions for sector in r.sectors}
        self.lost_this_week_nzd_m = sum(self.lost_fraction(s) * self.weekly_value(s) for s in hit) * (1.0 - self.partner_support)
        self.lost_total_nzd_m += self.lost_this_week_nzd_m
        cost = self.lost_this_week_nzd_m
        if china.people is not None:
            cost += self.people_weekly_nzd_m()
        if china.freeze is not None and self.model.week - china.freeze.imposed_week < FREEZE_COST_WEEKS:
            cost += self.freeze_weekly_nzd_m()
        self.coercion_cost_this_week_nzd_m = cost

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
