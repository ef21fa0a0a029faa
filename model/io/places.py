"""Where a command writes: checked before any work, so a read-only folder or a file in the
way ends in a located message (exit 2) instead of an error after a long solve.

Light on imports: commands call these before importing the solver stack.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from peakpath.errors import InputError, Problem


def _refuse(path: Path, option: str, en: str, zh: str) -> InputError:
    return InputError([Problem(str(path), None, None, "output", f"{option}: {en}", zh)])


def writable_dir(path: str | Path, option: str = "--out") -> Path:
    """``path`` is a folder this process can write into, or can be made as one."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise _refuse(path, option, "this is a file; expected a folder to write into",
                      "该路径是文件，应为可写入的文件夹")
    existing = path
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise _refuse(path, option, f"{existing} is a file, so the folder cannot be made; "
                      "expected a path under a folder", "上级路径是文件，无法创建文件夹")
    _probe(existing, path, option)
    return path


def writable_file(path: str | Path, option: str, example: str) -> Path:
    """``path`` names a file (not a folder) in a folder this process can write into."""
    path = Path(path)
    if path.is_dir():
        raise _refuse(path, option, f"this is a folder; expected a file name (e.g. {example})",
                      f"该路径是文件夹，应为文件名（如{example}）")
    try:
        writable_dir(path.parent, option)
    except InputError as e:  # name the file asked for, with the reason its folder gave
        p = e.problems[0]
        raise _refuse(path, option, p.message.split(": ", 1)[1].replace(
            "this is a file; expected a folder to write into",
            f"{path.parent} is a file, so the folder cannot be made"), p.hint_zh) from None
    return path


def _probe(folder: Path, target: Path, option: str) -> None:
    """Write and remove a temporary file: permissions, read-only file systems and ACLs all
    answer the same way (``os.access`` says yes to root on a read-only mount)."""
    try:
        fd, name = tempfile.mkstemp(prefix=".peakpath-probe.", dir=folder)
    except OSError as e:
        where = "" if folder == target else f" ({folder}, where it would be made)"
        raise _refuse(target, option, f"cannot write here{where}: {e.strerror}; expected a "
                      "writable folder", "该位置不可写入") from None
    os.close(fd)
    os.unlink(name)
