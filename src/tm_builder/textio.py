"""Reading input text in the encodings Chinese documents arrive in, and
writing outputs so that an interrupted run never leaves a half-written file.
"""

from __future__ import annotations

import codecs
import contextlib
import contextvars
import os
import re
import shutil
import stat
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from .chars import HAN, HAN_CHAR
from .errors import InputError, OutputError

# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Control characters that never occur in text; one of them means binary input.
_TEXT_CONTROLS = {"\t", "\n", "\r", "\f", "\v"}


def decode_bytes(data: bytes, name: str = "<input>") -> tuple[str, str]:
    """Decode *data* and return ``(text, encoding)``.

    Tried in order: a byte-order mark (UTF-8, UTF-16, UTF-32), strict UTF-8,
    then GB18030, which is a superset of GBK and GB2312 and so covers the
    legacy encodings mainland documents come in.  UTF-8 is tried first because
    Chinese text in GB18030 is almost never valid UTF-8, while the reverse is
    not true.  Binary data is refused.
    """
    if not data.strip():
        raise InputError(f"{name}: file is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data[len(bom):].decode(encoding), name), encoding
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{name}: starts with a {encoding} byte-order mark but is not valid {encoding} "
                    f"(byte {exc.start + len(bom)})"
                ) from None
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16:
            return _checked(data.decode(utf16), name), utf16
        raise InputError(f"{name}: looks like a binary file (NUL bytes), not text")
    try:
        return _checked(data.decode("utf-8"), name), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = f"not UTF-8 (byte {exc.start})"
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise InputError(f"{name}: cannot decode: {utf8_error}, nor GB18030/GBK; is it a text file?") from None
    if not _plausible_chinese(text):
        raise InputError(
            f"{name}: cannot tell the encoding: {utf8_error}, and as GB18030/GBK it gives unlikely text "
            "(Big5, Shift-JIS or Windows-1252?); convert it to UTF-8"
        )
    return _checked(text, name), "gb18030"


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` if *data* reads as BOM-less UTF-16 text.

    The NUL bytes sit in the high byte of ASCII characters, so they fall on
    odd offsets (little-endian) or even ones (big-endian); the decoded text
    must then contain no NUL and read as plausible Chinese or plain ASCII.
    """
    if len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    for encoding, zeros, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) > other.count(0):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if "\x00" not in text and _plausible_chinese(text):
                return encoding
    return None


_CJK_PUNCT = set("“”‘’…—·　") | {chr(c) for c in range(0x3000, 0x3040)} | {chr(c) for c in range(0xFF00, 0xFFF0)}


def _plausible_chinese(text: str) -> bool:
    """Does GB18030-decoded *text* read like Chinese rather than mojibake?

    Real simplified Chinese draws almost all its characters from GB2312's
    3,755 common ("level 1") hanzi: 99.8% on WMT18 and 99.9% on the seed, at
    least 88% on any line of 20+ hanzi.  Big5 or Shift-JIS bytes read as
    GB18030 come out as rare hanzi, kana and Cyrillic; Windows-1252 as single
    hanzi stuck inside Latin words ("caf閟").
    """
    if re.search(f"[A-Za-z][{HAN}][A-Za-z]", text):
        return False
    wide = [ch for ch in text if ord(ch) > 0x7F and not ch.isspace()]
    if not wide:
        return True
    good = 0
    for ch in wide:
        if ch in _CJK_PUNCT:
            good += 1
        elif HAN_CHAR.match(ch):
            try:
                good += 0xB0 <= ch.encode("gb2312")[0] <= 0xD7
            except UnicodeEncodeError:
                pass
    return good >= 0.75 * len(wide)


def _checked(text: str, name: str) -> str:
    """Refuse text that decoded but is full of control characters (binary data)."""
    controls = sum(
        1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in _TEXT_CONTROLS
    )
    if controls > max(2, len(text) // 1000):
        raise InputError(f"{name}: looks like a binary file ({controls} control characters), not text")
    if not text.strip():
        raise InputError(f"{name}: file is empty")
    return text


def read_text(path: str | os.PathLike[str]) -> str:
    """Read a text file, decoding it with :func:`decode_bytes`.

    Raises :class:`InputError` with a one-line message for a missing file, a
    directory, an unreadable, empty, binary or undecodable file.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, not a text file")
    try:
        mode = p.stat().st_mode
        if not stat.S_ISREG(mode):
            raise InputError(f"{p}: not a regular file (a device, pipe or socket)")
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from None
    return decode_bytes(data, str(p))[0]


def cache_dir() -> Path:
    """tm-builder's folder in the user's cache (``$XDG_CACHE_HOME/tm-builder``, else ``~/.cache/tm-builder``).

    Everything that can be rebuilt lives here: the draft cache, the
    aligner's dictionary.  It is not created here; writers create it.
    """
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tm-builder"


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str], *, encoding: str | None = "utf-8", newline: str | None = None
) -> Iterator[IO]:
    """Open *path* for writing text (bytes, with ``encoding=None``) so that it appears complete or not at all.

    Writes go to a temporary file in the same directory, which is flushed,
    synced and renamed over *path* only when the block finishes without an
    exception; on error the temporary file is removed and *path* is untouched.
    """
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target}: is a directory; cannot write the output there")
    _remove_stale_parts(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"{target.parent}: cannot write here ({exc.strerror or exc})") from None
    try:
        with (os.fdopen(fd, "wb") if encoding is None else os.fdopen(fd, "w", encoding=encoding, newline=newline)) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600; give the file the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        staged = _STAGED.get()
        if staged is None:
            os.replace(tmp, target)
        else:
            staged.append((tmp, target))  # published with the rest of the run's files
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise OutputError(f"{target}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def refuse_overwrite(targets: Iterable[str | os.PathLike[str]], inputs: Iterable[str | os.PathLike[str]]) -> None:
    """Outputs must never replace an input, nor collide with a directory: checked before any work."""
    resolved = {Path(p).resolve() for p in inputs}
    for target in map(Path, targets):
        if target.resolve() in resolved:
            raise InputError(f"writing {target} would overwrite an input; choose another output directory")
        if target.is_dir():
            raise OutputError(f"{target}: is a directory; cannot write the output there")


def writable_parent(path: str | os.PathLike[str], *, create: bool = False) -> None:
    """Refuse, before any work, an output whose directory does not exist or cannot be written.

    With *create*, missing directories will be made: the nearest one that exists must be writable.
    """
    parent = Path(path).resolve().parent
    while create and not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(f"{Path(path).parent}: no such directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{parent}: directory is not writable")


def prepare_outdir(outdir: str | os.PathLike[str]) -> Path:
    """Create the output directory (and its parents) or say in one line why it cannot be used."""
    out = Path(outdir)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot create output directory ({exc.strerror or exc})") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(f"{out}: output directory is not writable")
    return out


@contextlib.contextmanager
def output_directory(outdir: str | os.PathLike[str]) -> Iterator[Path]:
    """:func:`prepare_outdir` for a run, which removes the directory again if the run fails and leaves it empty.

    A failed run should leave nothing behind, not even the directory it made.
    """
    out = Path(outdir)
    created = not out.exists()
    prepare_outdir(out)
    try:
        yield out
    except BaseException:
        if created:
            with contextlib.suppress(OSError):  # not empty: what is there stays
                out.rmdir()
        raise


# -- a run's files, published together ------------------------------------------------------

#: (temporary file or None for a removal, target) of the output set being written, if any
_STAGED: contextvars.ContextVar[list[tuple[str | None, Path]] | None] = contextvars.ContextVar("staged", default=None)
_PART = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[^.]+\.part$")


@contextlib.contextmanager
def output_set() -> Iterator[None]:
    """The files a block writes with :func:`atomic_write` (and removes with :func:`remove_output`) change together.

    Each file is written aside; only when the block ends without an
    exception are they renamed into place, with signals held off, and a
    failure midway puts back the files that were there.  So after any
    failure, Ctrl-C or SIGTERM the directory holds the previous run's set
    or the new one, never a mixture, and no temporary files.
    """
    staged: list[tuple[str | None, Path]] = []
    token = _STAGED.set(staged)
    try:
        yield
    except BaseException:
        _discard(staged)
        raise
    finally:
        _STAGED.reset(token)
    _publish(staged)


def remove_output(path: str | os.PathLike[str]) -> None:
    """Remove a stale output of an earlier run: at once, or with the output set being written."""
    staged = _STAGED.get()
    if staged is None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    else:
        staged.append((None, Path(path)))


def _discard(staged: list[tuple[str | None, Path]]) -> None:
    for tmp, _ in staged:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def _publish(staged: list[tuple[str | None, Path]]) -> None:
    """Rename every staged file into place, or none: the old files are kept as hard links until all are in."""
    import signal

    held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    backups: list[tuple[Path, str]] = []
    done: list[Path] = []
    try:
        for i, (tmp, target) in enumerate(staged):
            if target.exists():
                backup = os.fspath(target.with_name(f".{target.name}.{os.getpid()}.old{i}.part"))
                try:
                    os.link(target, backup)
                except OSError:  # a file system without hard links
                    shutil.copy2(target, backup)
                backups.append((target, backup))
            if tmp is None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(target)
            else:
                os.replace(tmp, target)
            done.append(target)
    except OSError as exc:
        for target in done:  # put the previous set back
            with contextlib.suppress(OSError):
                os.unlink(target)
        for target, backup in backups:
            with contextlib.suppress(OSError):
                os.replace(backup, target)
        _discard(staged)
        raise OutputError(f"cannot publish the outputs ({exc.strerror or exc}); the previous files are unchanged") from None
    else:
        for _, backup in backups:
            with contextlib.suppress(OSError):
                os.unlink(backup)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)


#: per directory, the temporary files that dead processes left there, by the name of the file they were for
_STALE: dict[Path, dict[str, list[str]]] = {}


def _remove_stale_parts(target: Path) -> None:
    """Temporary files of *target* left by a process that no longer exists (killed with SIGKILL, a power cut).

    A directory is listed once per process: a process that is dead stays
    dead, so what it left is known from the first look, and a run writing
    thousands of files into one folder does not list it thousands of times.
    """
    folder = target.parent
    stale = _STALE.get(folder)
    if stale is None:
        stale = _STALE[folder] = {}
        try:
            names = os.listdir(folder)
        except OSError:
            names = []
        for name in names:
            m = _PART.match(name)
            if m and not _alive(int(m.group("pid"))):
                stale.setdefault(m.group("name"), []).append(name)
    for name in [n for n in stale if n.startswith(target.name)]:
        for part in stale.pop(name):
            with contextlib.suppress(OSError):
                os.unlink(folder / part)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
