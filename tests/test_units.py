"""Physical units of fuels and their conversion to 万tce (issue 6, point 4): every factor is
checked against arithmetic done by hand."""

import pytest

from peakpath.errors import InputError
from peakpath.io.inputs import read_dataset, write_dataset
from peakpath.io.units import PHYSICAL_UNITS, UNITS, physical_to_wan_tce
from tests.conftest import DATASET


@pytest.mark.parametrize(("value", "unit", "kgce", "expected"), [
    # 1 万t raw coal = 1e7 kg × 0.7143 kgce/kg = 7.143e6 kgce = 0.7143 万tce
    (1.0, "万t", 0.7143, 0.7143),
    (1.0, "万吨", 0.7143, 0.7143),
    # 10,000 t diesel = 1e7 kg × 1.4571 = 1.4571 万tce
    (10_000.0, "t", 1.4571, 1.4571),
    (10_000.0, "吨", 1.4571, 1.4571),
    # 1 万m³ gas = 1e4 m³ × 1.2143 kgce/m³ = 12,143 kgce = 0.0012143 万tce
    (1.0, "万m3", 1.2143, 0.0012143),
    (1.0, "万m³", 1.2143, 0.0012143),
    (1.0, "10^4 m³", 1.2143, 0.0012143),
    (1.0, "10^4 m3", 1.2143, 0.0012143),
    (1.0, "万立方米", 1.2143, 0.0012143),
    # 1 亿m³ gas = 1e8 × 1.2143 = 1.2143e8 kgce = 12.143 万tce
    (1.0, "亿m3", 1.2143, 12.143),
    (5_000.0, "m3", 1.2143, 5_000 * 1.2143 / 1e7),
    # 1 万kWh = 1e4 kWh × 0.1229 kgce/kWh = 1,229 kgce = 0.0001229 万tce
    (1.0, "万kWh", 0.1229, 0.0001229),
    (1.0, "万千瓦时", 0.1229, 0.0001229),
    # 1 亿kWh = 1.229 万tce, the model's own constant
    (1.0, "亿kWh", 0.1229, 1.229),
    (1e6, "kWh", 0.1229, 0.01229),
    # 1,000 GJ heat = 1e6 MJ × 0.03412 kgce/MJ = 34,120 kgce = 0.003412 万tce
    (1_000.0, "GJ", 0.03412, 0.003412),
    (1e6, "MJ", 0.03412, 0.003412),
])
def test_physical_units_convert_to_wan_tce(value, unit, kgce, expected):
    assert physical_to_wan_tce(value, unit, kgce) == pytest.approx(expected, rel=1e-12)


def test_every_physical_unit_is_tested_and_none_is_a_canonical_energy_unit():
    tested = {"万t", "万吨", "t", "吨", "万m3", "万m³", "10^4 m³", "10^4 m3", "万立方米", "亿m3",
              "亿m³", "m3", "m³", "万kWh", "万千瓦时", "亿kWh", "kWh", "GJ", "MJ"}
    assert set(PHYSICAL_UNITS) == tested
    # a physical unit is never accepted where the dataset expects energy in tce
    assert not any(UNITS[u].dimension == "energy" for u in PHYSICAL_UNITS if u in UNITS)


@pytest.mark.parametrize(("unit", "factor", "canonical"), [
    ("tce", 1e-4, "万tce"), ("万tce", 1.0, "万tce"),
    ("tce/t", 1.0, "kgce/kg"), ("tce/万m3", 0.1, "kgce/m3"),
    ("tce/万kWh", 0.1, "kgce/kWh"), ("kgce/GJ", 1e-3, "kgce/MJ"),
])
def test_tce_and_coefficient_units(unit, factor, canonical):
    assert UNITS[unit].factor == factor
    assert UNITS[unit].canonical == canonical


def test_shipped_standard_coal_coefficients_are_gb_t_2589(wuhan):
    sc = wuhan["standard_coal"].set_index(["fuel", "basis"])["value"]
    assert sc["coal", "mass"] == 0.7143
    assert sc["coke", "mass"] == 0.9714
    assert sc["natural_gas", "volume"] == 1.2143
    assert sc["electricity", "electricity"] == 0.1229
    assert sc["heat", "heat"] == 0.03412


def _edit_standard_coal(tmp_path, old: str, new: str):
    data = read_dataset(DATASET)
    write_dataset(data, tmp_path)
    f = tmp_path / "standard_coal.csv"
    text = f.read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_dataset(tmp_path)
    return e.value.problems


def test_electricity_coefficient_must_be_the_calorific_equivalent(tmp_path):
    problems = _edit_standard_coal(tmp_path, "0.1229,kgce/kWh", "0.303,kgce/kWh")
    assert [(p.rule, p.column, p.row) for p in problems] == [("electricity", "value", 7)]
    assert "0.1229" in problems[0].message


def test_coefficient_basis_must_suit_the_carrier(tmp_path):
    problems = _edit_standard_coal(tmp_path, "natural_gas,volume,天然气,Natural gas,1.2143,kgce/m3",
                                   "natural_gas,heat,天然气,Natural gas,1.2143,kgce/MJ")
    assert [(p.rule, p.column, p.row) for p in problems] == [("allowed", "basis", 6)]
