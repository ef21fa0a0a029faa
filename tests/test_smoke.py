from peakpath.solve.run import run_scenario
from tests.conftest import shipped


def test_default_scenario_solves_and_stays_under_its_peak_level(shipped_run):
    # make run's scenario: the 2024 plan, peak before 2030 (by 2029)
    res = shipped_run("wuhan-peak-2030")
    assert res.status == "optimal"
    co2 = res.dataset["co2_total"].to_series()
    level = res.built.md.scenario.targets["peak"]["level"]
    assert (co2.loc[2030:] <= level + 1e-6).all()


def test_results_carry_their_scenario(wuhan, tmp_path):
    from peakpath.results.dataset import load_results, write_results
    from peakpath.solve.run import scenario_from_results

    sc = shipped("wuhan-peak-2030")
    res = run_scenario(sc, wuhan, isolate=False)
    write_results(res.dataset, tmp_path / sc.name, res.summary, res.built.md)
    back = scenario_from_results(load_results(tmp_path / sc.name))
    # the results carry the scenario as solved: the peak levels found by model.levels filled in
    solved = res.built.md.scenario
    assert back.settings == solved.settings
    assert back.digest() == solved.digest()
    assert {k: v for k, v in back.targets["peak"].items() if k != "level"} == sc.targets["peak"]
    assert back.targets["oil_peak_level"] > 0
