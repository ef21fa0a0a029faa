"""The historical inventory (issue 6, point 3): hand-computed values on a micro dataset, the
shipped dataset's base year against the model's own accounts, comparison with published
totals, located errors and the trend figure."""

from __future__ import annotations

import shutil
import warnings

import pytest

from peakpath.analysis.inventory import compare, compute_inventory, read_reference, trend_figure
from peakpath.cli.main import main
from peakpath.core.baseline import derive, reference_co2
from peakpath.errors import InputError
from peakpath.io.inputs import read_dataset
from peakpath.solve.run import run_scenario
from tests.conftest import DATASET, make_scenario

# --- a micro dataset whose inventory is worked out by hand -------------------------------------

MICRO = {
    "energy.csv": """sector,fuel,year,value,unit
steel,coal,2005,100,万tce
steel,electricity,2005,10,万tce
petrochem,oil,2005,50,万tce
power_coal,coal,2005,30,万tce
residential,electricity,2005,5,万tce
residential,natural_gas,2005,2000000,tce
steel,coal,2020,120,万tce
steel,electricity,2020,20,万tce
petrochem,oil,2020,60,万tce
power_coal,coal,2020,40,万tce
residential,electricity,2020,10,万tce
residential,natural_gas,2020,250,万tce
""",
    "emission_factors.csv": """fuel,year,value,unit
coal,2010,2.5,tCO2/tce
coal,2020,2.66,tCO2/tce
coke,2020,2.944,tCO2/tce
oil,2020,2.10,tCO2/tce
natural_gas,2020,1.63,tCO2/tce
biomass,2020,0,tCO2/tce
""",
    "feedstock.csv": "sector,fuel,share\npetrochem,oil,0.4\n",
    "activity.csv": """sector,district,year,value,unit
power_coal,wuhan,2005,8,亿kWh
power_coal,wuhan,2020,10,亿kWh
building_materials,wuhan,2005,100,万t熟料
building_materials,wuhan,2020,200,万t熟料
rice,wuhan,2005,80,千公顷
rice,wuhan,2020,60,千公顷
forest,wuhan,2005,100,千公顷
forest,wuhan,2020,150,千公顷
steel,wuhan,2020,1700,万t粗钢
""",
    "process.csv": """sector,gas,year,value,unit
building_materials,CO2,2020,0.5,万t
rice,CH4,2020,0.02,万t
forest,CO2,2020,-0.37,万t
""",
    "grid.csv": """variable,year,value,unit
emission_factor,2010,0.6,kgCO2/kWh
emission_factor,2020,0.55,kgCO2/kWh
non_fossil_share,2020,33.6,%
coal_rate,2020,305,gce/kWh
""",
}


@pytest.fixture(scope="module")
def micro(tmp_path_factory):
    root = tmp_path_factory.mktemp("micro")
    shutil.copytree(DATASET, root, dirs_exist_ok=True)
    for name, text in MICRO.items():
        (root / name).write_text(text, encoding="utf-8")
    return compute_inventory(read_dataset(root))


def test_micro_totals_by_hand(micro):
    t = micro.totals.set_index("year")
    assert t.index.tolist() == [2005, 2020]
    # 2005: coal EF held at its first year's 2.5; grid factor held at 2010's 0.6 kg/kWh
    # combustion: steel 100 × 2.5 = 250; power 30 × 2.5 = 75; petrochem 50 × 0.6 × 2.1 = 63;
    # residential 2,000,000 tce = 200 万tce × 1.63 = 326            -> 714
    # process: clinker 100 × 0.5 = 50                                -> scope 1 = 764
    # purchased: 15 − 1.229 × 8 = 5.168 万tce × 0.6 / 0.1229 tCO2/tce -> 25.23026851098454
    # sinks: forest 100 × −0.37 = −37; rice CH4 80 × 0.02 = 1.6 万t × 28 = 44.8 CO2e
    r = t.loc[2005]
    assert r["co2_combustion"] == pytest.approx(714.0, rel=1e-12)
    assert r["co2_process"] == pytest.approx(50.0, rel=1e-12)
    assert r["co2_scope1"] == pytest.approx(764.0, rel=1e-12)
    assert r["purchased_wan_tce"] == pytest.approx(5.168, rel=1e-12)
    assert r["scope2"] == pytest.approx(25.23026851098454, rel=1e-12)
    assert r["sinks"] == pytest.approx(-37.0, rel=1e-12)
    assert r["ch4_wan_t"] == pytest.approx(1.6, rel=1e-12)
    assert r["non_co2_co2e"] == pytest.approx(44.8, rel=1e-12)
    # default boundary: scope 1 + scope 2 + sinks, CO2 only
    assert r["co2_total"] == pytest.approx(764.0 + 25.23026851098454 - 37.0, rel=1e-12)
    # 2020: steel 120 × 2.66 = 319.2; power 40 × 2.66 = 106.4; petrochem 60 × 0.6 × 2.1 = 75.6;
    # gas 250 × 1.63 = 407.5 -> 908.7; clinker 200 × 0.5 = 100 -> 1,008.7
    # purchased 30 − 12.29 = 17.71 万tce × 0.55 / 0.1229 = 79.2555...; forest 150 × −0.37
    r = t.loc[2020]
    assert r["co2_combustion"] == pytest.approx(908.7, rel=1e-12)
    assert r["co2_scope1"] == pytest.approx(1008.7, rel=1e-12)
    assert r["scope2"] == pytest.approx(17.71 * 0.55 / 0.1229, rel=1e-12)
    assert r["sinks"] == pytest.approx(-55.5, rel=1e-12)
    assert r["ch4_wan_t"] == pytest.approx(1.2, rel=1e-12)


