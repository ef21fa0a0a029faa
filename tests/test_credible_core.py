"""Hand-computed micro-cases for the credible core (issue 9): caps that persist, intensity
targets that chain, the hurdle-rate annuity, diffusion limits and feedstock accounting
(tests/mini.py: 100 万tce coal at 2 t/tce = 200 万t CO2 a year, coal 1,000 CNY/tce, no growth)."""

from __future__ import annotations

import pytest

from peakpath.core.ledger import capital_recovery_factor
from peakpath.core.targets import chained_intensity, persistent_caps, yearly_intensity
from peakpath.solve.run import run_scenario
from tests.conftest import make_scenario, series, solve_wuhan
from tests.mini import coal_saver, mini

ACTORS = [{"actor": "households", "name_zh": "居民", "name_en": "Households",
           "hurdle_rate": 0.15, "source": "test"}]


def years(start=2021, end=2023, **kw):
    return {"years": {"base": 2020, "start": start, "end": end},
            "projects": {"default": "out"}, **kw}


def solve(tmp_path, measures, settings, **tables):
    data = mini(tmp_path / "data", measures, **tables)
    return run_scenario(make_scenario(settings, dataset=tmp_path / "data"), data,
                        isolate=False)


def test_persistent_caps_expand_by_hand():
    f = persistent_caps({2022: 1950, 2025: 1800}, list(range(2021, 2028)))
    assert f.set_index("year")["cap"].to_dict() == {
        2022: 1950, 2023: 1950, 2024: 1950, 2025: 1800, 2026: 1800, 2027: 1800}
    only = persistent_caps({2022: 1950, "only": [2022]}, list(range(2021, 2025)))
    assert only.set_index("year")["cap"].to_dict() == {2022: 1950}


def test_a_cap_by_a_year_holds_in_every_later_year(tmp_path):
    # a 50 CNY/t measure that lasts one year: without persistence the cap would be met in
    # 2021 alone and CO2 would go back to 200 in 2022 and 2023
    m = [coal_saver("kit", 1100, potential=20)]
    res = solve(tmp_path, m, years(targets={"carbon_cap": {2021: 190}}))
    co2 = series(res, "co2_total")
    assert co2.loc[2021:2023].to_numpy() == pytest.approx([190.0, 190.0, 190.0])
    one = solve(tmp_path, m, years(targets={"carbon_cap": {2021: 190, "only": [2021]}}))
    assert series(one, "co2_total").loc[2021:2023].to_numpy() == pytest.approx(
        [190.0, 200.0, 200.0])


def test_yearly_intensity_factors_by_hand():
    f = yearly_intensity(chained_intensity({2025: -0.135, 2030: -0.135}, 2020))
    f = f.set_index("year")
    assert list(f.index) == list(range(2021, 2031))
    assert f.loc[2023, "factor"] == pytest.approx(0.865 ** 0.6, abs=1e-12)
    assert f.loc[2025, "factor"] == pytest.approx(0.865, abs=1e-12)
    assert f.loc[2027, "factor"] == pytest.approx(0.865 * 0.865 ** 0.4, abs=1e-12)
    assert f.loc[2027, "rate"] == pytest.approx(0.865 ** 0.4 - 1.0, abs=1e-12)
    assert f.loc[2030, "start_factor"] == pytest.approx(0.865, abs=1e-12)


def test_chained_intensity_factors_by_hand():
    f = chained_intensity({2025: -0.135, 2030: -0.135}, 2020).set_index("year")
    assert f.loc[2025, "factor"] == pytest.approx(0.865)
    assert f.loc[2030, "factor"] == pytest.approx(0.865 ** 2)
    # a period without a target requires no change
    assert chained_intensity({2030: -0.1}, 2020).set_index("year").loc[
        2030, "factor"] == pytest.approx(0.9)


