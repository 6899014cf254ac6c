"""Reading input text in the encodings Chinese documents arrive in, and
writing outputs so that an interrupted run never leaves a half-written file.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import IO

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
        raise InputError(f"{name}: looks like a binary file (NUL bytes), not text")
    for encoding in ("utf-8", "gb18030"):
        try:
            return _checked(data.decode(encoding), name), encoding
        except UnicodeDecodeError:
            continue
    raise InputError(f"{name}: cannot decode as UTF-8, UTF-16 or GB18030/GBK; is it a text file?")


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
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from None
    return decode_bytes(data, str(p))[0]


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str], *, encoding: str = "utf-8", newline: str | None = None
) -> Iterator[IO[str]]:
    """Open *path* for writing text so that it appears complete or not at all.

    Writes go to a temporary file in the same directory, which is flushed,
    synced and renamed over *path* only when the block finishes without an
    exception; on error the temporary file is removed and *path* is untouched.
    """
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"{target.parent}: cannot write here ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600; give the file the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
