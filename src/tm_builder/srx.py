"""SRX 2.0 segmentation rules: read, write and apply them as CAT tools do.

A CAT tool segments the document it is given with its own rules, and a
memory unit only matches a segment whose text is the same.  To hand a
translator a document whose CAT segments are exactly our units, we must know
where their rules break; to let a translator segment the next article the
way we do, we must give them our rules.  SRX 2.0 (LISA/GALA) is the one rule
format OmegaT, Trados Studio, memoQ and Okapi all read.

:func:`breaks` applies rules the way OmegaT's ``Segmenter`` does (OmegaT is
the CAT tool we can run, so its reading of SRX is the one we can check):
the rules of every language map that matches apply in order (OmegaT 3.6
always cascades, whatever the header says), a
later rule is overruled by an earlier one at the same position, a break
needs an ``afterbreak`` match that *starts* where the ``beforebreak`` match
ends, and segments are trimmed of what Java calls white space (not the
no-break spaces).  Java regexes are run with the ``regex`` package, which
shares their ``\\p{..}`` classes; OmegaT compiles them with ``DOTALL``, and
Java's ``\\s``, ``\\d``, ``\\w`` are ASCII-only, so they are compiled so here.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import regex

from .errors import FormatError

__all__ = ["Rule", "RuleSet", "breaks", "cat_default_rules", "omegat_conf", "our_rules", "read_srx", "split", "srx_text"]

_NS = "http://www.lisa.org/srx20"


@dataclass(frozen=True)
class Rule:
    """One SRX rule: break (or not) where *before* ends and *after* starts."""

    brk: bool
    before: str | None
    after: str | None

    def positions(self, text: str) -> list[int]:
        """Where this rule applies in *text* (OmegaT's ``Segmenter.getBreaks``)."""
        if self.before is None and self.after is None:
            return []
        after = _compile(self.after).finditer(text) if self.after is not None else None
        found: list[int] = []
        next_after = next(after, None) if after is not None else None
        if after is not None and next_after is None:
            return found
        for m in _compile(self.before if self.before is not None else ".").finditer(text):
            end = m.end()
            if after is None:
                found.append(end)
                continue
            while next_after is not None and next_after.start() < end:
                next_after = next(after, None)
            if next_after is None:
                break
            if next_after.start() == end:
                found.append(end)
        return found


@dataclass(frozen=True)
class RuleSet:
    """A parsed SRX file: named language rules and the maps that pick them by language code."""

    rules: dict[str, tuple[Rule, ...]]
    maps: tuple[tuple[str, str], ...]  # (language pattern, rule-set name), in file order
    cascade: bool = True  # read from the header; OmegaT 3.6 ignores it (see for_language)

    def for_language(self, lang: str) -> tuple[Rule, ...]:
        """The rules that apply to *lang* (``zh-CN``), in the order they are tried."""
        chosen: list[Rule] = []
        for pattern, name in self.maps:
            if regex.fullmatch(pattern, lang, flags=regex.IGNORECASE):
                chosen.extend(self.rules.get(name, ()))  # every matching map, as OmegaT 3.6 does
        return tuple(chosen)


@lru_cache(maxsize=256)
def _compile(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern, flags=regex.VERSION0 | regex.DOTALL | regex.ASCII)


#: what Java's ``Character.isWhitespace`` (OmegaT's trim) takes for white space: the Unicode space separators
#: except the no-break ones (U+00A0, U+2007, U+202F), line and paragraph separators, and the ASCII controls it names
_JAVA_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u2028\u2029\u205f\u3000"


def java_strip(text: str) -> str:
    """*text* trimmed as OmegaT trims a segment."""
    return text.strip(_JAVA_SPACE)


def is_java_space(text: str) -> bool:
    """Is *text* all white space to Java (so a CAT tool drops it between segments)?"""
    return all(ch in _JAVA_SPACE for ch in text)


def breaks(text: str, rules: tuple[Rule, ...]) -> list[int]:
    """Break offsets in *text*: an earlier rule overrules a later one at the same place."""
    decided: dict[int, bool] = {}
    for rule in reversed(rules):
        for pos in rule.positions(text):
            decided[pos] = rule.brk
    return sorted(pos for pos, brk in decided.items() if brk and 0 < pos < len(text))


def split(text: str, rules: tuple[Rule, ...]) -> list[str]:
    """The segments a CAT tool makes of one paragraph: cut at :func:`breaks`, trimmed, empty ones dropped."""
    pieces = []
    start = 0
    for cut in [*breaks(text, rules), len(text)]:
        piece = java_strip(text[start:cut])
        if piece:
            pieces.append(piece)
        start = cut
    return pieces


def read_srx(path: str | os.PathLike[str] | None = None, *, text: str | None = None) -> RuleSet:
    """Read an SRX 2.0 file (or its *text*)."""
    try:
        root = ET.fromstring(text) if text is not None else ET.parse(path).getroot()
    except (ET.ParseError, OSError) as exc:
        raise FormatError(f"{path or 'SRX'}: not a readable SRX file ({exc})") from None
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if root.tag.rsplit("}", 1)[-1] != "srx" or namespace not in ("", _NS):
        raise FormatError(f"{path or 'SRX'}: not an SRX 2.0 file (root {root.tag})")
    q = (lambda tag: f"{{{_NS}}}{tag}") if namespace else (lambda tag: tag)
    header = root.find(f"{q('header')}")
    rules: dict[str, tuple[Rule, ...]] = {}
    for lr in root.iter(q("languagerule")):
        rules[lr.get("languagerulename", "")] = tuple(
            Rule(
                brk=r.get("break", "yes") != "no",
                before=_text(r.find(q("beforebreak"))),
                after=_text(r.find(q("afterbreak"))),
            )
            for r in lr.findall(q("rule"))
        )
    maps = tuple((m.get("languagepattern", ""), m.get("languagerulename", "")) for m in root.iter(q("languagemap")))
    if not maps:
        raise FormatError(f"{path or 'SRX'}: no <languagemap> in the SRX file")
    return RuleSet(rules, maps, cascade=header is None or header.get("cascade", "yes") == "yes")


def _text(el: ET.Element | None) -> str | None:
    return None if el is None else (el.text or "")


@lru_cache(maxsize=None)
def _packaged(name: str) -> RuleSet:
    return read_srx(text=resources.files("tm_builder").joinpath("rules", name).read_text(encoding="utf-8"))


def our_rules() -> RuleSet:
    """tm-builder's Chinese (and English) sentence rules as SRX: what we ship in OmegaT projects."""
    return _packaged("tm-builder.srx")


def cat_default_rules() -> RuleSet:
    """The rules a CAT tool applies to Chinese out of the box: OmegaT's default SRX (the zh-relevant part)."""
    return _packaged("omegat-default-zh.srx")


def srx_text(name: str = "tm-builder.srx") -> str:
    """The packaged SRX file *name*, as text (to copy into a project)."""
    return resources.files("tm_builder").joinpath("rules", name).read_text(encoding="utf-8")


def omegat_conf(rules: RuleSet) -> str:
    """*rules* as OmegaT 3.x stores project rules (``omegat/segmentation.conf``, a ``java.beans`` XML file).

    OmegaT 3.6 reads SRX only for its built-in defaults; a project's own
    rules must be in this form.  Version 0.2.2 is the current one: an older
    file would be merged with the defaults on load.
    """
    from xml.sax.saxutils import escape

    def string(value: str) -> str:
        return f"<string>{escape(value)}</string>"

    maps = []
    for pattern, name in rules.maps:
        body = []
        for rule in rules.rules.get(name, ()):
            props = [f'<void property="afterbreak">{string(rule.after)}</void>' if rule.after is not None else "",
                     f'<void property="beforebreak">{string(rule.before)}</void>' if rule.before is not None else "",
                     '<void property="breakRule"><boolean>true</boolean></void>' if rule.brk else ""]
            body.append('<void method="add"><object class="org.omegat.core.segmentation.Rule">'
                        + "".join(props) + "</object></void>")
        maps.append(
            '<void method="add"><object class="org.omegat.core.segmentation.MapRule">'
            f'<void property="language">{string(name)}</void><void property="pattern">{string(pattern)}</void>'
            '<void property="rules"><object class="java.util.ArrayList">' + "\n".join(body) + "</object></void>"
            "</object></void>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<java version="1.8" class="java.beans.XMLDecoder">\n'
        '<object class="org.omegat.core.segmentation.SRX">\n<void property="mappingRules">\n'
        + "\n".join(maps)
        + '\n</void>\n<void property="version"><string>0.2.2</string></void>\n</object>\n</java>\n'
    )
