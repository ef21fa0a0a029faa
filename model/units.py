"""Units and conversion factors.

Canonical units inside the model follow Chinese statistics:

* energy: 万吨标准煤 (10^4 tce); electricity is held in the same unit at the calorific
  equivalent (当量值) 0.1229 kgce/kWh, so 1 亿kWh = 1.229 万tce;
* emissions: 万吨 (10^4 t) of CO2 or CO2e;
* money: 万元 (10^4 CNY, constant 2020 prices); GDP in 亿元 (10^8 CNY);
* prices: CNY per tce (= 万元 per 万tce), CNY per t CO2 (= 万元 per 万t).

Every input value carries a unit; the table below says which units are accepted, which quantity
(dimension) each measures, and the factor that converts it to the canonical unit of that
dimension. Conversion factors with a source are labelled as in ../shared/reference-data.md.
"""

from __future__ import annotations

from dataclasses import dataclass

#: kgce per kWh, calorific-equivalent method (当量值), GB/T 2589-2020 [R].
KGCE_PER_KWH = 0.1229
#: 万tce per 亿kWh at the calorific equivalent: 1e8 kWh × 0.1229 kgce / 1e7 kg.
WAN_TCE_PER_YI_KWH = KGCE_PER_KWH * 10.0
#: kWh per tce at the calorific equivalent.
KWH_PER_TCE = 1000.0 / KGCE_PER_KWH
#: GJ per tce (29.3076 GJ/tce) [R].
GJ_PER_TCE = 29.3076


@dataclass(frozen=True)
class Unit:
    name: str
    dimension: str
    factor: float  # multiply a value in this unit by factor to get the canonical unit
    canonical: str


def _u(name: str, dimension: str, factor: float, canonical: str) -> Unit:
    return Unit(name, dimension, factor, canonical)


UNITS: dict[str, Unit] = {
    u.name: u
    for u in [
        # energy (canonical 万tce)
        _u("万tce", "energy", 1.0, "万tce"),
        _u("tce", "energy", 1e-4, "万tce"),
        _u("Mtce", "energy", 100.0, "万tce"),
        # electricity generation (canonical 亿kWh)
        _u("亿kWh", "electricity", 1.0, "亿kWh"),
        _u("万kWh", "electricity", 1e-4, "亿kWh"),
        _u("TWh", "electricity", 10.0, "亿kWh"),
        _u("GWh", "electricity", 0.01, "亿kWh"),
        # mass of a gas (canonical 万t)
        _u("万t", "mass", 1.0, "万t"),
        _u("t", "mass", 1e-4, "万t"),
        _u("Mt", "mass", 100.0, "万t"),
        # money (canonical 万元)
        _u("万元", "money", 1.0, "万元"),
        _u("元", "money", 1e-4, "万元"),
        _u("亿元", "money", 1e4, "万元"),
        # GDP (canonical 亿元)
        _u("亿元GDP", "gdp", 1.0, "亿元GDP"),
        # population (canonical 万人)
        _u("万人", "population", 1.0, "万人"),
        # carbon content of fuels (canonical t CO2 per tce = 万t per 万tce)
        _u("tCO2/tce", "emission_factor", 1.0, "tCO2/tce"),
        # grid factor (canonical kgCO2/kWh; converted to t/tce-calorific by the model)
        _u("kgCO2/kWh", "grid_factor", 1.0, "kgCO2/kWh"),
        _u("tCO2/MWh", "grid_factor", 1.0, "kgCO2/kWh"),
        # coal consumption rate of power supply (canonical gce/kWh)
        _u("gce/kWh", "coal_rate", 1.0, "gce/kWh"),
        # prices of energy (canonical CNY per tce; electricity per tce-calorific)
        _u("CNY/tce", "energy_price", 1.0, "CNY/tce"),
        _u("CNY/kWh", "electricity_price", 1.0, "CNY/kWh"),
        # shares and rates
        _u("1", "share", 1.0, "1"),
        _u("%", "share", 0.01, "1"),
        _u("1/yr", "rate", 1.0, "1/yr"),
        _u("%/yr", "rate", 0.01, "1/yr"),
    ]
}


def electricity_price_to_energy_price(cny_per_kwh: float) -> float:
    """CNY/kWh -> CNY per tce of electricity at the calorific equivalent."""
    return cny_per_kwh * KWH_PER_TCE


def grid_factor_to_energy_factor(kg_per_kwh: float) -> float:
    """kgCO2/kWh -> tCO2 per tce of electricity at the calorific equivalent."""
    return kg_per_kwh * KWH_PER_TCE / 1000.0


def coal_equivalent_multiplier(gce_per_kwh: float) -> float:
    """Factor turning electricity at the calorific equivalent into the coal-equivalent method
    (发电煤耗法): gce/kWh of power supply divided by 122.9 gce/kWh."""
    return gce_per_kwh / (KGCE_PER_KWH * 1000.0)
