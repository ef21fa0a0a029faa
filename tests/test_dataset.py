"""The shipped Wuhan dataset: calibration, derivation and sources."""

import subprocess
import sys

import pytest

from peakpath.core.baseline import derive, reference_co2
from tests.conftest import DATASET, shipped

CEADS_2019 = 12760.0  # 万t, CEADs Wuhan scope 1 (Shan et al. 2022)


@pytest.fixture(scope="module")
def reference(wuhan):
    return reference_co2(derive(wuhan, shipped("wuhan-baseline"))).set_index("year")


def test_base_year_scope1_within_ten_percent_of_ceads_2019(reference):
    s1 = reference.loc[2020, "co2_scope1"]
    assert abs(s1 / CEADS_2019 - 1) <= 0.10


def test_base_year_scope1_plus_scope2_in_the_calibration_band(reference):
    total = reference.loc[2020, "co2_scope1"] + reference.loc[2020, "scope2"]
    assert 14000 <= total <= 16500


@pytest.mark.solve
def test_reference_equals_the_model_without_measures(wuhan):
    from peakpath.solve.run import run_scenario

    sc = shipped("wuhan-baseline").with_settings({
        "projects": {"default": "out"},
        "overrides": [{"table": "measure_potential", "set": 0.0}]})
    res = run_scenario(sc, wuhan, isolate=False)
    ref = reference_co2(res.built.md).set_index("year")
    assert res.dataset["co2_total"].to_series().to_numpy() == pytest.approx(
        ref["co2_total"].to_numpy(), rel=1e-9)


def test_derive_script_reproduces_the_shipped_tables(tmp_path):
    script = DATASET / "derive.py"
    work = tmp_path / "wuhan"
    work.mkdir()
    (work / "derive.py").write_text(script.read_text(encoding="utf-8"), encoding="utf-8")
    subprocess.run([sys.executable, str(work / "derive.py")], check=True)
    for name in ("activity.csv", "energy.csv", "process.csv"):
        assert (work / name).read_text() == (DATASET / name).read_text(), name


def test_efficiency_script_reproduces_the_shipped_table(tmp_path):
    """efficiency.csv is the LMDI derivation of derive_efficiency.py on the shipped history."""
    work = tmp_path / "wuhan"
    work.mkdir()
    for name in ("derive_efficiency.py", "energy.csv", "macro.csv"):
        (work / name).write_text((DATASET / name).read_text(encoding="utf-8"),
                                 encoding="utf-8")
    subprocess.run([sys.executable, str(work / "derive_efficiency.py")], check=True)
    assert (work / "efficiency.csv").read_text() == (DATASET / "efficiency.csv").read_text()


def test_every_measure_and_table_is_sourced(wuhan):
    sources = (DATASET / "SOURCES.md").read_text(encoding="utf-8")
    missing = [m for m in wuhan["measures"]["measure"] if f"`{m}`" not in sources]
    assert not missing, f"measures without a SOURCES.md entry: {missing}"
    for f in DATASET.glob("*.csv"):
        assert f"`{f.name}`" in sources, f"{f.name} has no section in SOURCES.md"


def test_history_and_measure_counts(wuhan):
    years = set(wuhan["energy"]["year"])
    assert {2005, *range(2010, 2021)} <= years
    assert len(wuhan["measures"]) == 47
    groups = set(wuhan["sectors"]["group"])
    assert groups == {"energy", "industry", "buildings", "transport", "agriculture", "sinks",
                      "ccus"}
