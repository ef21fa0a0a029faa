"""Energy dual control: total cap and intensity per plan period, and the accounting rules."""

import numpy as np
import pytest

from tests.conftest import series, solve_wuhan, target_rows


def test_energy_cap_holds_and_binds(wuhan, baseline_run):
    # 150 万tce below the least-cost path's highest year: reachable, binding late, and a cap
    # by 2025 that lapsed after 2025 would let the last years through
    base = series(baseline_run, "energy_total").loc[2025:].max()
    cap = round(base - 150)
    res = solve_wuhan(wuhan, {"targets.energy_cap": {2025: cap}})
    e = series(res, "energy_total")
    assert (e.loc[2025:] <= cap + 1e-6).all()  # a cap by 2025 persists
    rows = target_rows(res, "energy_cap")
    assert [r["year"] for r in rows] == list(range(2025, 2036))
    binding = [r for r in rows if r["binding"]]
    assert binding and all(r["shadow_price"] > 0 for r in binding)
    assert all(r["achieved"] == pytest.approx(cap, abs=1e-4) for r in binding)


def test_energy_intensity_target_over_the_plan_period(wuhan, baseline_run):
    ds = baseline_run.dataset
    achieved = float(ds["energy_intensity"].sel(year=2025) / ds["energy_intensity"].sel(
        year=2020) - 1)
    goal = round(achieved - 0.03, 3)  # three points deeper than the least-cost path
    res = solve_wuhan(wuhan, {"targets.energy_intensity": {2025: goal}})
    (row,) = target_rows(res, "energy_intensity")
    assert row["achieved"] == pytest.approx(goal, abs=1e-7)
    assert row["binding"] and row["shadow_price"] > 0
    r = res.dataset
    change = float(r["energy_intensity"].sel(year=2025) / r["energy_intensity"].sel(year=2020)
                   - 1)
    assert change == pytest.approx(goal, abs=1e-7)


def test_yearly_intensity_path_holds_every_year(wuhan, shipped_run):
    """``targets.intensity_path: yearly``: every year of the 2021–25 period stays on the
    geometric path to its −13.5 % (factor 0.865^(j/5) of the base year's intensity in year
    2020 + j), where the period-end form lets current policy step down in 2025 alone."""
    goal = 0.865 ** (np.arange(1, 6) / 5.0)  # hand-computed required factors, 2021..2025
    years = list(range(2021, 2026))

    def factors(res):
        i = series(res, "energy_intensity")
        return (i.loc[years] / i[2020]).to_numpy()

    res = solve_wuhan(wuhan, {"targets.intensity_path": "yearly"}, base="wuhan-current-policy")
    assert (factors(res) <= goal + 1e-9).all()
    rows = target_rows(res, "energy_intensity")
    assert [r["year"] for r in rows if r["year"] <= 2025] == years
    assert [r["limit"] for r in rows[:5]] == pytest.approx(goal - 1.0, abs=1e-6)  # 6 digits
    assert any(r["binding"] and r["shadow_price"] > 0 for r in rows if r["year"] < 2025)
    # the shipped period-end form leaves a year above that path (the case the rows are for)
    assert (factors(shipped_run("wuhan-current-policy")) > goal + 1e-4).any()


def test_excluding_feedstock_removes_it_from_the_total(wuhan, baseline_run):
    res = solve_wuhan(wuhan, {"accounting.exclude_feedstock": False})
    with_fs = series(res, "energy_total")[2020]
    without = series(baseline_run, "energy_total")[2020]
    # petrochem oil 525 万tce in 2020, 69.52 % of it feedstock; chemicals coal 80 (40 %),
    # gas 60 (50 %), oil 15 (30 %)
    assert with_fs - without == pytest.approx(525 * 0.6952 + 80 * 0.4 + 60 * 0.5 + 15 * 0.3,
                                              rel=1e-4)


def test_coal_equivalent_method_scales_electricity(wuhan, baseline_run):
    # the shipped scenarios use the coal-equivalent method; the calorific one counts purchased
    # and local non-fossil electricity at 0.1229 kgce/kWh, in the total and the share alike
    res = solve_wuhan(wuhan, {"accounting.electricity": "equivalent"})
    ds = baseline_run.dataset
    purchased = float(ds["purchased_electricity"].sel(year=2020))
    renewables = 3.5 * 1.229  # existing local PV and wind, 万tce calorific
    k = 305 / 122.9  # 2020 grid coal rate over the calorific equivalent
    for name in ("energy_total", "primary_energy"):
        diff = float(ds[name].sel(year=2020) - res.dataset[name].sel(year=2020))
        assert diff == pytest.approx((k - 1) * (purchased + renewables), rel=1e-6)
    nf = float(ds["non_fossil"].sel(year=2020) - res.dataset["non_fossil"].sel(year=2020))
    share = 0.336  # grid non-fossil share 2020 (grid.csv)
    assert nf == pytest.approx((k - 1) * (share * purchased + renewables), rel=1e-6)


def test_new_renewables_counted_only_when_not_excluded(wuhan, baseline_run):
    res = solve_wuhan(wuhan, {"accounting.exclude_new_renewables": False})
    gen = baseline_run.dataset["adoption"].sel(year=2030).sum("district").to_series()
    k = 298 / 122.9  # coal-equivalent method: the 2030 grid coal rate (grid.csv)
    # solar, wind and waste-to-energy (biomass power, 发改运行〔2022〕1258号), 亿kWh per unit
    new_ren = (gen["pv_rooftop"] * 0.01 + gen["pv_utility"] * 0.011
               + gen["wind_onshore"] * 0.02 + gen["wte_expansion"] * 0.06) * 1.229 * k
    assert new_ren > 10
    diff = float(res.dataset["energy_total"].sel(year=2030)
                 - baseline_run.dataset["energy_total"].sel(year=2030))
    assert diff == pytest.approx(new_ren, rel=1e-6)


def test_the_verdict_names_co2_targets_only_if_they_bind_from_the_peak_on(wuhan, capsys):
    # on a yearly path current policy's carbon-intensity rows bind in the early years only,
    # while its CO2 is highest later: they did not hold that peak down
    res = solve_wuhan(wuhan, {"targets.intensity_path": "yearly"}, base="wuhan-current-policy")
    peak = res.summary["peak_year"]
    co2_rows = [r for r in target_rows(res, "carbon_intensity") if r["binding"]]
    assert co2_rows and max(r["year"] for r in co2_rows) < peak
    res.print_summary()
    line = next(x for x in capsys.readouterr().out.splitlines() if "Pathway: peak" in x)
    assert "held down by the CO2 targets" not in line
    assert "shaped by targets that bind" in line and "carbon_intensity" in line
