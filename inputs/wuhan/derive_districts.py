"""Derivation of the district tables of the Wuhan dataset.

Writes districts.csv, district_indicators.csv, district_shares.csv, measure_sites.csv and
enterprises.csv in this folder from the constants below. Labels as in SOURCES.md:
[S] sourced, [D] derived (arithmetic here), [R] recalled official figure, [E] estimate.
Run it again after changing a constant (`python inputs/wuhan/derive_districts.py`); the test
tests/test_districts.py checks that the shipped CSVs equal what this script writes.

The districts are the 15 statistical reporting units of the 7th census (13 districts, with
Hannan reported inside the Economic & Technological Development Zone and the Chemical
Industrial Zone inside Qingshan, plus the East Lake High-Tech Zone and the East Lake Scenic
Area, which report on their own). activity.csv stays at city level; a scenario with
``districts: true`` splits it by these shares.
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE = 2020
CENSUS = "7th census communique no. 2, Wuhan Statistics Bureau 2021-05-28 [S]"
GDP_SOURCE = "2020 district GDP, xiumishop.com summary of the Wuhan statistics [S]"

# id: (name_zh, name_en, kind, resident population 2020-11-01 [S: CENSUS])
DISTRICTS = {
    "jiangan": ("江岸区", "Jiang'an", "core", 965260),
    "jianghan": ("江汉区", "Jianghan", "core", 647932),
    "qiaokou": ("硚口区", "Qiaokou", "core", 666661),
    "hanyang": ("汉阳区", "Hanyang", "core", 837263),
    "wuchang": ("武昌区", "Wuchang", "core", 1092750),
    "qingshan": ("青山区（武汉化工区）", "Qingshan (incl. Chemical Industrial Zone)", "core",
                 463295),
    "hongshan": ("洪山区", "Hongshan", "core", 1728811),
    "dongxihu": ("东西湖区（临空港经开区）", "Dongxihu (Airport Economic Zone)", "suburban",
                 845782),
    "caidian": ("蔡甸区", "Caidian", "suburban", 554383),
    "jiangxia": ("江夏区", "Jiangxia", "suburban", 974715),
    "huangpi": ("黄陂区", "Huangpi", "suburban", 1151644),
    "xinzhou": ("新洲区", "Xinzhou", "suburban", 860377),
    "wedz": ("武汉经济技术开发区（汉南区）", "Economic & Technological Development Zone (incl. "
             "Hannan)", "zone", 481338),
    "donghu_hitech": ("东湖新技术开发区", "East Lake High-Tech Zone", "zone", 935146),
    "donghu_scenic": ("东湖生态旅游风景区", "East Lake Scenic Area", "zone", 121161),
}
CITY_POPULATION = 12326518  # [S: CENSUS]; the districts add up to it (checked below)
CITY_GDP_2020 = 15616.06  # 亿元, current prices [S: GDP_SOURCE]
GDP_2020 = {"wuchang": 1492.93, "hongshan": 1036.28, "huangpi": 1013.28,
            "donghu_hitech": 2001.85}  # 亿元 [S: GDP_SOURCE]; the other 11 units: below
# Land area of the units that hold nearly all farmland, forest and wetland, km² [R]
# (Hannan inside the development zone).
LAND_KM2 = {"huangpi": 2261.0, "xinzhou": 1463.0, "jiangxia": 2010.0, "caidian": 1093.0,
            "dongxihu": 439.0, "wedz": 287.0}
FLOOR_M2_PER_PERSON = 40.0  # as in derive.py: residential floor area = population × 40 m² [E]


def _load_derive():
    spec = importlib.util.spec_from_file_location("wuhan_derive", HERE / "derive.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def population_shares() -> dict[str, float]:
    return {d: v[3] / CITY_POPULATION for d, v in DISTRICTS.items()}


def gdp_2020() -> dict[str, float]:
    """District GDP 2020 (亿元): four units sourced; the remainder of the city total is spread
    over the other eleven by resident population [E] (their GDP was not retrievable)."""
    rest = CITY_GDP_2020 - sum(GDP_2020.values())
    others = {d: v[3] for d, v in DISTRICTS.items() if d not in GDP_2020}
    total = sum(others.values())
    return {d: GDP_2020.get(d, rest * others.get(d, 0) / total) for d in DISTRICTS}


def _shares(weights: dict[str, float]) -> dict[str, float]:
    total = sum(weights.values())
    return {d: w / total for d, w in weights.items() if w > 0}


def _mix(*parts: tuple[float, dict[str, float]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for w, shares in parts:
        for d, s in shares.items():
            out[d] = out.get(d, 0.0) + w * s
    return out


def sector_shares() -> dict[str, tuple[str, str, dict[str, float]]]:
    """sector -> (basis, source text, {district: share})."""
    der = _load_derive()
    pop = population_shares()
    gdp = _shares(gdp_2020())
    land = _shares(LAND_KM2)
    yangluo = der.YANGLUO_YI_KWH
    other_coal = der.OTHER_COAL_GW * der.OTHER_COAL_HOURS / 100
    coal_total = yangluo + other_coal
    pop_src = f"resident population, {CENSUS}"
    gdp_src = "district GDP 2020 (SOURCES.md district section) [S/E]"
    land_src = "land area of the suburban units [R]; farmland, forest and wetland lie there [E]"
    out = {
        "power_coal": ("mixed", "Huaneng Yangluo 115 亿kWh in Xinzhou [S]; of the other coal "
                       "units (76.5 亿kWh [D]) two thirds in Qingshan (CHN Energy Qingshan CHP, "
                       "WISCO captive plants) [E], one third by GDP [E]",
                       _mix((yangluo / coal_total, {"xinzhou": 1.0}),
                            (other_coal / coal_total * 2 / 3, {"qingshan": 1.0}),
                            (other_coal / coal_total / 3, gdp))),
        "power_gas": ("gdp", f"gas units not located here: {gdp_src} [E]", gdp),
        "power_waste": ("population", f"waste follows residents: {pop_src} [E]", pop),
        "power_renewable": ("floor_area", f"rooftop PV follows roofs: floor area ∝ {pop_src} "
                            "[E]", pop),
        "steel": ("plant", "Baowu WISCO works, Qingshan [S: reference §1.5]", {"qingshan": 1.0}),
        "petrochem": ("plant", "Sinopec Wuhan refinery and Sino-Korean ethylene, Qingshan / "
                      "Chemical Industrial Zone [S: reference §1.5]", {"qingshan": 1.0}),
        "chemicals": ("mixed", "half in the Chemical Industrial Zone (Qingshan) [E], half by "
                      "GDP [E]", _mix((0.5, {"qingshan": 1.0}), (0.5, gdp))),
        "building_materials": ("plant", "cement plants in Xinzhou and Jiangxia, half each "
                               "[R/E: reference §1.5]", {"xinzhou": 0.5, "jiangxia": 0.5}),
        "other_manufacturing": ("gdp", gdp_src, gdp),
        "construction": ("gdp", gdp_src, gdp),
        "residential": ("floor_area", f"floor area = {FLOOR_M2_PER_PERSON:g} m² × residents "
                        f"[E] ({pop_src})", pop),
        "public_commercial": ("gdp", f"services floor area follows GDP [E]: {gdp_src}", gdp),
        "road_passenger": ("population", pop_src, pop),
        "road_freight": ("gdp", gdp_src, gdp),
        "rail_metro": ("population", pop_src, pop),
        "water": ("plant", "Yangluo port area of Wuhan New Port, Xinzhou [R/E]",
                  {"xinzhou": 1.0}),
        "aviation": ("plant", "Tianhe International Airport, Huangpi [R]", {"huangpi": 1.0}),
        "agri_energy": ("land_area", land_src, land),
        "rice": ("land_area", land_src, land),
        "livestock": ("land_area", land_src, land),
        "fertiliser": ("land_area", land_src, land),
        "forest": ("land_area", land_src, land),
        "wetland": ("land_area", land_src, land),
    }
    heat_users = der.HEAT_USERS
    out["heat"] = ("heat_users", "heat follows its users: "
                   + ", ".join(f"{s} {w:g}" for s, w in heat_users.items())
                   + " of delivered heat (derive.py HEAT_USERS [E]) × their district shares [D]",
                   _mix(*[(w, out[s][2]) for s, w in heat_users.items()]))
    return out


# measure -> (basis, source, {district: share}); integer and semicontinuous measures are whole
# units and must sit at one site when districts are on
MEASURE_SITES = {
    "coal_unit_retirement": ("plant", "Yangluo units average 2,570/6 = 428 MW [D from S]",
                             {"xinzhou": 1.0}),
    "ccus_coal_power": ("plant", "Yangluo is the main coal-CCS candidate [reference §4.1]",
                        {"xinzhou": 1.0}),
    "ccus_steel": ("plant", "blast furnaces of the WISCO works, Qingshan [S: reference §1.5]",
                   {"qingshan": 1.0}),
    "ccus_refinery": ("plant", "high-purity CO2 of the Sinopec Wuhan refinery, Qingshan [S]",
                      {"qingshan": 1.0}),
    "wte_expansion": ("plant", "modelled as one site (min build 30 MW); site not chosen yet, "
                      "placed in Huangpi, the most populous suburban district [E]",
                      {"huangpi": 1.0}),
}

# enterprise: (name_zh, name_en, owner_zh, owner_en, [(sector, district, share)], source)
ENTERPRISES = {
    "wisco": ("宝武武钢（武汉钢铁）", "Baowu WISCO (Wuhan Iron & Steel)", "中国宝武钢铁集团",
              "China Baowu Steel Group", [("steel", "qingshan", 1.0)],
              "the city's only integrated steel works [S: reference §1.5]"),
    "sinopec_wuhan": ("中国石化武汉石化与中韩（武汉）石化", "Sinopec Wuhan Petrochemical and "
                      "Sino-Korean (Wuhan) Petrochemical", "中国石化集团", "Sinopec Group",
                      [("petrochem", "qingshan", 1.0)],
                      "the city's refinery and ethylene complex [S: reference §1.5]"),
    "yangluo": ("华能阳逻电厂", "Huaneng Yangluo Power Plant", "中国华能集团",
                "China Huaneng Group", [("power_coal", "xinzhou", 1.0)],
                "all coal power in Xinzhou is Yangluo (district_shares) [S: reference §1.5]"),
}


def _rounded(shares: dict[str, float]) -> dict[str, float]:
    """Shares rounded to 6 decimals, the largest adjusted so that they add up to 1."""
    r = {d: round(s, 6) for d, s in shares.items() if round(s, 6) > 0}
    top = max(r, key=r.get)
    r[top] = round(r[top] + 1.0 - sum(r.values()), 6)
    return r


def rows() -> dict[str, list[dict]]:
    assert sum(v[3] for v in DISTRICTS.values()) == CITY_POPULATION
    out: dict[str, list[dict]] = {
        "districts": [{"district": "wuhan", "name_zh": "武汉市（全市）",
                       "name_en": "Wuhan (whole city)", "kind": "city"}]
        + [{"district": d, "name_zh": v[0], "name_en": v[1], "kind": v[2]}
           for d, v in DISTRICTS.items()],
        "district_indicators": [], "district_shares": [], "measure_sites": [],
        "enterprises": []}
    gdp = gdp_2020()
    for d, v in DISTRICTS.items():
        out["district_indicators"].append({
            "district": d, "variable": "population", "year": BASE,
            "value": f"{v[3] / 1e4:.4f}", "unit": "万人", "source": CENSUS})
        src = GDP_SOURCE if d in GDP_2020 else (
            "city GDP less the four sourced units, spread by resident population [E]")
        out["district_indicators"].append({
            "district": d, "variable": "gdp", "year": BASE, "value": f"{gdp[d]:.2f}",
            "unit": "亿元", "source": src})
    for s, (basis, src, shares) in sector_shares().items():
        for d, sh in _rounded(shares).items():
            out["district_shares"].append({"sector": s, "district": d, "share": f"{sh:.6f}",
                                           "basis": basis, "source": src})
    for m, (basis, src, shares) in MEASURE_SITES.items():
        for d, sh in _rounded(shares).items():
            out["measure_sites"].append({"measure": m, "district": d, "share": f"{sh:.6f}",
                                         "basis": basis, "source": src})
    for e, (zh, en, ozh, oen, cells, src) in ENTERPRISES.items():
        for s, d, sh in cells:
            out["enterprises"].append({"enterprise": e, "name_zh": zh, "name_en": en,
                                       "owner_zh": ozh, "owner_en": oen, "sector": s,
                                       "district": d, "share": f"{sh:g}", "source": src})
    return out


def write(folder: Path = HERE) -> None:
    for name, table in rows().items():
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(table[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(table)


if __name__ == "__main__":
    write()
