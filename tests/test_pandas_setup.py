"""Text columns are stored the same way whatever the environment holds (`peakpath.pandas_setup`).

pandas 3 stores inferred text in PyArrow when PyArrow is installed; some frame operations differ
there, and `peakpath run` of the default scenario ended in an internal error. The test
environment has PyArrow (the `test` extra), so pandas alone would choose it: these checks fail
if peakpath stops pinning the storage."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import DATASET

PROBE = """
import json, sys
import pandas as pd
import pyarrow  # noqa: F401  (the environment this guards against)

def storage(s):  # pandas 2 infers object, pandas 3 its str dtype with a storage
    return getattr(s.dtype, "storage", str(s.dtype))

before = storage(pd.Series(["coal"]))
from peakpath.io.inputs import read_dataset
data = read_dataset(sys.argv[1])
print(json.dumps({"pandas": int(pd.__version__.split(".")[0]), "before": before,
                  "option": pd.get_option("mode.string_storage"),
                  "made": storage(pd.Series(["coal"])),
                  "read": storage(data.tables["fuels"]["fuel"])}))
"""


def test_text_is_stored_as_python_strings_with_pyarrow_installed() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE, str(DATASET)], capture_output=True,
                         text=True, check=True)
    seen = json.loads(out.stdout)
    text = "python" if seen["pandas"] >= 3 else "object"  # pandas 2 keeps text as objects
    if seen["pandas"] >= 3:
        assert seen["before"] == "pyarrow"  # what pandas picks on its own here
    assert (seen["option"], seen["made"], seen["read"]) == ("python", text, text)
