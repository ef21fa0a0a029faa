"""Atomic files and folders: every write lands under a temporary name beside its target and is
renamed into place, so a reader (or a crash at any moment) sees the old complete file or folder
or the new one, never a mix.

Temporary names look like ``.<target>.tmp-<host>-<pid>-<token>`` (``.old-`` for a folder that is
being swapped out). They carry the writer's host and process id so that a later run can tell
the leftovers of a killed process (its pid is gone) from the work of a live one, and remove
them (`sweep_stale`); a SIGKILL runs no clean-up code, so the next run is the only place where
that can happen.

A run's folder is shared with other commands (allocation/, figures/, report.html,
recommendations.*, projects/ ...). `replace_dir` swaps in a new folder that holds the new files
of the writer plus hard links to everything else that was in the old folder, so a rerun replaces
only what it owns and the swap stays a single atomic rename.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import shutil
import socket
import sys
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

#: the host part of temporary names: a pid only identifies a process on its own host (results
#: folders may sit on a shared filesystem)
HOST = hashlib.sha1(socket.gethostname().encode()).hexdigest()[:8]
_TEMP = re.compile(r"^\.(?P<target>.+)\.(?P<kind>tmp|old)-(?P<host>[0-9a-f]{8})-"
                   r"(?P<pid>\d+)-[0-9a-f]+$")


def temp_name(target: Path, kind: str = "tmp") -> Path:
    """A fresh hidden name beside ``target`` (same folder, so a rename is atomic)."""
    return target.with_name(f".{target.name}.{kind}-{HOST}-{os.getpid()}-"
                            f"{secrets.token_hex(4)}")


def is_temp(name: str) -> bool:
    """Whether a file name is one of our temporary names."""
    return _TEMP.match(name) is not None


# --------------------------------------------------------------------------------------------
# files


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (written and synced under a temporary name, then
    renamed over the target)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(path)
    try:
        # 0o666 through the umask: the mode a plain open() would give
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o666)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """`atomic_write_bytes` of UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"))


#: the byte-order mark that makes Excel on Chinese Windows read a CSV as UTF-8 (without it the
#: Chinese names come out garbled); pandas, pyam and LibreOffice skip it
UTF8_BOM = "\ufeff"


