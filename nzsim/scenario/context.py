"""The situation at the start of a scenario: who governs, how much trade depends on China, by
sector, and where the stance, interoperability, grievance and threat perception begin."""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

from pydantic import Field, field_validator

from .types import Count, FrozenMap, Frozen, Number


class Sector(Frozen):
    """An export sector: its share of goods exports to China, when Beijing would target it, and
    how readily China replaces it.

    ``tier`` 1: hit by informal restrictions (substitutable goods); 2: added under formal
    coercion; 0: spared (goods China cannot easily replace). ``china_replaceability`` (0-1): how
    easily China buys the good elsewhere (1: at once, from many suppliers; 0: not at all, as with
    Australian iron ore); unset, the parameter ``china.substitutability`` stands in.
    """

    share: Number = Field(ge=0, le=1)
    tier: Literal[0, 1, 2]
    china_replaceability: Number | None = Field(None, ge=0, le=1)


#: New Zealand's China exports by sector. Shares are of goods exports to China.
NZ_SECTORS: Mapping[str, Sector] = MappingProxyType(
    {
        # dairy ~NZ$5.5bn of ~NZ$19-20bn to China (RNZ 2021; Stats NZ via Scoop 2023)
        "dairy": Sector(share=0.35, tier=0),
        # sheepmeat 30%, beef 24% of their exports go to China (BNZ via Rural News, ~2019)
        "meat": Sector(share=0.17, tier=2),
        # logs: 80-90% to China (Xinhua 2019/2021; WoodWeek)
        "logs_and_wood": Sector(share=0.15, tier=1),
        # rock lobster ~95% to China (RNZ 2021)
        "seafood": Sector(share=0.07, tier=1),
        "horticulture_and_wine": Sector(share=0.08, tier=1),
        "other": Sector(share=0.18, tier=0),
    }
)


class Context(Frozen):
    """The situation at the start of the scenario."""

    governing_bloc: Literal["labour", "national"]
    china_export_share: Number = Field(ge=0, le=1)
    goods_exports_nzd_bn: Number = Field(gt=0, le=10000)
    recession: bool = False
    recession_weeks: Count = Field(26, ge=1, le=520)
    partnership: Literal["ipcp", "itpp"] = "ipcp"
    initial_stance: Number = Field(0.4, ge=0, le=1)
    initial_interoperability: Number = Field(0.5, ge=0, le=1)
    initial_grievance: Number = Field(0.5, ge=0, le=20)
    threat_share: Number = Field(0.37, gt=0, lt=1)
    #: How much firmer toward partners the public's ideal stances are than New Zealand's (0):
    #: for another country's public, e.g. a treaty ally's (docs/scenarios.md).
    public_ideal_shift: Number = Field(0.0, ge=-0.5, le=0.5)
    voters: Count = Field(5000, ge=100, le=1_000_000)
    #: The target's share of China's goods imports (0.005: New Zealand, NZ$20.2bn of China's
    #: US$2.7tn, see docs/scenarios.md): with the sectors' replaceability, China's cost of punishing it.
    share_of_china_imports: Number = Field(0.005, ge=0, le=0.5)
    #: Spending of visitors from China, NZ$bn a year (New Zealand 2019: about 1.7).
    china_tourism_nzd_bn: Number = Field(1.7, ge=0, le=1000)
    #: Spending of students from China, NZ$bn a year (New Zealand: about 1.5).
    china_education_nzd_bn: Number = Field(1.5, ge=0, le=1000)
    sectors: FrozenMap(str, Sector) = Field(  # type: ignore[valid-type]
        default_factory=lambda: dict(NZ_SECTORS), validate_default=True
    )

    @field_validator("sectors")
    @classmethod
    def _shares_sum_to_one(cls, sectors: Mapping[str, Sector]) -> Mapping[str, Sector]:
        total = sum(s.share for s in sectors.values())
        if not math.isclose(total, 1.0, abs_tol=1e-3):
            raise ValueError(f"sector shares must sum to 1, got {total:g}")
        return sectors