def test_a_later_intensity_target_chains_from_the_required_value(tmp_path):
    # GDP flat: the 2025 target -10 % requires E2025 <= 90; the 2030 target -10 % chains from
    # that required 90, not from the model's 2025: E2030 <= 81 (a costly measure, so both bind)
    m = [coal_saver("kit", 1100, potential=30)]
    res = solve(tmp_path, m, years(2021, 2030, targets={
        "energy_intensity": {2025: -0.10, 2030: -0.10}}))
    e = series(res, "energy_total")
    assert e[2025] == pytest.approx(90.0)
    assert e[2030] == pytest.approx(81.0)
    rows = {t["year"]: t for t in res.summary["targets"]}
    assert rows[2030]["achieved"] == pytest.approx(-0.10)


def test_hurdle_rate_annuity_by_hand(tmp_path):
    # capex 3,500 万元 per unit saving 1 万tce (1,000 万元/yr), L = 5, r = 10 %:
    # at the social rate 3,500 * CRF(10 %, 5) = 923.3 < 1,000 pays; at the households'
    # 15 %, 3,500 * CRF(15 %, 5) = 1,044.1 > 1,000 does not
    social = [coal_saver("kit", 0, capex=3500.0, lifetime=5, potential=10)]
    s = years(discount_rate=0.10)
    free = solve(tmp_path, social, s)
    assert float(free.dataset["adoption"].sel(year=2021).sum()) == pytest.approx(10.0)
    held = solve(tmp_path / "h", [coal_saver("kit", 0, capex=3500.0, lifetime=5, potential=10,
                                             actor="households")], s, actors=ACTORS)
    assert float(held.dataset["adoption"].sum()) == pytest.approx(0.0)
    # forced in by a cap, the gap is reported apart: capex at 10 %, hurdle = the difference
    capped = solve(tmp_path / "c", [coal_saver("kit", 0, capex=3500.0, lifetime=5,
                                               potential=10, actor="households")],
                   years(discount_rate=0.10, targets={"carbon_cap": {2021: 180}}),
                   actors=ACTORS)
    cost = capped.dataset["cost"].sel(year=2021)
    units = 10.0
    assert float(cost.sel(component="capex")) == pytest.approx(
        units * 3500 * capital_recovery_factor(0.10, 5))
    assert float(cost.sel(component="hurdle")) == pytest.approx(
        units * 3500 * (capital_recovery_factor(0.15, 5) - capital_recovery_factor(0.10, 5)))


def test_diffusion_limit_by_hand(tmp_path):
    # a measure that pays (om 500 < 1,000 of coal saved), potential 100, start-up 10 a year
    # (growth_seed 0.1), growth at most 50 %/yr: stock 10, 1.5*10+10 = 25, 1.5*25+10 = 47.5
    m = [coal_saver("kit", 500, potential=100, lifetime=10, max_build_share=1.0,
                    max_growth=0.5, growth_seed=0.1)]
    res = solve(tmp_path, m, years())
    a = res.dataset["adoption"].sum("district").sel(measure="kit").to_series()
    assert a.loc[2021:2023].to_numpy() == pytest.approx([10.0, 25.0, 47.5])


def test_feedstock_of_a_measure_and_a_project(tmp_path):
    # half the plant's coal is feedstock: the base year emits 100 万t, not 200. A measure that
    # saves 1 万tce of burned coal abates the full 2 万t; a project adding 10 万tce of feedstock
    # adds energy use but no CO2 and nothing to the energy total (feedstock excluded)
    m = [coal_saver("kit", 500, potential=10)]
    project = [{"project": "p", "name_zh": "项目", "name_en": "Project", "sector": "plant",
                "district": "city", "earliest_year": 2021, "value_added": 1.0}]
    effects = [{"project": "p", "kind": "feedstock", "item": "coal", "value": 10.0,
                "unit": "万tce"}]
    res = solve(tmp_path, m, years(2021, 2021, projects={"default": "in"}),
                feedstock=[{"sector": "plant", "fuel": "coal", "share": 0.5}],
                projects=project, project_effects=effects)
    ds = res.dataset
    assert float(ds["co2_scope1"].sel(year=2020)) == pytest.approx(100.0)
    assert float(ds["adoption"].sel(year=2021).sum()) == pytest.approx(10.0)
    assert float(ds["co2_scope1"].sel(year=2021)) == pytest.approx(100.0 - 2.0 * 10)
    assert float(ds["fuel_use"].sel(fuel="coal", year=2021)) == pytest.approx(100 - 10 + 10)
    assert float(ds["energy_total"].sel(year=2021)) == pytest.approx(50.0 - 10.0)