def atomic_write_table(path: Path, csv_text: str) -> None:
    """`atomic_write_text` of a CSV table for people: UTF-8 with a byte-order mark."""
    atomic_write_text(path, csv_text if csv_text.startswith(UTF8_BOM) else UTF8_BOM + csv_text)


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` for a writer that wants a file name (netCDF, figures);
    renamed over ``path`` when the block ends normally, removed on any exception."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(path)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        _remove(tmp)
        raise


# --------------------------------------------------------------------------------------------
# folders


def temp_dir(target: Path) -> Path:
    """A new empty hidden folder beside ``target`` (0o777 through the umask: results are
    shared, unlike `tempfile.mkdtemp`'s private 0o700)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(target)
    os.mkdir(tmp, 0o777)
    return tmp


def replace_dir(new: Path, target: Path, owned: Collection[str]) -> None:
    """Put the folder ``new`` in place of ``target`` in one atomic step.

    Entries of an existing ``target`` whose names are not in ``owned`` (what other commands
    wrote there) are carried into ``new`` first, as hard links (copies where the filesystem has
    none), and entries of ``target`` that ``owned`` lists are dropped. ``new`` is gone
    afterwards, on success or failure.
    """
    new, target = Path(new), Path(target)
    try:
        if not target.exists():
            try:
                os.rename(new, target)
                return
            except OSError as e:  # another writer created target meanwhile: swap with it
                if e.errno not in (errno.EEXIST, errno.ENOTEMPTY) or not target.is_dir():
                    raise
        _carry_over(target, new, owned)
        old = _swap(new, target)
        # anything another command wrote into the old folder while we assembled the new one
        _carry_over(old, target, owned, late=True)
        _remove(old)
    finally:
        if new.exists() and new != target:
            _remove(new)


def _carry_over(src: Path, dst: Path, owned: Collection[str], late: bool = False) -> None:
    """Hard-link every entry of ``src`` not in ``owned`` into ``dst``. With ``late`` (after the
    swap, ``src`` being the old folder), move what is missing from ``dst`` or is a different
    file there (replaced in ``src`` after the first pass)."""
    for entry in os.scandir(src):
        if entry.name in owned or is_temp(entry.name):
            continue
        _link_tree(Path(entry.path), dst / entry.name, late)


def _link_tree(src: Path, dst: Path, late: bool) -> None:
    if src.is_dir() and not src.is_symlink():
        if not dst.exists():
            if late:
                os.rename(src, dst)
                return
            os.mkdir(dst)
            shutil.copystat(src, dst)
        for entry in os.scandir(src):
            if not is_temp(entry.name):
                _link_tree(Path(entry.path), dst / entry.name, late)
        return
    if late:
        with contextlib.suppress(FileNotFoundError):
            if dst.exists() and os.path.samestat(os.lstat(src), os.lstat(dst)):
                return
            os.replace(src, dst)
        return
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
        return
    try:
        os.link(src, dst)
    except OSError:  # no hard links here (some network and FAT filesystems): copy
        shutil.copy2(src, dst)


def _swap(new: Path, target: Path) -> Path:
    """Exchange ``new`` and ``target``; returns where the old folder is now."""
    if _exchange(new, target):
        return new
    # no atomic exchange (not Linux, or a filesystem without it): two renames. A crash
    # between them leaves only the .old- folder, which `sweep_stale` renames back.
    old = temp_name(target, "old")
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    return old


_RENAMEAT2: Callable | bool | None = False  # False: not looked up yet; None: unavailable


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with Linux's renameat2(RENAME_EXCHANGE); False where the
    platform, libc or filesystem cannot."""
    global _RENAMEAT2
    if _RENAMEAT2 is False:
        _RENAMEAT2 = None
        if sys.platform.startswith("linux"):
            import ctypes

            with contextlib.suppress(OSError, AttributeError):
                fn = ctypes.CDLL(None, use_errno=True).renameat2
                fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                               ctypes.c_uint]
                fn.restype = ctypes.c_int
                _RENAMEAT2 = fn
    if _RENAMEAT2 is None:
        return False
    import ctypes

    at_fdcwd, rename_exchange = -100, 2
    if _RENAMEAT2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


# --------------------------------------------------------------------------------------------
# leftovers of killed processes


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this host (True when that cannot be told, so
    that nothing of a live writer is ever removed)."""
    if pid == os.getpid():
        return True
    if os.name == "nt":
        return _pid_alive_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, under another user
        return True
    return True


def _pid_alive_windows(pid: int) -> bool:
    try:
        import ctypes

        k32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        h = k32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not h:
            return ctypes.get_last_error() != 87  # ERROR_INVALID_PARAMETER: no such process
        code = ctypes.c_ulong()
        ok = k32.GetExitCodeProcess(h, ctypes.byref(code))
        k32.CloseHandle(h)
        return not ok or code.value == 259  # STILL_ACTIVE
    except Exception:
        return True


def sweep_stale(folder: Path) -> list[Path]:
    """Remove the temporary files and folders that killed processes of this host left in
    ``folder``; a folder that was being swapped out when its writer died (``.old-``) is put
    back when nothing took its place. Returns the paths removed or restored."""
    folder = Path(folder)
    done: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return done
    for entry in entries:
        m = _TEMP.match(entry.name)
        if m is None or m["host"] != HOST or pid_alive(int(m["pid"])):
            continue
        path = Path(entry.path)
        target = folder / m["target"]
        if m["kind"] == "old" and not target.exists():
            with contextlib.suppress(OSError):
                os.rename(path, target)
                done.append(target)
                continue
        _remove(path)
        done.append(path)
    return done
