"""Decoding the encodings Chinese documents come in, and atomic output."""

from __future__ import annotations

import pytest

from tm_builder.errors import InputError
from tm_builder.segment import segment_file
from tm_builder.textio import atomic_write, decode_bytes, read_text

TEXT = "**王毅:**中国外长每年首访选择非洲,\n\n这一传统至今已经坚持34年。“全球南方”𠀀\n"


@pytest.mark.parametrize(
    "encoding, prefix",
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
     ("utf-32-le", b"\xff\xfe\x00\x00"), ("gb18030", b"")],
)
def test_decodes(tmp_path, encoding, prefix):
    path = tmp_path / "doc.txt"
    path.write_bytes(prefix + TEXT.encode(encoding))
    assert read_text(path) == TEXT


def test_decodes_gbk(tmp_path):
    text = TEXT.replace("𠀀", "")  # GBK has no astral characters
    path = tmp_path / "gbk.txt"
    path.write_bytes(text.encode("gbk"))
    assert read_text(path) == text
    assert segment_file(path).segments[0].text == "王毅:"


def test_gbk_text_is_not_mistaken_for_utf8():
    data = "关于维护南海和平稳定,中国和东盟国家都要继续落实好。".encode("gbk")
    assert decode_bytes(data)[1] == "gb18030"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"  \n\n\t", "empty"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary"),
        (bytes(range(256)) * 4, "binary"),
        (b"\x81\x30\xff\xfe\xfd\x80", "cannot decode"),
        (b"\xff\xfe\x00\xd8", "utf-16-le"),  # BOM, then a lone surrogate
    ],
)
def test_refuses_bad_input_naming_the_file(tmp_path, data, message):
    path = tmp_path / "input.bin"
    path.write_bytes(data)
    with pytest.raises(InputError, match=message) as info:
        read_text(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_missing_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_text(tmp_path / "absent.txt")
    with pytest.raises(InputError, match="is a directory"):
        read_text(tmp_path)


def test_atomic_write_interrupted_mid_file(tmp_path):
    path = tmp_path / "out.tmx"
    path.write_text("old complete file", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_write(path) as out:
            out.write("<tmx>half of a new fi")
            raise RuntimeError("interrupted")
    assert path.read_text(encoding="utf-8") == "old complete file"
    assert [p.name for p in tmp_path.iterdir()] == ["out.tmx"]


def test_atomic_write_replaces_when_complete(tmp_path):
    path = tmp_path / "out.csv"
    with atomic_write(path) as out:
        out.write("new")
    assert path.read_text(encoding="utf-8") == "new"


@pytest.mark.parametrize(
    "data",
    [
        "The caf\xe9s and na\xefve r\xe9sum\xe9s were discussed.".encode("cp1252"),
        "Bras\xedlia and S\xe3o Paulo.".encode("latin-1"),
        "中華民國外交部發言人表示，我們堅決反對。".encode("big5"),
        "日本の外務省は声明を発表した。".encode("shift_jis"),
    ],
    ids=["cp1252", "latin1", "big5", "shift_jis"],
)
def test_other_legacy_encodings_are_refused_not_garbled(tmp_path, data):
    path = tmp_path / "legacy.txt"
    path.write_bytes(data)
    with pytest.raises(InputError, match="convert it to UTF-8"):
        read_text(path)


def test_utf8_error_names_the_byte():
    with pytest.raises(InputError, match=r"not UTF-8 \(byte 6\)"):
        decode_bytes("中国".encode() + b"\xff" + "cafe\xe9".encode("cp1252"), "x.txt")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(tmp_path, encoding):
    path = tmp_path / "u16.txt"
    path.write_bytes(TEXT.encode(encoding))
    assert read_text(path) == TEXT


def test_non_regular_files_are_refused(tmp_path):
    import os

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_text(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_text("/dev/zero")


def test_atomic_write_error_is_one_line(tmp_path):
    from tm_builder.errors import OutputError

    (tmp_path / "out.po").mkdir()
    with pytest.raises(OutputError, match="is a directory"):
        with atomic_write(tmp_path / "out.po") as out:
            out.write("x")


def test_a_folder_is_searched_for_dead_runs_parts_once_not_per_file(tmp_path, monkeypatch):
    """Writing thousands of per-document files must not list their folder thousands of times."""
    import os

    from tm_builder import textio

    (tmp_path / ".a.tmx.999999999.x.part").write_text("left by a killed run")
    (tmp_path / ".b.tmx.999999999.y.part").write_text("left by a killed run")
    listed = []
    real = os.listdir
    monkeypatch.setattr(textio.os, "listdir", lambda p: listed.append(p) or real(p))
    for name in ("a.tmx", "b.tmx", "c.tmx", "d.tmx"):
        with atomic_write(tmp_path / name) as out:
            out.write(name)
    assert listed == [tmp_path]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tmx", "b.tmx", "c.tmx", "d.tmx"]
