"""One pandas setting for every peakpath process: text columns are stored as Python strings.

pandas 3 infers the ``str`` dtype for text. It stores it in PyArrow when PyArrow is installed
and as Python objects when it is not, and some operations differ between the two: an empty
text column mapped to numbers stays text under PyArrow, so multiplying it raises TypeError.
`peakpath run` of the default scenario failed that way, with an internal error, wherever
PyArrow was installed (it comes with many data packages). Pinning the storage makes a run
compute the same way, and give the same answer, whatever else the environment holds.

It is a process-wide pandas option (``mode.string_storage``), set when a peakpath module that
makes frames is first imported; frames made before that keep their storage."""

from __future__ import annotations

import pandas as pd

STRING_STORAGE = "python"

pd.set_option("mode.string_storage", STRING_STORAGE)


def copies_on_write() -> bool:
    """Whether a shallow copy of a frame is safe to change or hand out: pandas 3 always copies
    on write; pandas 2 only with ``mode.copy_on_write`` on."""
    return _PANDAS_MAJOR >= 3 or pd.get_option("mode.copy_on_write") is True


_PANDAS_MAJOR = int(pd.__version__.split(".")[0])
