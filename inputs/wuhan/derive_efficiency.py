"""Derivation of efficiency.csv: autonomous intensity change per sector from an additive LMDI-I
decomposition (model/analysis/lmdi.py) of the shipped history 2015 → 2019.

Reads energy.csv (written by derive.py) and macro.csv in this folder; writes efficiency.csv.
Labels as in SOURCES.md: [S] sourced, [D] derived, [R] recalled, [E] estimate.
Run it again after derive.py (`python inputs/wuhan/derive_efficiency.py`); tests/test_dataset.py
checks that the shipped efficiency.csv equals what this script writes.

Steps:
1. Energy of each LMDI group (万tce, all carriers of its end-use sectors, electricity at the
   calorific 0.1229 kgce/kWh, feedstock included) in 2015 and 2019 from energy.csv.
2. Activity: industry = secondary value added, services and transport = tertiary value added,
   agriculture = primary value added (亿元, GDP × share), households = population (万人).
   GDP is the 2015 current-price gdp_current of macro.csv [S] carried forward at the city's
   real growth rates (REAL_GDP_GROWTH), so the rates hold no price inflation.
3. Group intensity rate r_g (%/yr) = 100·((I_2019/I_2015)^(1/4) − 1), from its LMDI effect.
4. Sector rate = r_g × (1 − share of the intensity change that the model's measures would
   explain, MEASURE_SHARE), rounded to 0.01; a rising group intensity (r_g > 0) gives 0 [E]:
   an autonomous rise is not an efficiency trend, and the model's activity drivers already
   carry demand growth. Power, heat, non-energy agriculture, sinks and CCUS are 0 (they change
   through measures; no energy history of their own that an intensity trend applies to).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the repository root, for model.lmdi

from peakpath.analysis.lmdi import decompose, intensity_rates  # noqa: E402

Y0, Y1 = 2015, 2019
SHARE_YEARS = (2015, 2020)  # macro.csv gives the sector shares of GDP in these years [S]

# model sector -> LMDI group [D]: construction belongs to the secondary sector (NBS three-sector
# classification [R]); transport (incl. private cars) is counted with services, as in the
# tertiary sector; agriculture energy with the primary sector.
GROUP_OF = {
    "steel": "industry", "petrochem": "industry", "chemicals": "industry",
    "building_materials": "industry", "other_manufacturing": "industry",
    "construction": "industry",
    "public_commercial": "services_transport", "road_passenger": "services_transport",
    "road_freight": "services_transport", "rail_metro": "services_transport",
    "water": "services_transport", "aviation": "services_transport",
    "residential": "households",
    "agri_energy": "agriculture",
}
# activity of each group: (macro.csv aggregate, share variable or None = its own aggregate)
ACTIVITY = {
    "industry": ("gdp_current", "secondary_share"),
    "services_transport": ("gdp_current", "tertiary_share"),
    "agriculture": ("gdp_current", "primary_share"),  # 100 − secondary − tertiary [D]
    "households": ("population", None),
}
# share of a group's historical intensity change that the model's listed measures would
# explain (so that measures and the autonomous trend do not count the same saving twice):
MEASURE_SHARE = {
    # Ten Key Projects (boilers, CHP, waste heat/pressure, motors, system optimisation,
    # buildings, lighting: the kinds of steel_efficiency, industrial_waste_heat,
    # motor_system_efficiency, industrial_coal_to_gas ...) target 240 Mtce in the 11th FYP
    # [S: iepd.iipnetwork.org, Ten Key Projects Program] of ≈ 630 Mtce saved nationally [R]
    # = 38 %; the Top-10,000 enterprise programme's 250 Mtce = 37 % of the 12th FYP saving
    # target of 670 Mtce [S: climatepolicydatabase.org; en.people.cn 2011-10-03] -> 0.37 [D]
    "industry": 0.37,
    # building retrofit, LED, green new buildings and vehicle/bus electrification are measures;
    # 2015-19 electrification was small (6.85 万 NEVs of ≈ 300 万 cars at end-2019 [S/E], 34 %
    # of buses [S]) and fuel-economy standards and load factors are not -> 0.30 [E]
    "services_transport": 0.30,
    # retrofit, green new homes, appliances, heat pumps are measures -> 0.5 [E] (the group's
    # intensity rose 2015-19, so the share does not enter the rate)
    "households": 0.50,
    # only farm-machinery electrification is a measure, little of it before 2020 -> 0.10 [E]
    "agriculture": 0.10,
}
# every sector of efficiency.csv, in its order; sectors not in GROUP_OF are 0
SECTORS = ["power_coal", "power_gas", "power_waste", "power_renewable", "heat", "steel",
           "petrochem", "chemicals", "building_materials", "other_manufacturing",
           "construction", "residential", "public_commercial", "road_passenger",
           "road_freight", "rail_metro", "water", "aviation", "agri_energy", "rice",
           "livestock", "fertiliser", "forest", "wetland", "ccus"]


def _macro(variable: str, year: int, macro: pd.DataFrame) -> float:
    """A macro.csv value; shares between their given years linear [D]."""
    if variable == "primary_share":
        return 100.0 - _macro("secondary_share", year, macro) \
            - _macro("tertiary_share", year, macro)
    rows = macro[macro["variable"] == variable].set_index("year")["value"]
    if year in rows.index:
        return float(rows[year])
    a, b = SHARE_YEARS
    return float(rows[a] + (rows[b] - rows[a]) * (year - a) / (b - a))


#: real GDP growth of Wuhan, 2016–2019, at comparable prices: 2018 +8.0 % [S: 长江日报
#: 2019-01-25 (bcjhc.cn), "比上年增长8.0%"]; 2016 +7.8 %, 2017 +8.0 %, 2019 +7.4 % [R: the
#: city's statistical bulletins, not re-checked]. The LMDI activity is 2015 GDP carried forward
#: at these rates, so the intensity rates hold no price inflation.
REAL_GDP_GROWTH = {2016: 0.078, 2017: 0.080, 2018: 0.080, 2019: 0.074}


def _real_gdp(year: int, macro: pd.DataFrame) -> float:
    """GDP of ``year`` at 2015 prices (亿元) [D]: 2015 current-price GDP [S] × real growth."""
    g = float(macro[(macro["variable"] == "gdp_current") & (macro["year"] == Y0)]["value"]
              .iloc[0])
    for y in range(Y0 + 1, year + 1):
        g *= 1.0 + REAL_GDP_GROWTH[y]
    return g


def lmdi_frame(energy: pd.DataFrame, macro: pd.DataFrame) -> pd.DataFrame:
    """LMDI input per group (see model.lmdi.decompose) for Y0 -> Y1."""
    e = energy[energy["sector"].isin(GROUP_OF) & energy["year"].isin([Y0, Y1])]
    e = e.assign(group=e["sector"].map(GROUP_OF))
    by = e.pivot_table(index="group", columns="year", values="value", aggfunc="sum")
    rows = {}
    for g, (agg, share) in ACTIVITY.items():
        if agg == "gdp_current":
            q0, q1 = _real_gdp(Y0, macro), _real_gdp(Y1, macro)
        else:
            q0, q1 = _macro(agg, Y0, macro), _macro(agg, Y1, macro)
        s0 = _macro(share, Y0, macro) / 100 if share else 1.0
        s1 = _macro(share, Y1, macro) / 100 if share else 1.0
        rows[g] = {"energy_0": by.loc[g, Y0], "energy_1": by.loc[g, Y1],
                   "activity_0": q0 * s0, "activity_1": q1 * s1,
                   "aggregate_0": q0, "aggregate_1": q1}
    return pd.DataFrame.from_dict(rows, orient="index")


def derivation(here: Path = HERE) -> pd.DataFrame:
    """Per group: the LMDI effects (万tce), the intensity rate, the measures' share and the
    resulting autonomous rate (%/yr)."""
    frame = lmdi_frame(pd.read_csv(here / "energy.csv"), pd.read_csv(here / "macro.csv"))
    d = decompose(frame).join(intensity_rates(frame, Y1 - Y0))
    d["measure_share"] = pd.Series(MEASURE_SHARE)
    raw = d["rate_pct_per_yr"] * (1.0 - d["measure_share"])
    d["autonomous_pct_per_yr"] = raw.where(raw < 0, 0.0).round(2)
    return d


#: sectors whose activity is a physical output (万t crude steel, crude oil processed, clinker):
#: a value-added intensity trend says nothing about energy per tonne on a fixed route, so
#: their efficiency comes from the explicit measures only, as in TIMES and MESSAGE [E]
PHYSICAL_OUTPUT = {"steel", "petrochem", "building_materials"}


#: electricity per unit of activity in the end uses whose electricity is not a listed measure
#: rises by this much a year (%/yr) [D]: the one rate at which the current-policy reference
#: reproduces Wuhan's electricity growth 2021→2025, 684.42 → 857.12 亿kWh = +5.79 %/yr [S:
#: 国网武汉供电公司 via 湖北日报 2022-01-04; 2025 figure via reportify.ai] (bisection on the
#: solved reference: 3.6 → 5.70, 3.7 → 5.77, 3.8 → 5.84 %/yr). It is the intensity rise of the
#: LMDI (households +7.96, services +1.73 %/yr in 2015–19) showing up where the statistics
#: put it, and it agrees with the 2025 sector growth: residential +3.84 % [S] against the
#: model's 0.3 % activity + 3.7 %, manufacturing +7.57 % [S] against ≈ 5 % + 3.7 %.
ELECTRICITY_TREND_PCT = 3.7
#: the trend applies through the calibration window only: no sourced Wuhan or Hubei demand
#: forecast says it goes on, so after 2025 electricity follows activity (as the other fuels do,
#: at the intensity reached in 2025)
ELECTRICITY_TREND_END = 2025
ELECTRICITY_TREND_SECTORS = ("chemicals", "other_manufacturing", "construction", "residential",
                             "public_commercial")


def efficiency_rows(here: Path = HERE) -> list[dict]:
    rate = derivation(here)["autonomous_pct_per_yr"]
    out = []
    for s in SECTORS:
        r = float(rate[GROUP_OF[s]]) if s in GROUP_OF and s not in PHYSICAL_OUTPUT else 0.0
        out.append({"sector": s, "fuel": "", "rate": f"{r:g}" if r else "0", "end_year": "",
                    "unit": "%/yr"})
    out += [{"sector": s, "fuel": "electricity", "rate": f"{ELECTRICITY_TREND_PCT:g}",
             "end_year": str(ELECTRICITY_TREND_END), "unit": "%/yr"}
            for s in ELECTRICITY_TREND_SECTORS]
    return out


def main() -> None:
    rows = efficiency_rows()
    with open(HERE / "efficiency.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
