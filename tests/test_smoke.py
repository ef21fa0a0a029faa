from model.run import run_scenario
from tests.conftest import shipped


def test_default_scenario_solves_and_peaks_by_2022(wuhan):
    res = run_scenario(shipped("wuhan-peak-2022"), wuhan, isolate=False)
    assert res.status == "optimal"
    co2 = res.dataset["co2_total"].to_series()
    assert (co2.loc[2023:] <= co2.loc[2022] + 1e-6).all()


def test_results_carry_their_scenario(wuhan, tmp_path):
    from model.results import load_results, write_results
    from model.run import scenario_from_results

    sc = shipped("wuhan-peak-2022")
    res = run_scenario(sc, wuhan, isolate=False)
    write_results(res.dataset, tmp_path / sc.name, res.summary, res.built.md)
    back = scenario_from_results(load_results(tmp_path / sc.name))
    assert back.settings == sc.settings
    assert back.digest() == sc.digest()
