"""Results are written under temporary names (private by default) and moved into place: the
files and run folders must end up with the modes a plain open()/mkdir() would give them, so
that others on a shared machine can read the results and reports."""

from __future__ import annotations

import os
import stat

from peakpath.io.atomic import atomic_write_text


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_atomically_written_files_follow_the_umask(tmp_path):
    path = tmp_path / "report.html"
    atomic_write_text(path, "<html></html>")
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~_umask()


def test_run_folders_follow_the_umask(tmp_path, wuhan):
    from peakpath.results.dataset import write_results
    from peakpath.solve.run import run_scenario
    from tests.conftest import make_scenario

    res = run_scenario(make_scenario(name="modes"), wuhan, isolate=False)
    out = write_results(res.dataset, tmp_path / "modes", res.summary, res.built.md)
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~_umask()


def test_csv_tables_for_people_carry_a_utf8_byte_order_mark(tmp_path):
    """Excel on Chinese Windows reads a CSV as UTF-8 only with a BOM; pandas skips it."""
    import pandas as pd

    from peakpath.io.atomic import atomic_write_table

    f = tmp_path / "t.csv"
    atomic_write_table(f, "部门,值\n钢铁,1\n")
    assert f.read_bytes().startswith(b"\xef\xbb\xbf")
    assert list(pd.read_csv(f).columns) == ["部门", "值"]
    atomic_write_table(f, "\ufeffa\n1\n")  # never twice
    assert f.read_bytes().count(b"\xef\xbb\xbf") == 1