def test_micro_detail_by_sector_and_fuel(micro):
    d = micro.detail.set_index(["year", "scope", "sector", "fuel", "gas"])
    petro = d.loc[(2005, "scope1", "petrochem", "oil", "CO2")]
    assert petro["energy_wan_tce"] == 50.0
    assert petro["feedstock_wan_tce"] == pytest.approx(20.0)
    assert petro["emissions_wan_t"] == pytest.approx(63.0, rel=1e-12)
    assert petro["group"] == "industry"
    # scope 2 shared by electricity use: steel 10 of 15, residential 5 of 15
    s2 = 5.168 * 0.6 / 0.1229
    assert d.loc[(2005, "scope2", "steel", "electricity", "CO2"), "emissions_wan_t"] == \
        pytest.approx(s2 * 10 / 15, rel=1e-12)
    assert d.loc[(2005, "scope2", "residential", "electricity", "CO2"), "emissions_wan_t"] == \
        pytest.approx(s2 * 5 / 15, rel=1e-12)
    assert d.loc[(2005, "scope1", "rice", "", "CH4"), "co2e_wan_t"] == pytest.approx(44.8)


def test_micro_notes_name_the_flat_years(micro):
    text = "\n".join(micro.notes)
    assert "emission_factors gives coal only for 2010–2020: 2005 use" in text
    assert "grid gives emission_factor only for 2010–2020: 2005 use" in text


def test_a_scenario_sets_gwp_and_boundary(micro, tmp_path):
    data = read_dataset(micro.source)
    settings = make_scenario({"gwp": {"CH4": 29.8}, "accounting": {
        "target_gases": ["CO2", "CH4"], "count_sinks": False}}).settings
    t = compute_inventory(data, settings).totals.set_index("year")
    assert t.loc[2005, "non_co2_co2e"] == pytest.approx(1.6 * 29.8)
    assert t.loc[2005, "co2_total"] == pytest.approx(764.0 + 5.168 * 0.6 / 0.1229 + 1.6 * 29.8)


# --- the shipped dataset: the base year is the model's own --------------------------------------


@pytest.fixture(scope="module")
def inventory(wuhan):
    return compute_inventory(wuhan)


def test_inventory_years_are_the_energy_history(inventory):
    assert inventory.totals["year"].tolist() == [2005, *range(2010, 2021)]


def test_base_year_equals_the_reference_accounts(wuhan, inventory):
    ref = reference_co2(derive(wuhan, make_scenario())).set_index("year").loc[2020]
    t = inventory.totals.set_index("year").loc[2020]
    for ours, theirs in (("co2_scope1", "co2_scope1"), ("scope2", "scope2"), ("sinks", "sinks"),
                         ("co2_total", "co2_total")):
        assert t[ours] == pytest.approx(ref[theirs], rel=1e-12), ours


@pytest.mark.solve
def test_base_year_equals_a_solved_scenario(wuhan, inventory):
    res = run_scenario(make_scenario(), wuhan, isolate=False)
    ds = res.dataset.sel(year=2020)
    t = inventory.totals.set_index("year").loc[2020]
    assert t["co2_scope1"] == pytest.approx(float(ds["co2_scope1"]), rel=1e-9)
    assert t["co2_total"] == pytest.approx(float(ds["co2_total"]), rel=1e-9)
    assert t["scope2"] == pytest.approx(float(ds["scope2"].sum()), rel=1e-9)
    assert t["purchased_wan_tce"] == pytest.approx(float(ds["purchased_electricity"]), rel=1e-9)
    # and sector by sector, gas by gas (the model's direct emissions by sector)
    d = inventory.detail
    d = d[(d["year"] == 2020) & (d["scope"] != "scope2")]
    ours = d.groupby(["sector", "gas"])["emissions_wan_t"].sum()
    ours = ours[ours.abs() > 1e-9].sort_index()  # biomass burns at 0 tCO2/tce
    model = ds["emissions"].sum("district").to_series()
    model = model[model.abs() > 1e-9].sort_index()
    assert ours.index.tolist() == model.index.tolist()
    assert ours.to_numpy() == pytest.approx(model.to_numpy(), rel=1e-9)


# --- comparison with published totals ----------------------------------------------------------


