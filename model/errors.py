"""Errors a user can act on. The CLI prints them without a traceback and exits 2 (bad input)
or 3 (a scenario that cannot be solved)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One located problem in an input file.

    ``row`` is the line number in the file as a spreadsheet or editor shows it (the header is
    line 1, the first data row line 2); for YAML it is the line of the offending key.
    """

    file: str
    row: int | None
    column: str | None
    rule: str
    message: str
    hint_zh: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            kind = "key" if self.file.endswith((".yaml", ".yml")) else "column"
            where += f", {kind} '{self.column}'"
        text = f"{where}: [{self.rule}] {self.message}"
        if self.hint_zh:
            text += f"（{self.hint_zh}）"
        return text


def line_of(lines: dict[tuple, int], key: tuple) -> int | None:
    """The line of ``key`` in a YAML file's ``lines`` (`peakpath.io.yamlio.read_yaml`), or of
    the nearest key above it that has one."""
    while key:
        if key in lines:
            return lines[key]
        key = key[:-1]
    return None


class PeakpathError(Exception):
    """Base class of errors reported to the user without a traceback."""

    exit_code = 1


class InputError(PeakpathError):
    """Every problem found in a dataset or scenario, reported together."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the inputs")

    def report(self) -> str:
        lines = [str(self)]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class InfeasibleError(PeakpathError):
    """The scenario's targets cannot all be met; ``shortfalls`` says which and by how much."""

    exit_code = 3

    def __init__(self, message: str, shortfalls: list[dict] | None = None):
        super().__init__(message)
        self.shortfalls = shortfalls or []


class SolverError(PeakpathError):
    """HiGHS stopped without a usable solution (time limit, numerical trouble, crash)."""

    exit_code = 4


class Interrupted(KeyboardInterrupt):
    """A run or batch stopped by Ctrl-C or SIGTERM after cleaning up (workers ended, temporary
    folders removed). ``str()`` is the one line to show; ``exit_code`` follows the shell's
    convention, 128 + the signal number."""

    def __init__(self, signum: int, message: str = "interrupted"):
        super().__init__(message)
        self.signum = int(signum)
        self.message = message

    @classmethod
    def by_signal(cls, signum: int) -> Interrupted:
        """The interruption a signal makes: "interrupted" for Ctrl-C, "terminated by SIGTERM"
        (or SIGHUP) for a request to terminate."""
        import signal

        return cls(signum, "interrupted" if signum == signal.SIGINT
                   else f"terminated by {signal.Signals(signum).name}")

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    def __str__(self) -> str:
        return self.message
