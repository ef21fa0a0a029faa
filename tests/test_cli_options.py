"""Command-line options: the model HiGHS receives (`run --write-model`) solves to the run's
own objective in a fresh HiGHS; solver settings given on the command line (`--solver`) are
checked like the scenario's; verbose runs (`-v`) log their stages; batch progress."""

from __future__ import annotations

import json

import pytest

from peakpath.cli.main import main
from tests.conftest import RUNS

SCENARIO = str(RUNS / "wuhan-baseline.yaml")


def _objective(folder) -> float:
    return json.loads((folder / "wuhan-baseline" / "summary.json").read_text())[
        "objective_wan_cny"]


@pytest.mark.parametrize("suffix", [".mps", ".lp"])
def test_written_model_solves_to_the_runs_objective(tmp_path, suffix, capsys):
    import highspy

    file = tmp_path / "model" / f"wuhan{suffix}"
    code = main(["run", SCENARIO, "--out", str(tmp_path), "--in-process", "--quiet",
                 "--write-model", str(file)])
    assert code == 0
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 1e-6)  # as the scenario asks
    assert h.readModel(str(file)) == highspy.HighsStatus.kOk
    lp = h.getLp()
    assert lp.num_row_ > 2000 and lp.num_col_ > 2000
    # readable names: the block and its index values
    names = [h.getColName(i)[1] for i in range(lp.num_col_)]
    assert any(n.startswith("stock(nev_cars,wuhan,2030") or n.startswith("build(nev_cars")
               for n in names), names[:5]
    assert len(set(names)) == len(names)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    # the run solves to a relative gap of 1e-6: two optimal solves agree within it
    assert h.getInfo().objective_function_value == pytest.approx(_objective(tmp_path),
                                                                 rel=1e-5)


def test_unknown_model_format_is_refused_before_solving(tmp_path, capsys):
    code = main(["run", SCENARIO, "--out", str(tmp_path), "--write-model",
                 str(tmp_path / "m.txt")])
    err = capsys.readouterr().err
    assert code == 2
    assert "m.txt" in err and ".mps" in err
    assert not (tmp_path / "wuhan-baseline").exists()


@pytest.mark.parametrize(("pair", "said"), [("mip_rel_gap", "KEY=VALUE"),
                                            ("method=barrier", "method"),
                                            ("time_limit=-5", "time_limit")])
def test_bad_solver_settings_are_located(tmp_path, capsys, pair, said):
    code = main(["run", SCENARIO, "--out", str(tmp_path), "--solver", pair])
    err = capsys.readouterr().err
    assert code == 2, err
    assert said in err
    assert "<command line>, column '--solver'" in err  # not blamed on the scenario file
    assert "internal error" not in err


def test_solver_settings_and_verbose_log(tmp_path, capsys):
    code = main(["run", SCENARIO, "--out", str(tmp_path), "--in-process", "-v",
                 "--solver", "mip_rel_gap=1e-3", "--solver", "time_limit=120"])
    cap = capsys.readouterr()
    assert code == 0
    assert "peakpath: wuhan-baseline: built" in cap.err
    assert "peakpath: wuhan-baseline: optimal after" in cap.err
    sc = json.loads((tmp_path / "wuhan-baseline" / "summary.json").read_text())
    assert sc["objective_wan_cny"] == pytest.approx(_objective(tmp_path))


class _Tty:
    """A stderr that says it is a terminal."""

    def __init__(self):
        import io

        self.buf = io.StringIO()

    def isatty(self) -> bool:
        return True

    def write(self, s: str) -> int:
        return self.buf.write(s)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("tty", [True, False])
def test_batch_progress_bar_on_a_terminal_and_lines_otherwise(monkeypatch, tty, capsys):
    from peakpath.analysis.batch import Progress

    fake = _Tty()
    if tty:
        monkeypatch.setattr("sys.stderr", fake)
    p = Progress(4, 1)
    for i in range(3):
        p.update({"id": f"mc{i:04d}", "status": "optimal"})
    text = fake.buf.getvalue() if tty else capsys.readouterr().err
    if tty:
        assert "4/4" in text and "scenario" in text and "mc0002 optimal" in text
        assert p.bar is None  # closed at the end: the next output starts on its own line
    else:
        assert "batch: 4/4 done (100%)" in text and "last mc0002 optimal" in text