def test_no_binding_coal_cap_is_met_by_a_one_year_dip(wuhan, baseline_run):
    # a cap from 2022 below the least-cost path's coal use in 2022 and later years holds in
    # every year from 2022 on, not just 2022
    coal = (baseline_run.dataset["fuel_use"].sel(fuel=["coal", "coke"]).sum("fuel")
            .to_series())
    cap = round(float(coal[2022]) - 60)
    assert (coal.loc[2023:] > cap).any()  # without persistence later years would exceed it
    res = solve_wuhan(wuhan, {"targets.coal_cap": {2022: cap}})
    got = res.dataset["fuel_use"].sel(fuel=["coal", "coke"]).sum("fuel").to_series()
    assert (got.loc[2022:] <= cap + 1e-6).all()


def _tech(name, mode, effects, potential=100.0, basis="activity_share", om=0.0,
          capex=0.0, lifetime=10):
    """A measure of the mini plant (activity 100 万t, 1 万tce coal per 万t) in activity units."""
    m, p, _ = coal_saver(name, om, capex=capex, lifetime=lifetime)
    m.update({"unit": "万t", "potential_basis": basis, "mode": mode})
    p.update({"value": potential / 100.0 if basis == "activity_share" else potential,
              "unit": "1" if basis == "activity_share" else "万t"})
    rows = [{"measure": name, "kind": k, "item": i, "sector": "", "value": v, "unit": u}
            for k, i, v, u in effects]
    return m, p, rows


def solve_tech(tmp_path, measures, settings):
    from tests.mini import write_mini

    path = write_mini(tmp_path / "data", [(m, p, e[0]) for m, p, e in measures])
    effects = [row for _, _, e in measures for row in e]
    import pandas as pd

    cols = ["measure", "kind", "item", "sector", "value", "unit"]
    pd.DataFrame(effects, columns=cols).to_csv(path / "measure_effects.csv", index=False)
    ms = pd.read_csv(path / "measures.csv", keep_default_na=False)
    ms["mode"] = [m["mode"] for m, _, _ in measures]
    ms.to_csv(path / "measures.csv", index=False)
    from peakpath.io.inputs import read_dataset

    return run_scenario(make_scenario(settings, dataset=path), read_dataset(path),
                        isolate=False)


def test_two_technology_service_with_a_share_limit(tmp_path):
    # the plant's 100 万t are made with 1 万tce coal each (the incumbent). An electric route
    # uses 0.3 万tce electricity per 万t and may take at most 60 % of output; an efficiency
    # retrofit saves 20 % of the incumbent's coal on the tonnes it still makes. A carbon cap of
    # 60 万t (coal 2 t/tce) needs both: electric 60 万t leaves 40 万t on coal = 80 万t CO2
    # (+ 0.3 * 60 万tce electricity at 0.5 kg/kWh = 4.07 t/tce -> 73.2 万t)... so the cap binds
    # with the retrofit on the remaining 40 万t: coal 40 * 0.8 = 32 万tce.
    elec = _tech("electric", "switch", [("energy", "electricity", 0.3, "万tce")],
                 potential=60.0, om=100.0)
    retro = _tech("retrofit", "improve", [("energy_share", "coal", -0.2, "1")],
                  potential=100.0, om=50.0)
    res = solve_tech(tmp_path, [elec, retro],
                     years(2021, 2021, targets={"carbon_cap": {2021: 130}}))
    ds = res.dataset
    a = ds["adoption"].sel(year=2021).sum("district").to_series()
    coal = float(ds["energy"].sel(year=2021, sector="plant", fuel="coal").sum())
    el = float(ds["energy"].sel(year=2021, sector="plant", fuel="electricity").sum())
    # by hand: coal = 100 - x_e - 0.2 * x_r and x_r <= 100 - x_e (the incumbent's tonnes)
    assert coal == pytest.approx(100 - a["electric"] - 0.2 * a["retrofit"], abs=1e-7)
    assert el == pytest.approx(0.3 * a["electric"], abs=1e-7)
    assert a["electric"] <= 60 + 1e-7
    assert a["retrofit"] <= 100 - a["electric"] + 1e-7
    # the incumbent's coal never falls below what its remaining tonnes need after retrofit
    assert coal >= 0.8 * (100 - a["electric"]) - 1e-7
    # when both sit at their limits no fuel can be taken twice: 40 tonnes left on coal
    full = solve_tech(tmp_path / "f", [elec, retro],
                      years(2021, 2021, targets={"carbon_cap": {2021: 1}}))
    af = full.dataset["adoption"].sel(year=2021).sum("district").to_series()
    assert af["electric"] == pytest.approx(60.0)
    assert af["retrofit"] == pytest.approx(40.0)
    coal_f = float(full.dataset["energy"].sel(year=2021, sector="plant", fuel="coal").sum())
    assert coal_f == pytest.approx(40 * 0.8)


