"""A tiny dataset whose optimum can be worked out by hand.

One city, one industrial sector ("plant") burning 100 万tce of coal a year at 2 t CO2/tce
(200 万t CO2), coal at 1,000 CNY/tce, no electricity, no growth. Measures each save coal; their
cost per t CO2 is (om - 1,000 × saving) / (2 × saving). Tables can be replaced per test.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from peakpath.io.inputs import read_dataset

BASE_TABLES: dict[str, list[dict]] = {
    "sector_groups": [{"group": "industry", "name_zh": "工业", "name_en": "Industry",
                       "bureau_zh": "市经信局", "bureau_en": "EIB"}],
    "sectors": [{"sector": "plant", "group": "industry", "name_zh": "工厂", "name_en": "Plant",
                 "role": "end_use", "activity_unit": "万t", "driver": "gdp",
                 "elasticity": 0.0}],
    "fuels": [{"fuel": "coal", "name_zh": "煤炭", "name_en": "Coal", "category": "coal"},
              {"fuel": "electricity", "name_zh": "电力", "name_en": "Electricity",
               "category": "electricity"}],
    "districts": [{"district": "city", "name_zh": "全市", "name_en": "City", "kind": "city"}],
    "macro": [{"variable": "gdp", "year": 2020, "value": 1000, "unit": "亿元"},
              {"variable": "population", "year": 2020, "value": 100, "unit": "万人"},
              {"variable": "secondary_share", "year": 2020, "value": 0.5, "unit": "1"},
              {"variable": "tertiary_share", "year": 2020, "value": 0.5, "unit": "1"}],
    "growth": [{"variable": "gdp", "start_year": 2021, "end_year": 2040, "rate": 0.0,
                "unit": "1/yr"},
               {"variable": "population", "start_year": 2021, "end_year": 2040, "rate": 0.0,
                "unit": "1/yr"}],
    "activity": [{"sector": "plant", "district": "city", "year": 2020, "value": 100,
                  "unit": "万t"}],
    "energy": [{"sector": "plant", "fuel": "coal", "year": 2020, "value": 100,
                "unit": "万tce"}],
    "efficiency": [{"sector": "plant", "rate": 0.0, "unit": "1/yr"}],
    "process": [],
    "emission_factors": [{"fuel": "coal", "year": 2020, "value": 2.0, "unit": "tCO2/tce"}],
    "grid": [{"variable": "emission_factor", "year": 2020, "value": 0.5, "unit": "kgCO2/kWh"},
             {"variable": "non_fossil_share", "year": 2020, "value": 0.3, "unit": "1"},
             {"variable": "coal_rate", "year": 2020, "value": 300, "unit": "gce/kWh"}],
    "prices": [{"fuel": "coal", "year": 2020, "value": 1000, "unit": "CNY/tce"},
               {"fuel": "electricity", "year": 2020, "value": 0.5, "unit": "CNY/kWh"}],
    "measures": [],
    "measure_potential": [],
    "measure_effects": [],
}

COLUMNS = {
    "process": ["sector", "gas", "year", "value", "unit"],
    "measures": ["measure", "sector", "name_zh", "name_en", "unit", "potential_basis",
                 "first_year", "lifetime", "capex", "capex_change", "om", "max_build_share",
                 "kind", "min_build", "exclusive_group", "host_sector", "max_capture_share",
                 "actor", "max_growth", "growth_seed", "hidden_cost"],
    "measure_potential": ["measure", "year", "value", "unit"],
    "measure_effects": ["measure", "kind", "item", "sector", "value", "unit"],
}


def coal_saver(name: str, om: float, *, potential: float = 10.0, capex: float = 0.0,
               lifetime: int = 1, saving: float = 1.0, first_year: int = 2021,
               max_build_share: float = 1.0, kind: str = "continuous",
               min_build: float | str = "", group: str = "", actor: str = "",
               max_growth: float | str = "", growth_seed: float | str = ""
               ) -> tuple[dict, dict, dict]:
    """One measure saving ``saving`` 万tce coal per unit: (measure row, potential row,
    effect row)."""
    m = {"measure": name, "sector": "plant", "name_zh": name, "name_en": name,
         "unit": "unit", "potential_basis": "fixed", "first_year": first_year,
         "lifetime": lifetime, "capex": capex, "capex_change": 0.0, "om": om,
         "max_build_share": max_build_share, "kind": kind, "min_build": min_build,
         "exclusive_group": group, "host_sector": "", "max_capture_share": "",
         "actor": actor, "max_growth": max_growth, "growth_seed": growth_seed,
         "hidden_cost": ""}
    p = {"measure": name, "year": first_year, "value": potential, "unit": "unit"}
    e = {"measure": name, "kind": "energy", "item": "coal", "sector": "", "value": -saving,
         "unit": "万tce"}
    return m, p, e


def write_mini(path: Path, measures: list[tuple[dict, dict, dict]] = (),
               **tables: list[dict]) -> Path:
    """Write the mini dataset (with ``measures`` and any replaced tables) into ``path``."""
    path.mkdir(parents=True, exist_ok=True)
    data = {k: list(v) for k, v in BASE_TABLES.items()}
    data["measures"] = [m for m, _, _ in measures]
    data["measure_potential"] = [p for _, p, _ in measures]
    data["measure_effects"] = [e for _, _, e in measures]
    data.update(tables)
    for name, rows in data.items():
        df = pd.DataFrame(rows, columns=COLUMNS.get(name) or list(rows[0]))
        df.to_csv(path / f"{name}.csv", index=False)
    return path


def mini(path: Path, measures=(), **tables):
    return read_dataset(write_mini(path, measures, **tables))
