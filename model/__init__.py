"""peakpath: least-cost carbon-peak pathway model for Chinese cities (Pyomo + HiGHS)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("peakpath")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+source"