SHIPPED_SOLVED = ("wuhan-current-policy", "wuhan-peak-2030", "wuhan-stretch")


@pytest.mark.parametrize("name", SHIPPED_SOLVED)
def test_no_binding_cap_or_floor_is_met_in_one_year_alone(shipped_run, name):
    """Every binding cap or floor of a shipped scenario has a row, held, in every model year
    from its first year on: a target is never met by a one-year dip. An elastic scenario
    (stretch) may miss a target by its reported shortfall, and by no more."""
    from peakpath.results.dataset import tidy_tables

    res = shipped_run(name)
    assert res.status in ("optimal", "elastic")
    rows = tidy_tables(res.dataset)["targets"]
    short = rows["shortfall"].fillna(0.0)
    assert len(rows) and rows["binding"].any()  # the scenario has binding targets to check
    # the plateau rows (peak) and the decline rows after them are one peak target
    rows = rows.replace({"target": {"peak_decline": "peak"}, "family": {"peak_decline": "peak"}})
    last = max(res.built.md.years)
    for (target, family), g in rows.groupby(["target", "family"]):
        if family not in ("coal_cap", "energy_cap", "carbon_cap", "non_fossil_share", "limit",
                          "peak", "peak_decline", "oil_peak"):
            continue
        years_ = sorted(g["year"])
        assert years_ == list(range(years_[0], last + 1)), (target, years_)
        le = g["sense"] == "le"
        sh = short.loc[g.index]
        assert (g.loc[le, "achieved"] <= g.loc[le, "limit"] * (1 + 1e-9) + sh[le] + 1e-6).all()
        assert (g.loc[~le, "achieved"] >= g.loc[~le, "limit"] * (1 - 1e-9) - sh[~le] - 1e-6
                ).all()


def test_new_technologies_share_the_activity_with_the_incumbent(tmp_path):
    # two routes of 60 万t potential each cannot make more than the plant's 100 万t together:
    # pushed to the limit they take all of it, the incumbent's coal goes to zero, not below
    elec = _tech("electric", "switch", [("energy", "electricity", 0.3, "万tce")],
                 potential=60.0, om=100.0)
    h2 = _tech("hydrogen", "switch", [("energy", "electricity", 0.1, "万tce")],
               potential=60.0, om=200.0)
    # a cap no route mix can reach (elastic): every tonne moved off coal counts
    res = solve_tech(tmp_path, [elec, h2], years(2021, 2021, targets={"carbon_cap": {2021: 1}}))
    a = res.dataset["adoption"].sel(year=2021).sum("district").to_series()
    assert a["electric"] + a["hydrogen"] == pytest.approx(100.0)
    # per t: electric 0.3 万tce power = 1.22 t CO2, hydrogen 0.1 = 0.41 t, coal 2 t: the
    # cleaner route fills its 60 first, the electric one takes the remaining 40
    assert a["hydrogen"] == pytest.approx(60.0)
    assert a["electric"] == pytest.approx(40.0)
    coal = float(res.dataset["energy"].sel(year=2021, sector="plant", fuel="coal").sum())
    assert coal == pytest.approx(0.0, abs=1e-7)