def test_difference_from_ceads_year_by_year(wuhan, inventory):
    c = compare(inventory.totals, wuhan["inventory_reference"])
    assert c["year"].tolist() == [2005, *range(2010, 2020)]  # CEADs ends in 2019
    t = inventory.totals.set_index("year")["co2_scope1"]
    r2019 = c.set_index("year").loc[2019]
    assert r2019["published_wan_t"] == pytest.approx(12760.0)  # 127.6 Mt
    assert r2019["difference_wan_t"] == pytest.approx(t[2019] - 12760.0)
    assert r2019["difference_pct"] == pytest.approx(100 * (t[2019] / 12760.0 - 1))


def test_compare_file_in_mt_and_both_scopes(tmp_path, inventory):
    f = tmp_path / "published.csv"
    f.write_text("source,scope,year,value,unit\nA,scope1,2015,100,Mt\n"
                 "B,scope1+2,2015,14000,万t\nA,scope1,1999,1,Mt\n", encoding="utf-8")
    c = compare(inventory.totals, read_reference(f)).set_index("source")
    t = inventory.totals.set_index("year").loc[2015]
    assert c.loc["A", "published_wan_t"] == 10000.0
    assert c.loc["A", "inventory_wan_t"] == pytest.approx(t["co2_scope1"])
    assert c.loc["B", "inventory_wan_t"] == pytest.approx(t["co2_scope1"] + t["scope2"])
    assert len(c) == 2  # 1999 is not an inventory year


def test_bad_compare_file_is_located(tmp_path):
    f = tmp_path / "published.csv"
    f.write_text("source,scope,year,value,unit\nA,scope 1,2015,lots,Mt\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_reference(f)
    got = {(p.file, p.row, p.column, p.rule) for p in e.value.problems}
    assert got == {(str(f), 2, "scope", "allowed"), (str(f), 2, "value", "number")}


# --- located errors -----------------------------------------------------------------------------


def test_missing_history_activity_is_located(tmp_path):
    shutil.copytree(DATASET, tmp_path, dirs_exist_ok=True)
    f = tmp_path / "activity.csv"
    lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
    f.write_text("".join(x for x in lines if not x.startswith(("power_gas,wuhan,2012",
                                                              "rice,wuhan,2005"))),
                 encoding="utf-8")
    with pytest.raises(InputError) as e:
        compute_inventory(read_dataset(tmp_path))
    msgs = sorted(p.message for p in e.value.problems)
    assert all(p.file == str(tmp_path / "activity.csv") for p in e.value.problems)
    assert msgs[0].startswith("sector 'power_gas' has no activity in 2012; scope 2 needs")
    assert msgs[1].startswith("sector 'rice' has no activity in 2005; the inventory needs it")


# --- figure and command line -------------------------------------------------------------------


def test_trend_figure_has_every_glyph(tmp_path, wuhan, inventory):
    from peakpath.report.fonts import INSTALL_HINT, use_cjk_fonts

    assert use_cjk_fonts() is not None, INSTALL_HINT
    c = compare(inventory.totals, wuhan["inventory_reference"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" fails the test
        path = trend_figure(inventory, c, wuhan["sector_groups"], tmp_path / "trend.png",
                            "武汉市 历史二氧化碳排放清单 Historical CO2 inventory")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_missing_glyphs_would_be_caught(tmp_path, wuhan, inventory, monkeypatch):
    """The glyph check above can fail: with DejaVu alone, Chinese labels warn."""
    import peakpath.report.fonts as fonts

    monkeypatch.setattr(fonts, "FALLBACK", ("DejaVu Sans",))
    with pytest.warns(UserWarning, match="missing from font"):
        trend_figure(inventory, compare(inventory.totals, wuhan["inventory_reference"]),
                     wuhan["sector_groups"], tmp_path / "trend.png")


def test_cli_prints_and_writes(tmp_path, capsys):
    out = tmp_path / "inv"
    assert main(["inventory", str(DATASET), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "范围一" in text and "scope 1" in text and "CEADs" in text
    for name in ("inventory.csv", "inventory_totals.csv", "inventory_comparison.csv",
                 "inventory_notes.txt", "inventory.png"):
        assert (out / name).exists(), name


def test_cli_inventory_of_a_workbook_with_physical_units(tmp_path, capsys, wuhan):
    """A filled data list (energy in tonnes of coal) gives the same inventory as the CSVs."""
    from openpyxl import load_workbook

    from peakpath.io.datalist import write_template

    book = tmp_path / "wuhan.xlsx"
    write_template(book, DATASET)
    wb = load_workbook(book)
    ws = wb["energy"]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value == "steel" and ws.cell(r, 2).value == "coal":
            ws.cell(r, 4).value = ws.cell(r, 4).value / 0.7143  # 万tce -> 万t raw coal
            ws.cell(r, 5).value = "万t"
    wb.save(book)
    ours = compute_inventory(read_dataset(book)).totals
    theirs = compute_inventory(wuhan).totals
    assert ours["co2_scope1"].to_numpy() == pytest.approx(theirs["co2_scope1"].to_numpy(),
                                                          rel=1e-11)
    assert main(["inventory", str(book), "--compare", str(DATASET / "inventory_reference.csv"),
                 "--out", str(tmp_path / "inv")]) == 0
