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

Physical quantities of fuels (t coal, 万m³ gas, 万kWh, GJ of heat: `PHYSICAL_UNITS`) are not
canonical units of any table. A data-list workbook may use them for energy; ingest converts
each with the dataset's own standard-coal coefficient of that fuel (table ``standard_coal``,
GB/T 2589-2020) by `physical_to_wan_tce`, so the CSV dataset holds 万tce only.
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
        # standard-coal coefficients (折标准煤系数, GB/T 2589-2020), canonical kgce per kg, m³,
        # kWh or MJ of the physical quantity; 1 tce/t = 1 kgce/kg, 1 tce/万m³ = 0.1 kgce/m³
        _u("kgce/kg", "sce_mass", 1.0, "kgce/kg"),
        _u("tce/t", "sce_mass", 1.0, "kgce/kg"),
        _u("kgce/m3", "sce_volume", 1.0, "kgce/m3"),
        _u("kgce/m³", "sce_volume", 1.0, "kgce/m3"),
        _u("tce/万m3", "sce_volume", 0.1, "kgce/m3"),
        _u("kgce/kWh", "sce_electricity", 1.0, "kgce/kWh"),
        _u("tce/万kWh", "sce_electricity", 0.1, "kgce/kWh"),
        _u("kgce/MJ", "sce_heat", 1.0, "kgce/MJ"),
        _u("kgce/GJ", "sce_heat", 1e-3, "kgce/MJ"),
        # shares and rates
        _u("1", "share", 1.0, "1"),
        _u("%", "share", 0.01, "1"),
        _u("1/yr", "rate", 1.0, "1/yr"),
        _u("%/yr", "rate", 0.01, "1/yr"),
    ]
}


#: what each basis of a standard-coal coefficient measures, and its canonical coefficient unit
SCE_BASES: dict[str, tuple[str, str]] = {
    "mass": ("sce_mass", "kgce/kg"),
    "volume": ("sce_volume", "kgce/m3"),
    "electricity": ("sce_electricity", "kgce/kWh"),
    "heat": ("sce_heat", "kgce/MJ"),
}
#: kg of standard coal in 1 万tce
KGCE_PER_WAN_TCE = 1e7


@dataclass(frozen=True)
class PhysicalUnit:
    """A physical quantity of a fuel (t coal, 万m³ gas, 万kWh ...): ``base`` units of its
    basis (kg, m³, kWh or MJ) in one of it."""

    name: str
    basis: str
    base: float


#: physical units a data-list workbook may use for energy; converted to 万tce at ingest with
#: the dataset's standard-coal coefficient of the fuel (table ``standard_coal``)
PHYSICAL_UNITS: dict[str, PhysicalUnit] = {
    p.name: p
    for p in [
        PhysicalUnit("t", "mass", 1e3),
        PhysicalUnit("吨", "mass", 1e3),
        PhysicalUnit("万t", "mass", 1e7),
        PhysicalUnit("万吨", "mass", 1e7),
        PhysicalUnit("m3", "volume", 1.0),
        PhysicalUnit("m³", "volume", 1.0),
        PhysicalUnit("万m3", "volume", 1e4),
        PhysicalUnit("万m³", "volume", 1e4),
        PhysicalUnit("10^4 m3", "volume", 1e4),
        PhysicalUnit("10^4 m³", "volume", 1e4),
        PhysicalUnit("万立方米", "volume", 1e4),
        PhysicalUnit("亿m3", "volume", 1e8),
        PhysicalUnit("亿m³", "volume", 1e8),
        PhysicalUnit("kWh", "electricity", 1.0),
        PhysicalUnit("万kWh", "electricity", 1e4),
        PhysicalUnit("万千瓦时", "electricity", 1e4),
        PhysicalUnit("亿kWh", "electricity", 1e8),
        PhysicalUnit("MJ", "heat", 1.0),
        PhysicalUnit("GJ", "heat", 1e3),
    ]
}


def physical_to_wan_tce(value: float, unit: str, kgce_per_base: float) -> float:
    """A physical quantity of a fuel in 万tce: ``value`` in ``unit`` (a `PHYSICAL_UNITS` name)
    times the standard-coal coefficient ``kgce_per_base`` (kgce per kg, m³, kWh or MJ of the
    unit's basis), divided by 10^7 kgce per 万tce. E.g. 1 万t raw coal × 0.7143 kgce/kg =
    0.7143 万tce; 1 万m³ natural gas × 1.2143 kgce/m³ = 0.0012143 万tce."""
    return value * PHYSICAL_UNITS[unit].base * kgce_per_base / KGCE_PER_WAN_TCE


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