def test_the_2024_plan_peaks_by_2029_although_its_reference_still_rises(wuhan):
    """The plan's peak year is the pathway's maximum from then on (peak_max rows), while the
    fixed level stays the least-cost reference's 2029 CO2, which no target of the scenario can
    move; the reference itself still rises after 2029."""
    from peakpath.core.levels import least_cost_reference
    from peakpath.solve.run import scenario_from_results
    from tests.conftest import shipped

    sc = shipped("wuhan-peak-2030")
    res = run_scenario(sc, wuhan, isolate=False)
    peak = scenario_from_results(res.dataset).targets["peak"]
    P, level = int(peak["year"]), float(peak["level"])
    co2 = res.dataset["co2_total"].to_series()
    assert res.summary["peak_year"] <= P
    assert co2.loc[P + 1:].max() <= co2[P] + 1e-6
    ref = run_scenario(least_cost_reference(sc), wuhan, isolate=False).dataset
    ref_co2 = ref["co2_total"].to_series()
    assert level == pytest.approx(ref_co2[P], rel=1e-6)
    assert ref_co2.loc[P + 1:].max() > ref_co2[P] + 1


def test_an_output_cut_made_for_a_target_is_never_restored(shipped_run):
    """Current policy meets its 2025 intensity target partly by cutting crude steel; the cut
    is retired capacity, so the steel made never climbs back once the target year has passed
    (with a five-year cut the run restored 161 万t in 2030: energy +3.4 % in one year)."""
    res = shipped_run("wuhan-current-policy")
    cut = res.dataset["adoption"].sel(measure="steel_output_control").sum("district")
    cut = cut.to_series()
    assert cut.max() > 1.0  # the scenario does cut output
    assert (cut.diff().dropna() >= -1e-6).all(), cut.round(2).to_dict()
    energy = res.dataset["energy_total"].to_series()
    assert (energy.pct_change().dropna() < 0.03).all()  # no one-year rebound of energy use


def test_local_coal_power_keeps_its_must_run_share(shipped_run):
    """Imports replacing coal power and early unit retirements each have their own potential;
    together they may not take local coal generation below its must-run share (60 % of the
    base year's 191.5 亿kWh, heat duties [E]). Stretch uses both and sits on the floor in 2035:
    without the rows it went down to 40 % (76.6 亿kWh); with their sign flipped, the years it
    keeps all its generation would break them."""
    res = shipped_run("wuhan-stretch")
    gen = res.dataset["generation"].sel(sector="power_coal").sum("district").to_series()
    floor = 0.6 * gen[2020]
    assert (gen >= floor - 1e-6).all(), gen.round(1).to_dict()
    assert gen.min() == pytest.approx(floor, abs=1e-6)  # it binds
    a = res.dataset["adoption"].sum("district").sel(year=2035).to_series()
    assert a["coal_unit_retirement"] > 0.5 and a["coal_gen_to_imports"] > 1.0  # both in use
    assert gen.max() > floor + 1.0


def test_an_output_cut_is_flagged_as_leakage_by_hand(shipped_run):
    """The crude-steel cut is the dataset's one output reduction (a switch measure that makes
    nothing); its abatement is reported as a leakage flag: tonnes not made times the city's
    CO2 per tonne, year by year."""
    from peakpath.results.dataset import output_cut_measures

    res = shipped_run("wuhan-stretch")
    ds = res.dataset
    assert output_cut_measures(res.built.md) == ["steel_output_control"]
    tonnes = ds["adoption"].sel(measure="steel_output_control").sum("district")
    per_t = ds["measure_co2_per_unit"].sel(measure="steel_output_control")
    want = (-tonnes * per_t).to_series()
    got = ds["output_cut_co2"].to_series()
    assert got.max() > 100.0  # stretch cuts steel
    assert got.to_numpy() == pytest.approx(want.to_numpy(), abs=1e-9)
    assert res.summary["output_cut_co2_wan_t"]["2035"] == pytest.approx(float(got[2035]),
                                                                        abs=0.01)
