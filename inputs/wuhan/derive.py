"""Derivation of the calibrated base-year and history tables of the Wuhan dataset.

Writes activity.csv, energy.csv and process.csv in this folder from the constants below.
Every constant carries its label as in SOURCES.md and ../../../shared/reference-data.md:
[S] sourced, [D] derived (arithmetic shown), [R] recalled standard/official figure, [E] estimate.
History years (2005, 2010–2019): each sector's base-year energy follows the Hubei CEADs trend of
its sector (the split), times one factor per year that puts the city's scope-1 CO2 on the CEADs
Wuhan city series relative to 2019 (the level); see `level_factor`.
Run it again after changing a constant (`python inputs/wuhan/derive.py`); the test
tests/test_dataset.py checks that the shipped CSVs equal what this script writes.

Units: energy in 万tce (electricity at the calorific equivalent 0.1229 kgce/kWh),
activity in each sector's unit, emissions in 万t of the gas.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE = 2020
CITY = "wuhan"
HISTORY = [2005, *range(2010, 2021)]

# --- conversion constants ------------------------------------------------------------------
KGCE_PER_KWH = 0.1229  # calorific equivalent, GB/T 2589-2020 [R]
TCE_PER_YI_KWH = KGCE_PER_KWH * 10.0  # 万tce per 亿kWh [D]

# --- local power and heat ------------------------------------------------------------------
YANGLUO_YI_KWH = 115.0  # Huaneng Yangluo 11.5 TWh/yr [S: hb.cri.cn 2023-11-20]
# other coal CHP/captive units: 2.2 GW other thermal [D/E] less gas 0.3 and WtE 0.2
OTHER_COAL_GW = 1.7
OTHER_COAL_HOURS = 4500.0  # [E] CHP units run near Yangluo's 4,475 h (11.5 TWh / 2.57 GW) [D]
COAL_RATE_GCE = 305.0  # gce/kWh supplied, national average 2020 [R] (reference §3.1)
GAS_POWER_YI_KWH = 0.3 * 3000 / 100  # 0.3 GW gas units × 3,000 h [E] = 9 亿kWh
CCGT_EFFICIENCY = 0.56  # DEA CCGT, PyPSA-China-PIK costs_2020.csv [S]
WTE_YI_KWH = 0.2 * 6000 / 100  # 0.2 GW waste-to-energy in 2020 [E] × 6,000 h [E] = 12 亿kWh
WTE_EFFICIENCY = 0.22  # net electrical efficiency of MSW incineration [E]
# PV 0.15 GW × 1,000 h + wind 0.10 GW × 2,000 h [E]
RENEWABLE_YI_KWH = 0.15 * 1000 / 100 + 0.10 * 2000 / 100
HEAT_FUEL = {"coal": 400.0, "natural_gas": 40.0}  # heat-only boilers and CHP heat share [E]
HEAT_EFFICIENCY = 0.85  # delivered heat per unit of fuel [E]
# where the delivered heat goes (shares sum to 1) [E]: steam users in the Chemical Industrial
# Zone and manufacturing; little district heating in the hot-summer/cold-winter zone.
HEAT_USERS = {"petrochem": 0.29, "chemicals": 0.23, "other_manufacturing": 0.33,
              "public_commercial": 0.10, "residential": 0.05}

# --- electricity use, TWh: the city total and its split are sourced ------------------------
# Wuhan 全社会用电量 2021: 684.42 亿kWh, +20.33 % on 2020 and +11.12 % on 2019 [S: 湖北日报
# 2022-01-04 (hb.cri.cn), data of 国网武汉供电公司] -> 2019 = 615.9 亿kWh [D]; the base year
# carries the 2019/2021 mean (as GDP, SOURCES.md): (615.9 + 684.4) / 2 = 650.2 亿kWh [D].
ELEC_TOTAL_TWH = (684.42 / 1.1112 + 684.42) / 2 / 10
# Jan–Nov 2021 split [S, same]: primary 2.98, secondary 305.75, tertiary 198.67, residential
# 117.66 亿kWh (of 625.06). Within the secondary sector the plant-based sectors keep their
# estimates [E] (steel 350 kWh/t, refinery 3.0, chemicals 2.5, clinker and glass 1.2,
# construction 1.5 TWh) and other manufacturing takes the rest [D]; within the tertiary sector
# road 0.3 and rail/metro 2.4 TWh [E], public and commercial buildings the rest [D].
_SPLIT = {"primary": 2.98, "secondary": 305.75, "tertiary": 198.67, "residential": 117.66}
_SHARE = {k: v / sum(_SPLIT.values()) for k, v in _SPLIT.items()}
_PLANTS_TWH = 1700.0 * 350 / 1e5 + 3.0 + 2.5 + 1.2 + 1.5  # steel, petrochem, chem., b.m., constr.
ELEC_TWH = {
    "other_manufacturing": ELEC_TOTAL_TWH * _SHARE["secondary"] - _PLANTS_TWH,
    "public_commercial": ELEC_TOTAL_TWH * _SHARE["tertiary"] - 0.3 - 2.4,
    "residential": ELEC_TOTAL_TWH * _SHARE["residential"],
    "agri_energy": ELEC_TOTAL_TWH * _SHARE["primary"],
}

# --- end-use sectors: base activity and fuel use per unit of activity ----------------------
# (sector, activity, unit, {fuel: 万tce per activity unit}, electricity TWh)
STEEL_MT = 1700.0  # 万t crude steel; WISCO run-rate ≈ 17 Mt/yr [D from S], current 15–17 [E]
END_USE = {
    # steel: coke & coal gases 0.42 tce/t (BF coke rate ≈ 0.38 t coke/t HM × 0.9714 × 0.9 HM/t
    # steel plus gases [R/E]); raw coal 0.33 tce/t (PCI, sinter, captive boilers [E]);
    # gives 2.2 t CO2/t steel, top of the 1.8–2.2 BF-BOF range [S].
    "steel": (STEEL_MT, "万t粗钢", {"coke": 0.42, "coal": 0.33, "natural_gas": 0.02,
                                   "oil": 0.008}, STEEL_MT * 350 / 1e5),  # 350 kWh/t [E]
    # refinery 8–10 Mt crude [R/E]; fuel oil & refinery gas, gas, captive coal CHP [E];
    # naphtha feedstock of 0.8 Mt ethylene [S] × 3.1 t/t [E] × 1.4714 tce/t [R] = 365 万tce
    "petrochem": (850.0, "万t原油加工量", {"oil": (160 + 365) / 850, "natural_gas": 40 / 850,
                                        "coal": 100 / 850}, 3.0),
    "chemicals": (100.0, "指数(2020=100)", {"coal": 0.80, "natural_gas": 0.60, "oil": 0.15},
                  2.5),
    # clinker 4 Mt [E]; 0.11 tce coal/t clinker [R]; glass and ceramics gas 45 万tce [E]
    "building_materials": (400.0, "万t熟料", {"coal": 0.11, "natural_gas": 45 / 400}, 1.2),
    "other_manufacturing": (100.0, "指数(2020=100)", {"coal": 3.50, "natural_gas": 1.40,
                                                    "oil": 0.70}, ELEC_TWH["other_manufacturing"]),
    "construction": (100.0, "指数(2020=100)", {"oil": 1.00, "coal": 0.10,
                                             "natural_gas": 0.08}, 1.5),
    # 1,232.65 万 residents (census 2020) [S] × 40 m²/person [E] = 49,306 万m²
    "residential": (49306.0, "万m2", {"natural_gas": 180 / 49306, "oil": 50 / 49306,
                                      "coal": 5 / 49306}, ELEC_TWH["residential"]),
    # public and commercial floor area ≈ 0.37 of residential [E] (national public/urban
    # residential stock ≈ 14/38 bn m², Tsinghua BERC [R])
    "public_commercial": (18000.0, "万m2", {"natural_gas": 150 / 18000, "oil": 60 / 18000,
                                           "coal": 15 / 18000}, ELEC_TWH["public_commercial"]),
    # 300 万 cars [E]; 12,000 km × 7.5 L/100 km × 0.737 kg/L × 1.4714 kgce/kg ≈ 0.976 tce/car
    "road_passenger": (300.0, "万辆", {"oil": 290 / 300, "natural_gas": 15 / 300}, 0.3),
    "road_freight": (30.0, "万辆", {"oil": 250 / 30}, 0.0),  # 30 万 trucks [E]
    "rail_metro": (100.0, "指数(2020=100)", {"oil": 0.10}, 2.4),
    "water": (100.0, "指数(2020=100)", {"oil": 0.55}, 0.0),
    "aviation": (100.0, "指数(2020=100)", {"oil": 1.20}, 0.0),
    "agri_energy": (100.0, "指数(2020=100)", {"oil": 0.55, "coal": 0.13},
                    ELEC_TWH["agri_energy"]),
}

# --- non-energy sectors: activity and emission factors per activity unit -------------------
CH4_RICE_KG_HA = 237.0  # mid rice, Central-South guideline [R] (reference §3.4)
PIGS, CATTLE = 125.0, 7.5  # 万头 [E] (reference §1.7: pigs 1–1.5 M, cattle 0.05–0.1 M)
CH4_PIG_KG, CH4_CATTLE_KG = 1.0 + 5.0, 47.0  # enteric 1 + manure 5 [R/E]; other cattle 47 [R]
N2O_PER_N = 0.01 * 44 / 28  # IPCC EF1 0.01 kg N2O-N per kg N [R] × 44/28
NON_ENERGY = {
    "rice": (80.0, "千公顷", {"CH4": CH4_RICE_KG_HA * 1000 / 1e7}),  # kha; 万t CH4 per kha
    "livestock": (PIGS + CATTLE, "万头",
                  {"CH4": (PIGS * CH4_PIG_KG + CATTLE * CH4_CATTLE_KG) * 1e4 / 1e7
                   / (PIGS + CATTLE)}),
    "fertiliser": (35.0, "千吨N", {"N2O": N2O_PER_N * 1000 / 1e4}),  # kt N [E]; 万t N2O per kt N
    "forest": (166.7, "千公顷", {"CO2": -3.7 * 1000 / 1e4}),  # 166.7 kha [S]; 3.7 t/ha/yr [D]
    "wetland": (162.5, "千公顷", {"CO2": -1.0 * 1000 / 1e4}),  # 162.5 kha [S]; 1.0 t/ha [E]
}
CLINKER_PROCESS_T_PER_T = 0.525  # t CO2 per t clinker [R 0.52–0.54]

POWER = {  # sector: (generation 亿kWh, {fuel: 万tce per 亿kWh})
    "power_coal": (YANGLUO_YI_KWH + OTHER_COAL_GW * OTHER_COAL_HOURS / 100,
                   {"coal": COAL_RATE_GCE / 100}),
    "power_gas": (GAS_POWER_YI_KWH, {"natural_gas": TCE_PER_YI_KWH / CCGT_EFFICIENCY}),
    "power_waste": (WTE_YI_KWH, {"biomass": TCE_PER_YI_KWH / WTE_EFFICIENCY}),
    "power_renewable": (RENEWABLE_YI_KWH, {}),
}

# --- history shape: Hubei CEADs scope-1 CO2 by sector, Mt [S: CEADs provincial inventories,
# Open-Earth-Foundation/OpenClimate @822037b]; years in between interpolated linearly [D].
# They set each sector's path relative to the others; the city level is CEADS_WUHAN below.
HUBEI_CEADS = {
    "power_heat": {2005: 79.4, 2010: 131.4, 2015: 122.0, 2017: 127.2, 2019: 149.4},
    "steel": {2005: 25.8, 2010: 44.8, 2015: 43.2, 2017: 45.7, 2019: 44.3},
    "non_metallic": {2005: 24.9, 2010: 46.3, 2015: 47.1, 2017: 47.7, 2019: 47.5},
    "petroleum": {2005: 1.6, 2010: 2.4, 2015: 3.0, 2017: 2.3, 2019: 2.4},
    # chemicals swings 26.1 → 8.6 Mt (2010 → 2015), a statistical artefact: use all industry
    "industry": {2005: 73.3, 2010: 136.6, 2015: 116.3, 2017: 122.3, 2019: 113.0},
    "construction": {2005: 2.4, 2010: 5.2, 2015: 6.1, 2017: 3.2, 2019: 3.3},
    "transport": {2005: 18.3, 2010: 23.9, 2015: 29.3, 2017: 36.4, 2019: 40.9},
    "commercial": {2005: 2.1, 2010: 17.6, 2015: 16.5, 2017: 16.8, 2019: 18.6},
    "residential": {2005: 8.7, 2010: 16.5, 2015: 19.4, 2017: 19.1, 2019: 22.8},
    "agriculture": {2005: 5.2, 2010: 6.6, 2015: 8.4, 2017: 6.6, 2019: 6.8},
}
# --- history level: the CEADs Wuhan city series -------------------------------------------
# CEADs Wuhan scope-1 CO2, Mt [S: Shan et al. 2022 Sci. Bull. 67:1910, city inventories
# 1997–2019, Open-Earth-Foundation/OpenClimate @822037b; the same values as
# inventory_reference.csv]. Each history year's combustion energy is scaled so that the
# dataset's scope-1 CO2 relative to its base year equals CEADS_WUHAN[y] / CEADS_WUHAN[2019]
# (the base year carries the 2019 level) [D]; the sector split keeps the Hubei trends above.
CEADS_WUHAN = {2005: 76.2, 2010: 99.1, 2011: 86.3, 2012: 81.5, 2013: 104.3, 2014: 103.2,
               2015: 98.8, 2016: 91.0, 2017: 97.0, 2018: 98.7, 2019: 127.6}
# CO2 factors of the burned carriers, tCO2/tce, as emission_factors.csv: coal, oil, gas [R]
# (ref §3.2 model defaults); coke 2.86 tCO2/t [R] / 0.9714 tce/t [R] = 2.944 [D]; biomass 0 [R]
EF = {"coal": 2.66, "coke": 2.944, "oil": 2.10, "natural_gas": 1.63, "biomass": 0.0}
# feedstock (not burned) shares as feedstock.csv: petrochem naphtha 365 of 525 万tce oil
# = 0.6952 [D] (rounded to 4 decimals as in that file)
# chemicals: coal 40 %, gas 50 %, oil 30 % feedstock [E] (SOURCES.md, feedstock.csv)
FEEDSTOCK = {("petrochem", "oil"): 0.6952, ("chemicals", "coal"): 0.4,
             ("chemicals", "natural_gas"): 0.5, ("chemicals", "oil"): 0.3}

TREND_OF = {
    "power_coal": "power_heat", "power_gas": "power_heat", "power_waste": "power_heat",
    "heat": "power_heat", "steel": "steel", "building_materials": "non_metallic",
    "petrochem": "petroleum", "chemicals": "industry", "other_manufacturing": "industry",
    "construction": "construction", "road_passenger": "transport", "road_freight": "transport",
    "rail_metro": "transport", "water": "transport", "aviation": "transport",
    "public_commercial": "commercial", "residential": "residential",
    "agri_energy": "agriculture",
}


def _interp(points: dict[int, float], year: int) -> float:
    ys = sorted(points)
    if year <= ys[0]:
        return points[ys[0]]
    if year >= ys[-1]:
        return points[ys[-1]]
    for a, b in itertools.pairwise(ys):
        if a <= year <= b:
            return points[a] + (points[b] - points[a]) * (year - a) / (b - a)
    raise AssertionError(year)


def trend_index(sector: str, year: int) -> float:
    """History level relative to the base year. The base year carries the 2019 level
    (2020 was the COVID year; reference §6 calibrates levels to 2019/2021), so 2020 = 2019."""
    if year == BASE:
        return 1.0
    key = TREND_OF.get(sector)
    if key is None:
        return 1.0  # no history series: held at the base-year level [E]
    pts = HUBEI_CEADS[key]
    return _interp(pts, year) / pts[2019]


def _combustion_co2(energy: dict[tuple[str, str], float], year: int) -> float:
    """Combustion CO2 (万t) of the base-year energy moved to ``year`` by the Hubei trends
    (as model/analysis/inventory.py counts it: burned carriers, less feedstock, times EF)."""
    return sum(v * trend_index(s, year) * (1.0 - FEEDSTOCK.get((s, f), 0.0)) * EF[f]
               for (s, f), v in energy.items() if f in EF)


def _process_co2(year: int) -> float:
    """Clinker process CO2 (万t) in ``year``: activity on its Hubei trend × factor."""
    return END_USE["building_materials"][0] * trend_index("building_materials", year) \
        * CLINKER_PROCESS_T_PER_T


def level_factor(year: int) -> float:
    """Year-specific scale k_y of all combustion sectors' energy [D], such that
        Σ k_y·E_trend[s,f,y]·(1 − φ)·EF_f + process[y] = CEADS_WUHAN[y] / CEADS_WUHAN[2019]
                                                          × scope 1 of the base year.
    1 in the base year (it carries the 2019 level, so the ratio there is 1)."""
    if year == BASE:
        return 1.0
    energy = base_energy()
    target = CEADS_WUHAN[year] / CEADS_WUHAN[2019] * (
        _combustion_co2(energy, BASE) + _process_co2(BASE))
    return (target - _process_co2(year)) / _combustion_co2(energy, year)


def base_energy() -> dict[tuple[str, str], float]:
    """Base-year energy use by (sector, fuel), 万tce."""
    e: dict[tuple[str, str], float] = {}
    for s, (gen, per) in POWER.items():
        for f, k in per.items():
            e[s, f] = gen * k
    for s, (act, _u, per, twh) in END_USE.items():
        for f, k in per.items():
            e[s, f] = act * k
        if twh:
            e[s, "electricity"] = twh * 10 * TCE_PER_YI_KWH
    heat_out = HEAT_EFFICIENCY * sum(HEAT_FUEL.values())
    for f, v in HEAT_FUEL.items():
        e["heat", f] = v
    for s, share in HEAT_USERS.items():
        e[s, "heat"] = heat_out * share
    return e


def activity_rows() -> list[dict]:
    rows = []
    for s, (gen, _per) in POWER.items():
        rows.append((s, gen, "亿kWh"))
    for s, (act, unit, _per, _twh) in END_USE.items():
        rows.append((s, act, unit))
    for s, (act, unit, _f) in NON_ENERGY.items():
        rows.append((s, act, unit))
    out = []
    for s, act, unit in rows:
        # history activity where the inventory needs it: process emissions (non-energy sectors,
        # clinker) and local generation (scope 2 = electricity use less local generation).
        # Generation follows the sector's fuel trend, so the heat rate stays at its base-year
        # level [E]; solar and wind have no CEADs series and stay at the base level [E].
        # Fuel-burning generation also carries the year's level factor (heat rate unchanged);
        # clinker and the non-energy sectors are activity, not combustion, and keep their trend.
        history = s in NON_ENERGY or s in POWER or s == "building_materials"
        years = HISTORY if history else [BASE]
        for y in years:
            k = level_factor(y) if s in POWER and POWER[s][1] else 1.0
            out.append({"sector": s, "district": CITY, "year": y,
                        "value": act * trend_index(s, y) * k, "unit": unit})
    return out


def energy_rows() -> list[dict]:
    """Energy by sector and carrier for every history year: base-year energy × the Hubei
    trend of the sector (shape) × the year's level factor (city total, CEADs Wuhan). The
    factor applies to every carrier of every energy-using sector, so each sector keeps its
    base-year fuel mix and its share follows the Hubei trends."""
    out = []
    k = {y: level_factor(y) for y in HISTORY}
    for (s, f), v in sorted(base_energy().items()):
        for y in HISTORY:
            if s == "power_renewable":
                continue
            out.append({"sector": s, "fuel": f, "year": y,
                        "value": v * trend_index(s, y) * k[y], "unit": "万tce"})
    return out


def process_rows() -> list[dict]:
    out = [{"sector": "building_materials", "gas": "CO2", "year": BASE,
            "value": CLINKER_PROCESS_T_PER_T, "unit": "万t"}]
    for s, (_a, _u, factors) in NON_ENERGY.items():
        for g, v in factors.items():
            out.append({"sector": s, "gas": g, "year": BASE, "value": v, "unit": "万t"})
    return out


def _write(name: str, rows: list[dict]) -> None:
    with open(HERE / name, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        for r in rows:
            r = dict(r)
            if isinstance(r.get("value"), float):
                r["value"] = f"{r['value']:.6g}"
            w.writerow(r)


def main() -> None:
    _write("activity.csv", activity_rows())
    _write("energy.csv", energy_rows())
    _write("process.csv", process_rows())


if __name__ == "__main__":
    main()
