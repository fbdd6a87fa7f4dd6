"""The parameter table: every model parameter with its default, unit, range, meaning and source.

The single source of truth for model parameters. The model reads its coefficients from the
mapping :func:`resolve` builds; scenario files may override any of them (``parameters:``) or
declare a distribution over them (``uncertainties:``); ``docs/parameters.md`` is generated from
this table (``nzsim parameters``) and a test checks the committed file is current. The channel
coefficients ``signal.<name>.<channel>`` come from the signal catalogue
(:mod:`nzsim.catalogue.signals`): a signal kind added there brings its three parameters here
(import the catalogue, ``nzsim.catalogue``, to have them all).

A parameter's ``source`` is either a citation or a string starting with ``"assumption:"``
followed by the reasoning.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from .conduct import CONDUCT
from .conduct import parameter_names as conduct_parameter_names
from .partners import STARTING_VALUES, TRAITS
from .registry import Registry

ASSUMPTION = "assumption: "


@dataclass(frozen=True, slots=True, kw_only=True)
class Parameter:
    """One model parameter.

    Attributes:
        name: dotted name, ``<component>.<quantity>``; scenarios refer to it by this name.
        default: the value used when a scenario says nothing.
        unit: unit of measure ("1" for a dimensionless number).
        low, high: the plausible range; scenario overrides and sampled values must lie in it.
        meaning: one line saying what it does.
        source: a citation, or "assumption: " and the reasoning.
    """

    name: str
    default: float
    unit: str
    low: float
    high: float
    meaning: str
    source: str

    def __post_init__(self) -> None:
        if not self.low <= self.default <= self.high:
            raise ValueError(f"parameter {self.name}: default {self.default} outside [{self.low}, {self.high}]")
        if not self.source:
            raise ValueError(f"parameter {self.name}: a source or an assumption is required")

    @property
    def is_assumption(self) -> bool:
        """Whether the value is a modelling judgement (even where the mechanism has a source)."""
        return self.source.startswith(ASSUMPTION) or "an assumption" in self.source

    @property
    def basis(self) -> str:
        return "assumption" if self.is_assumption else "source"


def _p(name, default, unit, low, high, meaning, source) -> Parameter:
    return Parameter(name=name, default=default, unit=unit, low=low, high=high, meaning=meaning, source=source)


def _partner_parameters() -> list[Parameter]:
    out = []
    for name, (trust, expectation, tolerance, china_weight) in STARTING_VALUES.items():
        out += [
            _p(f"partner.{name}.trust0", trust, "1", 0.0, 1.0, f"{name}'s trust in NZ at the start",
               ASSUMPTION + "ordinal judgement: Australia (the only formal ally) highest, then the "
               "Five Eyes partners, then the newer IP4 partners"),
            _p(f"partner.{name}.expectation", expectation, "1", 0.0, 1.0,
               f"the contribution {name} expects from NZ at a summit, on the partner-channel scale",
               ASSUMPTION + "partners expect roughly what NZ gave in 2022 (attendance plus a modest "
               "Ukraine package)"),
            _p(f"partner.{name}.tolerance", tolerance, "1", 0.0, 1.0,
               f"the independence-framing level (0-1) {name} tolerates before trust falls",
               ASSUMPTION + "the US least tolerant, South Korea most; Snyder (1984) abandonment fear"),
            _p(f"partner.{name}.china_weight", china_weight, "1", 0.0, 1.0,
               f"how much {name} values NZ's China language as part of NZ's contribution",
               ASSUMPTION + "partners most focused on China (US, Australia, Japan) weigh it most"),
        ]
    for name, (responsiveness, solidarity, us_burden) in TRAITS.items():
        out += [
            _p(f"partner.{name}.responsiveness", responsiveness, "1", 0.0, 3.0,
               f"how strongly {name}'s trust answers NZ's contributions and chance events (times partner.trust_gain)",
               ASSUMPTION + "ordinal judgement: Australia, the only formal ally, watches NZ most closely, then the "
               "United States and the United Kingdom; NATO as an organisation and the newer IP4 partners least"),
            _p(f"partner.{name}.solidarity", solidarity, "probability", 0.0, 1.0,
               f"chance that {name} stands by NZ (a statement, market support) when Beijing first coerces it",
               ASSUMPTION + "Australia 2020-2021: the United States said it would not leave Australia 'alone on "
               "the field' (Blinken, Mar 2021), the G7 condemned economic coercion (Carbis Bay communique, Jun 2021) "
               "and legislators in many countries urged buying Australian wine (Inter-Parliamentary Alliance on "
               "China, Dec 2020); South Korea, itself coerced over THAAD in 2016-2017, stayed quiet; values assumed"),
            _p(f"partner.{name}.us_burden", us_burden, "expectation per unit of US commitment", 0.0, 1.0,
               f"rise in {name}'s expectation of NZ per unit the US commitment falls (burden sharing)",
               ASSUMPTION + "allies nearest China (Australia, Japan, South Korea) ask more of others when "
               "Washington steps back; European partners less; the United States' own expectation does not move"),
        ]
    return out


def _conduct_parameters() -> list[Parameter]:
    out = []
    for kind in CONDUCT.values():
        memory, shock = conduct_parameter_names(kind.name)
        out += [
            _p(memory, kind.memory, "threat logit", -2.0, 2.0,
               f"lasting change in voters' threat perception when {kind.words} (kind: china_conduct, "
               f"conduct: {kind.name}), spread by attention and shared in conversation",
               ASSUMPTION + kind.source + "; set on the Asia New Zealand Foundation readings 2019-2022 (a fit)"),
            _p(shock, kind.shock, "threat logit", -2.0, 2.0,
               f"fading change in voters' threat perception when {kind.words}",
               ASSUMPTION + "news fades within weeks (public.threat_half_life_weeks); set with the memory"),
        ]
    return out


_TABLE: tuple[Parameter, ...] = tuple(
    [
        # --- Government -------------------------------------------------------------------
        _p("government.stance_step", 0.02, "stance per week", 0.0, 0.1,
           "size of the weekly stance adjustment the government chooses among (-step, 0, +step)",
           ASSUMPTION + "stance moves slowly between summits; 0.02 a week allows about one scale "
           "point over a year"),
        _p("government.choice_temperature", 0.02, "utility", 0.001, 1.0,
           "softmax temperature of the weekly stance choice (lower is more deterministic)",
           ASSUMPTION + "logit choice (McFadden 1974); set so the preferred move is taken most weeks"),
        _p("government.signal_scale", 8.0, "channel units per stance", 1.0, 30.0,
           "China plus partner channel magnitude (beyond what attending a summit as leader sends) "
           "that moves the stance by one full unit toward alignment",
           ASSUMPTION + "what a leader says in public commits the government part of the way: Madrid "
           "2022 moves the stance about 0.09, the strongest bundle (strong China language, AUKUS "
           "join, ITPP, IP4 projects) about 0.35"),
        _p("government.deployment_interop", 0.03, "interoperability per level", 0.0, 0.2,
           "immediate interoperability gain per unit of personnel and partnership-agreement signal",
           "deployments to train Ukrainian troops in the UK were 'a welcome boost' after pandemic "
           "closures (Capie 2023); magnitude an assumption"),
        _p("government.weight_security.labour", 0.8, "1", 0.0, 3.0,
           "weight on security benefit in a Labour-led government's utility",
           ASSUMPTION + "Labour-led governments stressed the independent foreign policy (Ardern, Madrid "
           "2022, beehive.govt.nz)"),
        _p("government.weight_security.national", 1.2, "1", 0.0, 3.0,
           "weight on security benefit in a National-led government's utility",
           ASSUMPTION + "the National-led government explored AUKUS Pillar II (Luxon 2024, ABC)"),
        _p("government.weight_autonomy.labour", 0.9, "1", 0.0, 3.0,
           "weight on autonomy (the independent foreign policy) in a Labour-led government's utility",
           ASSUMPTION + "Madrid 2022 framing, beehive.govt.nz"),
        _p("government.weight_autonomy.national", 0.5, "1", 0.0, 3.0,
           "weight on autonomy in a National-led government's utility",
           ASSUMPTION + "Luxon: China's response 'not a consideration for us' (ABC 2024)"),
        _p("government.weight_trade", 1.0, "1", 0.0, 5.0,
           "weight on expected trade with China (scaled by the export share)",
           ASSUMPTION + "the article's point: the PM 'will not want to do anything that might upset "
           "that key economic relationship' (Capie 2023)"),
        _p("government.weight_approval", 2.0, "1", 0.0, 5.0,
           "weight on domestic approval of the foreign-policy stance (the domestic win-set, Putnam 1988)",
           ASSUMPTION + "two-level game, Putnam (1988); twice the trade weight, so a government "
           "strays from the average voter's ideal by about a tenth of the scale, not more"),
        _p("government.audience_cost", 20.0, "1", 0.0, 50.0,
           "weight on not backing down while Beijing coerces NZ: utility lost per unit the stance falls below "
           "where it stood when the dispute began, times the share of voters who blame Beijing",
           "audience costs: a government that gives way under pressure its public resents pays at home "
           "(Fearon 1994); Australia's policy did not change under the measures of 2020-2021 (facts compiled "
           "for the project); magnitude an assumption"),
        _p("government.election_horizon_weeks", 13.0, "weeks", 1.0, 52.0,
           "e-folding time of the extra caution as an election nears",
           "Capie (2023, seed article): 'just three months until the next general election'"),
        _p("government.election_caution", 1.5, "1", 0.0, 5.0,
           "extra weight (multiplier minus one) on trade and approval at the election date",
           ASSUMPTION + "electoral caution peaks at the election and fades with distance"),
        _p("government.recession_caution", 0.5, "1", 0.0, 3.0,
           "extra weight (multiplier minus one) on trade during a recession",
           "Capie (2023): 'the country already in recession'; magnitude an assumption"),
        _p("government.interop_decay", 0.01, "per week", 0.0, 0.1,
           "weekly fraction by which interoperability drifts toward what partner access supports",
           ASSUMPTION + "training places and exercises take months to matter"),
        _p("government.credibility_cost", 1.0, "credibility per stance", 0.0, 5.0,
           "independence credibility lost per unit of stance moved toward alignment by signals",
           ASSUMPTION + "criticism at home of Ardern's 'pro-US tilt' after the Biden joint statement (Capie 2023)"),
        _p("government.framing_credibility", 0.08, "credibility per level", 0.0, 0.5,
           "independence credibility gained per unit of independence framing",
           "Ardern's 'fiercely held independent foreign policy' at Madrid had 'a domestic audience in mind' "
           "(Capie 2023); magnitude an assumption"),
        _p("government.credibility0", 0.8, "1", 0.0, 1.0,
           "independence credibility at the start",
           ASSUMPTION + "the independent foreign policy is a long-standing, broadly credible tradition "
           "(Capie 2023: 'fiercely held'), not beyond question"),
        _p("government.credibility_recovery", 0.01, "per week", 0.0, 0.2,
           "weekly recovery of independence credibility toward its reference level",
           ASSUMPTION + "reputations recover slowly"),
        # --- Partners ----------------------------------------------------------------------
        _p("partner.trust_gain", 0.25, "trust per channel unit", 0.0, 1.0,
           "trust gained per unit of contribution: at a summit, per unit above the partner's expectation; "
           "elsewhere, per unit delivered (times partner.outside_summit_weight)",
           ASSUMPTION + "Snyder (1984): allies reward contribution"),
        _p("partner.hedging_cost", 0.15, "trust per unit", 0.0, 1.0,
           "trust lost per unit of hedging beyond the partner's tolerance",
           ASSUMPTION + "Snyder (1984): abandonment fear"),
        _p("partner.outside_summit_weight", 0.2, "1", 0.0, 1.0,
           "weight of a contribution made outside a summit (a decision, a statement), credited without an expectation",
           ASSUMPTION + "a summit is where partners take stock; a decision between summits counts for "
           "about a fifth of the same bundle judged at a summit"),
        _p("partner.trust_drift", 0.01, "per week", 0.0, 0.2,
           "weekly relaxation of trust toward the level NZ's stance supports",
           ASSUMPTION + "trust is sticky; a year to close most of a gap"),
        _p("partner.expectation_learning", 0.2, "1", 0.0, 1.0,
           "fraction by which a partner's expectation moves toward what NZ delivered at each event",
           ASSUMPTION + "adaptive expectations"),
        _p("partner.access_per_trust", 0.8, "interoperability per trust", 0.0, 1.0,
           "interoperability that full partner trust makes reachable (training places, exercises, intelligence)",
           ASSUMPTION + "trust buys access (Capie 2023: 'access to doctrine, training, tactics and procedures')"),
        _p("partner.event_rate", 0.03, "per week", 0.0, 1.0,
           "weekly chance that a partner's own chance event happens (a training place given or withdrawn, an "
           "exercise invitation, a ministerial visit)",
           ASSUMPTION + "each partner has one or two such occasions a year (Capie 2023 on training places and "
           "exercises after the pandemic closures)"),
        _p("partner.event_trust", 0.03, "trust", 0.0, 0.3,
           "change in the partner's trust from one chance event (times its responsiveness; up or down)",
           ASSUMPTION + "one occasion moves a relationship a little; a year of them about as much as a summit"),
        _p("partner.event_interop", 0.006, "interoperability", 0.0, 0.1,
           "change in interoperability from a training place or exercise invitation given (or withdrawn)",
           ASSUMPTION + "one course or exercise is a small part of what interoperability is built from "
           "(Capie 2023: 'access to doctrine, training, tactics and procedures')"),
        _p("partner.judgement_noise", 0.1, "channel units", 0.0, 1.0,
           "standard deviation of each partner's own reading of what NZ delivered at an event",
           ASSUMPTION + "capitals read the same summit differently (the IP4's reception of NZ's Madrid remarks "
           "was not one verdict)"),
        _p("partner.market_support", 0.05, "fraction of lost exports", 0.0, 0.5,
           "share of NZ's lost China exports that one partner standing by NZ takes in its market",
           ASSUMPTION + "Australia 2020-2021: 'buy Australian wine' campaigns abroad and redirection to other "
           "markets made up a small part of the wine lost in China (ABS: wine to China -92%)"),
        _p("partner.us_commitment", 1.0, "1", 0.0, 1.0,
           "US commitment to the Indo-Pacific (1 = as in 2022-2025); scales the security benefit of alignment",
           ASSUMPTION + "the baseline is the status quo of 2022-2025"),
        *_partner_parameters(),
        # --- China -------------------------------------------------------------------------
        _p("china.grievance_per_salience", 1.0, "grievance per channel unit", 0.0, 5.0,
           "grievance added per unit on the China channel",
           ASSUMPTION + "sets the grievance scale"),
        _p("china.grievance_half_life_weeks", 8.0, "weeks", 1.0, 104.0,
           "half-life of the grievance of the moment (each signal's reaction, which statements read) above its structural level",
           ASSUMPTION + "statements follow within days and the relationship normalises within months "
           "(Chinese embassy statements 2022-2024 were not followed by lasting measures)"),
        _p("china.accumulation_per_salience", 2.0, "grievance per channel unit", 0.0, 5.0,
           "accumulated grievance added per unit of China salience beyond china.affront_salience: the "
           "record of affronts, which lowers the bar for trade measures grievance by grievance",
           ASSUMPTION + "in the record Beijing coerced Australia after a run of grievances (foreign-interference "
           "laws 2018, the 5G exclusion 2018, then the COVID-19 inquiry call 2020), not after the first one "
           "(ABS 2020; ASPI, Hanson et al. 2020), so affronts add up; 2 keeps what a strong affront "
           "(strong China language, salience 1.2) adds where it was when every unit of salience "
           "counted one for one: 2 * (1.2 - 0.6) = 1.2"),
        _p("china.affront_salience", 0.6, "channel units", 0.0, 3.0,
           "China salience a signal must exceed to add to the record of affronts; only the excess counts "
           "(0: every signal counts in full)",
           ASSUMPTION + "Beijing's own record of Australia's affronts, the embassy's list of 14 grievances "
           "(handed to 9News and reported 18 Nov 2020; Guardian Australia, 20 Nov 2021), lists acts aimed "
           "at China (blocked investments, the Huawei 5G ban, the foreign-interference laws, the COVID-19 "
           "inquiry call, a statement to the UN on the South China Sea), not passing mentions, and New "
           "Zealand's summit remarks of 2022-2025 drew statements only (Chinese embassy in NZ; facts "
           "compiled for the project); 0.6 is china.statement_salience, the salience Beijing is sure to "
           "notice: below it a signal draws a statement at most, moderate criticism (0.72) adds a little, "
           "strong language (1.2) much"),
        _p("china.accumulated_half_life_weeks", 104.0, "weeks", 4.0, 520.0,
           "half-life of the accumulated grievance (the record of affronts fades over years)",
           ASSUMPTION + "Australia 2020: measures lifted only step by step to Dec 2024 with Australian "
           "policy unchanged (ABS; ASPI 2023), and the 2018 grievances still counted in 2020: a memory "
           "of years, not weeks; two years is a judgement within that"),
        _p("china.structural_grievance", 1.0, "grievance per stance", 0.0, 5.0,
           "structural grievance per unit of NZ's stance (the level grievance decays toward)",
           ASSUMPTION + "a more aligned NZ is a standing irritant"),
        _p("china.rebuke_threshold", 0.9, "grievance", 0.0, 10.0,
           "grievance at which an official rebuke after a triggering event is an even chance",
           "Chinese embassy statement after Madrid (30 Jun 2022) and after the NSS (Aug 2023); "
           "threshold an assumption"),
        _p("china.warning_threshold", 2.0, "grievance", 0.0, 10.0,
           "grievance at which a warning (ambassador or ministry) is an even chance",
           "ambassador's 'open the door to the devil' (Jul 2023); AUKUS 'wrong and dangerous path' "
           "(Feb 2024); threshold an assumption"),
        _p("china.statement_scale", 0.35, "grievance", 0.01, 5.0,
           "logistic scale of statement decisions around their thresholds",
           ASSUMPTION + "statements are cheap and common (ASPI, Hanson et al. 2020: state-issued threats most common)"),
        _p("china.statement_salience", 0.6, "channel units", 0.01, 5.0,
           "China salience at which an event is sure to be noticed; weaker events draw statements proportionally less often",
           "Beijing answered Madrid's China language (Chinese embassy in NZ, 30 Jun 2022) and the AUKUS "
           "Pillar II talk (Feb 2024), not the Ukraine deployments; value an assumption"),
        _p("china.trade_threshold", 6.0, "grievance", 0.0, 20.0,
           "grievance at which the weekly hazard of informal trade restriction is at half its maximum (before cost, example value and the accumulated grievance)",
           "Australia 2020 after a run of grievances (ABS; ASPI 2020); NZ 2022-2025: statements only; "
           "threshold an assumption, searched against the episode library's fitting episodes (6 rather than 4, "
           "with china.example_weight 2: France 2008's two affronts on Tibet raise the grievance of the moment "
           "to about 4.7 and brought no measures, docs/calibration.md)"),
        _p("china.trade_scale", 0.4, "grievance", 0.01, 5.0,
           "logistic scale of the trade-restriction hazard",
           ASSUMPTION + "trade measures are rare and need a clear trigger"),
        _p("china.trade_max_hazard", 0.15, "per week", 0.0, 1.0,
           "the highest weekly probability of imposing informal trade restrictions",
           ASSUMPTION + "Beijing takes weeks to choose targets (Zhang 2019)"),
        _p("china.formal_threshold", 6.5, "grievance", 0.0, 20.0,
           "grievance at which informal restrictions escalate to formal coercion with half the maximum weekly hazard "
           "(shifted by the same cost and example terms as the trade bar)",
           "Australia 2020: barley tariff 80.5%, wine duties 116-218% (ABS 2020); threshold an assumption"),
        _p("china.cost_weight", 3.0, "grievance per unit cost", 0.0, 10.0,
           "how much China's own cost of punishing the target (what China buys from it that it cannot readily "
           "replace, as a share of China's imports) raises the bar for trade measures",
           "Zhang (2019), China's Gambit: coercion is cost-balanced, so a small supplier of substitutable goods "
           "is a cheap example and a large supplier of iron ore a dear one; weight an assumption searched against "
           "the episode library (3: the European Union, 11% of China's imports, met its Xinjiang sanctions with "
           "counter-sanctions, not measures; docs/calibration.md)"),
        _p("china.substitutability", 0.6, "1", 0.0, 1.0,
           "how easily China replaces a sector's goods (1 = freely) where the scenario gives no "
           "sectors.<name>.china_replaceability",
           "Zhang (2019): Beijing targets goods it can replace (logs, lobster, wine before infant formula: Xinhua 2019/2021, RNZ 2021 on sector shares); value an assumption"),
        _p("china.example_weight", 2.0, "grievance per unit", 0.0, 5.0,
           "how much the record of affronts (the value of making an example of the target) lowers the bar for "
           "trade measures and for restrictions on people",
           "Zhang (2019): coercion as a signal to others, used after affronts Beijing wants not repeated; "
           "value an assumption searched against the episode library's fitting episodes (2: the record counts "
           "twice the grievance of the moment, so measures follow runs of affronts, not one affront on Tibet; "
           "docs/calibration.md)"),
        _p("china.record_below_head", 0.2, "1", 0.0, 1.0,
           "share of an affront committed below the head of state or government (a minister, parliament, a "
           "body outside government) that enters Beijing's record",
           ASSUMPTION + "Fuchs and Klann (2013): exports to China fell 8.1% on average for two years after a "
           "meeting with the Dalai Lama at the level of head of state or government, with no significant "
           "effect at lower levels; 0.2 rather than 0 so that a run of ministerial acts still adds up"),
        _p("china.symbolic_record_share", 0.25, "1", 0.0, 1.0,
           "share of an affront on Tibet or human rights that enters the record of affronts (which brings "
           "measures on goods and people); the rest is answered by statements and a freeze",
           ASSUMPTION + "in the episode library meetings with the Dalai Lama (France 2008, the United Kingdom "
           "2012, Germany 2007) and the EU's Xinjiang sanctions (2021) brought freezes of contact and "
           "counter-sanctions, not measures on goods, where disputes over territory and a run of acts "
           "aimed at China (the Philippines 2012, Australia 2018-2020) brought measures on goods and "
           "tourism; a quarter is a judgement"),
        _p("china.freeze_threshold", 2.1, "grievance", 0.0, 10.0,
           "grievance at which an affront at the highest level brings a freeze of high-level contact "
           "with even chance",
           ASSUMPTION + "Beijing suspended dialogues with Germany (Sep 2007), postponed the EU-China summit "
           "over France (Nov 2008) and froze ministerial contact with the United Kingdom (May 2012) and "
           "Denmark (2009) after meetings with the Dalai Lama at head-of-government level, and with no "
           "New Zealand leader over summit remarks 2022-2025 (episode library; facts compiled for the "
           "project); the threshold sits above the grievance such remarks bring"),
        _p("china.freeze_scale", 0.15, "grievance", 0.01, 5.0,
           "logistic scale of the freeze decision",
           ASSUMPTION + "as for statements (china.statement_scale)"),
        _p("china.freeze_lift_hazard", 0.01, "per week", 0.0, 1.0,
           "weekly probability that a freeze ends without a concession, once grievance is below china.freeze_threshold",
           ASSUMPTION + "the United Kingdom's freeze after May 2012 lasted about a year and a half, to the "
           "Chancellor's visit of Oct 2013, with no statement on Tibet (episode library)"),
        _p("china.freeze_export_loss", 0.081, "fraction of China exports", 0.0, 0.5,
           "share of the target's goods exports to China lost while high-level contact is frozen (state "
           "buying and delegations), for at most two years of a freeze",
           "Fuchs and Klann (2013): exports to China 8.1% lower on average in the two years after a meeting "
           "with the Dalai Lama at the level of head of state or government"),
        _p("china.people_threshold", 5.5, "grievance", 0.0, 20.0,
           "grievance at which the weekly hazard of restricting tourists and students is at half its maximum "
           "(before the record of affronts lowers it)",
           ASSUMPTION + "group tours to Palau stopped (Nov 2017), tours to the Philippines suspended (May "
           "2012) and travel and study warnings on Australia (Jun 2020) followed disputes over "
           "sovereignty and runs of affronts (episode library; ASPI, Hanson et al. 2020); cheap for "
           "Beijing, so below the trade bar"),
        _p("china.people_fraction", 0.5, "fraction", 0.0, 1.0,
           "share of the spending of visitors and students from China lost while restrictions on people are in force",
           ASSUMPTION + "group tours are most Chinese visitors to small destinations (Palau 2017-2018), less "
           "so for students; a half is a judgement"),
        _p("china.concession_lift_hazard", 0.35, "per week", 0.0, 1.0,
           "weekly probability that each of Beijing's measures is lifted after a full concession (scaled by "
           "the concession's level)",
           ASSUMPTION + "France's summit was restored within weeks of the communique of 1 Apr 2009, "
           "Denmark's contacts within weeks of its note of Dec 2009, Germany's dialogues after the "
           "Foreign Minister's letter of Jan 2008 (episode library): about two to three weeks"),
        _p("china.concession_relief", 0.8, "1", 0.0, 1.0,
           "share of the record of affronts a full concession clears",
           ASSUMPTION + "a statement meeting Beijing's demand restored relations in full (France 2009, "
           "Denmark 2009), so little of the record remained; not all, as Beijing remembers"),
        _p("china.cost_lift_rate", 0.01, "per week per unit cost per year", 0.0, 0.5,
           "extra weekly probability of lifting a measure per unit of China's own cost and per year the "
           "measure has been in force: measures end when their cost to China mounts",
           ASSUMPTION + "Australian coal was let back in from early 2023 as China's own power shortages of "
           "2021-2022 made the ban dear (ASPI 2023; trade press); the rate is a judgement"),
        _p("china.lift_hazard", 0.03, "per week", 0.0, 1.0,
           "weekly probability of lifting one of Beijing's restrictions once grievance is below the trade bar and the record has faded (china.lift_fraction)",
           "Australia 2020: measures lifted step by step to Dec 2024 (ABS; ASPI 2023); value an assumption"),
        _p("china.lift_fraction", 0.5, "1", 0.0, 1.0,
           "fraction of the accumulated grievance's peak while Beijing's own measures are in force (from its level at "
           "imposition) to which it must fade before Beijing lifts them",
           ASSUMPTION + "backing down while the grievances that brought the measures are fresh would cost "
           "Beijing its reputation for resolve (Zhang 2019); Australia's measures of 2020 were lifted step "
           "by step to Dec 2024 with its policy unchanged (ABS; ASPI 2023), i.e. as the record faded; "
           "half is a judgement"),
        _p("china.wedge_threshold", 0.3, "grievance", 0.0, 5.0,
           "grievance of the moment plus accumulated grievance below which restraint can be rewarded "
           "with warmth (the wedge channel)",
           ASSUMPTION + "keeping a soft Five Eyes member is worth something to Beijing"),
        _p("china.wedge_hazard", 0.04, "per week", 0.0, 1.0,
           "weekly probability of a warm gesture (high-level visit, trade growth) when grievance is low and NZ restrained",
           ASSUMPTION + "Hipkins' 2023 China visit emphasised trade (Capie 2023)"),
        _p("china.wedge_trade_boost", 0.02, "fraction of China exports", 0.0, 0.2,
           "extra China exports for the rest of the horizon after a warm gesture",
           ASSUMPTION + "modest; trade growth follows warmth"),
        _p("china.restriction_fraction", 0.5, "fraction", 0.0, 1.0,
           "fraction of a targeted sector's China exports lost while a restriction is active",
           "Australia 2020: wine to China -92% (ABS, Australia's trade in goods with China in 2020); average over sectors an assumption"),
        # --- Public ------------------------------------------------------------------------
        _p("public.threat_half_life_weeks", 7.0, "weeks", 1.0, 104.0,
           "half-life of event-driven changes in voters' threat perception",
           "Asia NZ Foundation: threat 37% (Nov 2021) to 58% (Jun 2022) back to 37% (Nov 2022): "
           "mostly reverted in about five months"),
        _p("public.rebuke_threat_shock", 0.04, "threat logit", 0.0, 2.0,
           "rise in voters' threat perception (logit scale) after an official rebuke",
           ASSUMPTION + "statements are noticed but mild"),
        _p("public.warning_threat_shock", 0.08, "threat logit", 0.0, 2.0,
           "rise in threat perception after a warning",
           ASSUMPTION + "twice a rebuke"),
        _p("public.coercion_threat_shock", 0.5, "threat logit", 0.0, 3.0,
           "rise in threat perception when trade measures are imposed",
           ASSUMPTION + "Australia 2020: coercion hardened opinion (Lowy Institute polls); magnitude assumed"),
        _p("public.warmth_threat_shock", -0.08, "threat logit", -2.0, 0.0,
           "change in threat perception after a warm gesture from Beijing",
           ASSUMPTION + "warm diplomacy lowers perceived threat"),
        _p("public.memory_half_life_weeks", 78.0, "weeks", 13.0, 1040.0,
           "half-life of the lasting part of voters' threat perception (what they remember of Beijing's conduct)",
           ASSUMPTION + "the Asia NZ Foundation series rose for good 2019-2021 (21%, 35%, 37%) yet was back at "
           "37% in Nov 2022 after the Solomon Islands agreement: memories last a year or two, not for ever; "
           "78 weeks set with the conduct effects on those readings (a fit, docs/calibration.md)"),
        _p("public.memory_share", 0.3, "1", 0.0, 1.0,
           "share of the threat shock from Beijing's words and warmth toward NZ (statements, warnings, warmth) "
           "that lasts in memory",
           ASSUMPTION + "an act aimed at New Zealand is remembered as conduct, like coercion of a partner"),
        _p("public.measure_memory_share", 0.6, "1", 0.0, 1.0,
           "share of the threat shock from Beijing's measures against NZ (on goods, on visitors and students, "
           "a freeze of contact) that lasts in memory",
           ASSUMPTION + "measures that cost livelihoods are remembered longer than words (twice "
           "public.memory_share): Australians' view of China stayed hard while the measures lasted, 41% "
           "'more of a security threat' in March 2020, 63% in 2021 and 63% in 2022 (Lowy Institute Poll); "
           "set so that the threat share rises from May 2020 to mid-2021 in australia-2020 (a fit, "
           "docs/calibration.md)"),
        _p("public.conduct_noise", 0.3, "log scale", 0.0, 2.0,
           "standard deviation of the log of how strongly one event of Beijing's conduct registers with voters "
           "(1 on average, drawn per event and run)",
           ASSUMPTION + "the same kind of event lands harder in one news cycle than another; 0.3 lets an "
           "event weigh from about half again to two thirds of its usual effect in one run in ten"),
        _p("public.perception_convergence", 0.3, "1", 0.0, 0.5,
           "fraction of the gap in what they remember of Beijing's conduct that two voters close when they talk",
           ASSUMPTION + "social influence on perception as on stance (Deffuant et al. 2000's mu), without a "
           "confidence bound: voters share news more readily than positions"),
        _p("public.blame_bias", 0.0, "logit", -5.0, 5.0,
           "log-odds that a typical voter blames Beijing rather than the government while Beijing coerces NZ",
           ASSUMPTION + "Lowy Institute polls 2020-2021: Australians backed their government as trust in China "
           "fell; the pull of each voter's threat, pride and pain sets the split, not this constant"),
        _p("public.blame_threat", 1.0, "logit per threat logit", 0.0, 5.0,
           "how much more a voter who sees China as a threat blames Beijing",
           ASSUMPTION + "threat perception and blame of the coercer move together (Lowy Institute 2020-2021)"),
        _p("public.blame_pride", 2.0, "logit per attachment", 0.0, 10.0,
           "how much more a voter attached to the independent tradition (national pride) blames Beijing, per "
           "unit of attachment above one half",
           "Galtung (1967): sanctions can rally the target's public round its government; magnitude an assumption"),
        _p("public.blame_pain", 2.0, "logit per sensitivity", 0.0, 10.0,
           "how much more a voter sensitive to trade pain blames the government, per unit of sensitivity above "
           "the mean",
           ASSUMPTION + "those who pay for a dispute blame whoever they think could have avoided it"),
        _p("public.blame_provocation", 4.0, "logit per stance", 0.0, 20.0,
           "how much more a voter blames the government per unit its stance lies beyond the voter's ideal (it "
           "provoked Beijing)",
           ASSUMPTION + "a voter who thought the government went too far sees the measures as its doing"),
        _p("public.blame_solidarity", 0.2, "logit per partner", 0.0, 2.0,
           "how much more voters blame Beijing for each partner that stands by NZ",
           ASSUMPTION + "partners' statements frame the measures as coercion, not as a quarrel NZ started"),
        _p("public.blame_shield", 0.8, "1", 0.0, 1.0,
           "share of trade pain a voter who blames Beijing does not hold against the government",
           ASSUMPTION + "Australians' support held through 2020-2021 while exporters lost A$20bn of access "
           "(Lowy Institute polls; facts compiled for the project)"),
        _p("public.dispute_polarisation", 0.15, "stance", 0.0, 0.5,
           "how far a voter's ideal stance moves, while Beijing coerces NZ, toward holding firm (blames Beijing) "
           "or giving way (blames the government)",
           ASSUMPTION + "a dispute splits opinion on what to do, not only on whom to blame (Lowy Institute "
           "polls 2020-2021: most Australians backed the government's firm line, a minority wanted it to mend "
           "relations)"),
        _p("public.rally_weight", 0.1, "stance", 0.0, 1.0,
           "approval bonus, at a rally's start, for a voter who blames Beijing",
           "Mueller (1970); Baker and Oneal (2001): rallies round the flag are real but modest; magnitude an "
           "assumption"),
        _p("public.rally_half_life_weeks", 13.0, "weeks", 1.0, 104.0,
           "half-life of the rally after a new measure",
           "Mueller (1970); Baker and Oneal (2001): rallies fade within months; value an assumption"),
        _p("public.mixing_fraction", 0.1, "1", 0.0, 1.0,
           "fraction of voters who meet a random other voter each week (Deffuant mixing)",
           ASSUMPTION + "weekly conversations about foreign policy are rare"),
        _p("public.confidence_bound", 0.25, "stance", 0.0, 1.0,
           "bounded-confidence threshold: voters further apart than this do not move",
           "Deffuant et al. (2000); value an assumption"),
        _p("public.convergence", 0.3, "1", 0.0, 0.5,
           "fraction of the gap each voter closes after a conversation (Deffuant mu)",
           "Deffuant et al. (2000) use 0.3-0.5"),
        _p("public.threat_to_ideal", 0.3, "stance per unit threat", 0.0, 1.0,
           "how far a voter's ideal stance shifts toward alignment per unit of perceived threat above one half",
           ASSUMPTION + "threat perception pushes voters toward partners; 0.3 keeps a 58% threat peak "
           "from moving the mean ideal by more than a tenth"),
        _p("public.ideal_adjust", 0.05, "per week", 0.0, 1.0,
           "weekly rate at which ideal stances move toward their threat-adjusted anchor",
           ASSUMPTION + "opinions follow threat with a lag of a few months"),
        _p("public.tolerance", 0.10, "stance", 0.01, 1.0,
           "distance between the government's stance and a voter's ideal beyond which the voter disapproves",
           ASSUMPTION + "sets the approval scale"),
        _p("public.salience_weight", 0.5, "1", 0.0, 5.0,
           "how much more the distance between stance and ideal counts per unit of foreign-policy salience",
           ASSUMPTION + "summits put foreign policy in the news for a week or two"),
        _p("public.salience_half_life_weeks", 4.0, "weeks", 0.5, 52.0,
           "half-life of the domestic salience of foreign policy after an event",
           ASSUMPTION + "a summit stays in the news for a week or two"),
        _p("public.trade_pain_weight", 2.0, "stance per fraction lost", 0.0, 10.0,
           "how much lost exports (fraction of China exports) count against approval, times a voter's trade sensitivity",
           ASSUMPTION + "exporters' losses are felt as a failure of foreign policy"),
        _p("public.independence_weight", 0.15, "stance", 0.0, 1.0,
           "approval bonus, per unit of the government's independence credibility, for a voter fully attached to the tradition",
           ASSUMPTION + "Capie (2023): Madrid remarks had 'a domestic audience in mind'"),
        _p("public.partisan_weight", 0.1, "stance", 0.0, 1.0,
           "approval bonus for voters whose party lean matches the governing bloc",
           ASSUMPTION + "partisanship colours evaluations of foreign policy"),
        *_conduct_parameters(),
        # --- Interest groups ---------------------------------------------------------------
        _p("exporters.pressure_weight", 1.0, "1", 0.0, 5.0,
           "how strongly exporters' pressure adds to the government's trade weight",
           ASSUMPTION + "exporters lobby in proportion to exposure and perceived risk"),
        _p("exporters.risk_learning", 0.3, "per week", 0.0, 1.0,
           "weekly fraction by which exporters' perceived risk moves toward China's rung (as a fraction of the top rung)",
           ASSUMPTION + "exporters react within weeks to statements and measures"),
        _p("security.pressure_weight", 1.0, "1", 0.0, 5.0,
           "how strongly the security establishment's pressure adds to the government's security weight",
           ASSUMPTION + "officials press for interoperability (Capie 2023)"),
        _p("security.interop_target", 0.7, "interoperability", 0.0, 1.0,
           "interoperability the security establishment wants",
           ASSUMPTION + "'the ability to operate easily with key security partners' (Capie 2023)"),
        # --- Election ----------------------------------------------------------------------
        _p("election.approval_weight", 0.04, "vote share per approval", 0.0, 0.5,
           "change in the incumbent bloc's vote share per unit of foreign-policy approval above one half",
           ASSUMPTION + "foreign policy rarely moves NZ votes: 2023 was decided on the economy "
           "(Labour -23.1 points amid recession; Electoral Commission); no NZ poll asks about NATO"),
        _p("election.economy_weight", 0.08, "vote share", 0.0, 0.5,
           "fall in the incumbent's share in a recession",
           "2023: Labour 26.92%, down 23.1 points, after a technical recession (Stats NZ; Electoral "
           "Commission); magnitude an assumption"),
        _p("election.trade_loss_weight", 0.3, "vote share per fraction lost", 0.0, 2.0,
           "fall in the incumbent's share per fraction of China exports lost",
           ASSUMPTION + "export losses are economic pain"),
        _p("election.noise", 0.03, "vote share", 0.0, 0.2,
           "standard deviation of the campaign shock to the incumbent's share",
           ASSUMPTION + "typical poll-to-result error in NZ is a few points"),
    ]
)

#: Every parameter, in the table's order: the model's own, then the channel coefficients of each
#: signal kind (in the signal catalogue's order), which :mod:`nzsim.catalogue.signals` adds.
PARAMETERS: Registry[Parameter] = Registry("parameter")
_defaults: dict[str, float] = {}
#: Each parameter's default, by name (a read-only view that follows the table).
DEFAULTS: Mapping[str, float] = MappingProxyType(_defaults)
#: Each parameter, by name (a read-only view that follows the table).
BY_NAME: Mapping[str, Parameter] = PARAMETERS.view()


def add(parameter: Parameter, *, origin: str | None = None) -> Parameter:
    """Add a parameter to the table (after the others)."""
    PARAMETERS.add(parameter, origin=origin)
    _defaults[parameter.name] = parameter.default
    return parameter


def remove(name: str) -> Parameter:
    parameter = PARAMETERS.remove(name)
    del _defaults[name]
    return parameter


for _parameter in _TABLE:
    add(_parameter, origin=__name__)


def resolve(overrides: Mapping[str, float] | None = None) -> dict[str, float]:
    """Return the full parameter mapping: defaults updated with ``overrides``.

    Raises:
        KeyError: an override names no parameter.
        ValueError: an override lies outside the parameter's range.
    """
    values = dict(DEFAULTS)
    for name, value in (overrides or {}).items():
        if name not in BY_NAME:
            raise KeyError(name)
        p = BY_NAME[name]
        if not p.low <= value <= p.high:
            raise ValueError(f"{name}={value} outside [{p.low}, {p.high}]")
        values[name] = float(value)
    return values
