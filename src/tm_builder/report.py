"""The quality report as one self-contained HTML page.

An editor deciding whether a batch of drafts is worth a day's work looks at
the worst segments first, so the segment view is sorted worst-first by
sentence chrF.  Glossary terms are marked where they matter: green when the
draft uses the approved rendering, red when it does not.  Everything is
inline (CSS, no scripts, no fonts or CDNs): the page opens offline and can
be mailed as one file.
"""

from __future__ import annotations

import html
import os
import re

from .score import ScoreReport, SegmentScore
from .textio import atomic_write

__all__ = ["write_html"]

_CSS = """
body { font: 14px/1.45 system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; margin: 0 0 .3em; } h2 { font-size: 1.15em; margin: 1.4em 0 .4em; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #ccc; padding: .3em .5em; vertical-align: top; }
th { background: #f0f0f0; text-align: left; } td.num { text-align: right; white-space: nowrap; }
.sig { font-family: ui-monospace, monospace; font-size: .85em; color: #555; }
table.segments td { width: 30%; } table.segments td.num, table.segments td.flags { width: auto; }
mark.ok { background: #c8f0c8; } mark.bad { background: #f6c3c3; text-decoration: underline wavy #c00; }
.flag { display: inline-block; padding: 0 .4em; border-radius: .3em; font-size: .8em; margin: .1em 0; }
.flag.degenerate { background: #ffd7a8; } .flag.weak { background: #e0d4f7; } .flag.empty { background: #ddd; }
.flag.term { background: #f6c3c3; }
.low { background: #fff3f3; } .legend span { margin-right: 1.2em; }
"""


def _spans(text: str, spans: list[tuple[int, int, str]]) -> str:
    """*text* escaped, with the non-overlapping *spans* (start, end, class) wrapped in <mark>."""
    out, pos = [], 0
    for start, end, cls in sorted(spans):
        if start < pos:
            continue
        out.append(html.escape(text[pos:start]))
        out.append(f'<mark class="{cls}">{html.escape(text[start:end])}</mark>')
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _rendering_spans(text: str, rendering: str) -> list[tuple[int, int]]:
    words = rendering.split()
    if not words:
        return []
    first = words[0]
    head = f"[{re.escape(first[0].upper())}{re.escape(first[0].lower())}]{re.escape(first[1:])}"
    pattern = r"\s+".join([head, *(re.escape(w) for w in words[1:])])
    return [(m.start(), m.end()) for m in re.finditer(pattern, text)]


def _row(s: SegmentScore) -> str:
    source_spans = []
    hyp_spans = []
    for check in s.terms:
        cls = "ok" if check.honoured else "bad"
        at = s.source.find(check.source)
        if at >= 0:
            source_spans.append((at, at + len(check.source), cls))
        hyp_spans += [(a, b, "ok") for a, b in _rendering_spans(s.hypothesis, check.target)]
    flags = [f'<span class="flag {f.split()[0]}">{html.escape(f)}</span>' for f in s.flags]
    flags += [
        f'<span class="flag term" title="approved: {html.escape(c.target)}">missing: {html.escape(c.target)}</span>'
        for c in s.terms if not c.honoured
    ]
    low = ' low' if s.chrf < 30 else ''
    return (
        f'<tr class="segment{low}" data-index="{s.index}" data-chrf="{s.chrf}">'
        f'<td class="num">{s.index}<br><small>{html.escape(s.document)}</small></td>'
        f'<td class="num">{s.chrf:.1f}</td>'
        f'<td lang="zh">{_spans(s.source, source_spans)}</td>'
        f'<td lang="en">{_spans(s.hypothesis, hyp_spans)}</td>'
        f'<td lang="en">{html.escape(s.reference)}</td>'
        f'<td class="flags">{"<br>".join(flags)}</td></tr>'
    )


def write_html(report: ScoreReport, path: str | os.PathLike[str], *, title: str = "tm-builder quality report") -> None:
    """Write *report* as a self-contained HTML page (atomically)."""
    metrics = "".join(
        f"<tr><th>{html.escape(m.name.upper())}</th><td class='num'>{m.score:.1f}"
        + (f" ± {m.ci:.1f}" if m.ci is not None else "")
        + "</td>"
        + (f"<td class='num'>{m.other:.1f} (p = {m.p_value:.4f})</td>" if m.other is not None else "")
        + f"<td class='sig'>{html.escape(m.signature)}</td></tr>"
        for m in report.metrics
    )
    compare_head = f"<th>{html.escape(os.path.basename(report.compare))}</th>" if report.compare else ""
    documents = "".join(
        f"<tr><td>{html.escape(doc)}</td><td class='num'>{n}</td><td class='num'>{chrf:.1f}</td>"
        f"<td class='num'>{ok}</td><td class='num'>{bad}</td></tr>"
        for doc, n, chrf, ok, bad in report.by_document()
    )
    terms = "".join(
        f"<tr><td lang='zh'>{html.escape(t.source)}</td><td>{html.escape(t.target)}</td>"
        f"<td class='num'>{t.honoured}</td><td class='num'>{t.violated}</td></tr>"
        for t in report.terms
    )
    honoured = sum(t.honoured for t in report.terms)
    violated = sum(t.violated for t in report.terms)
    terms_block = (
        f"<details id='terms-details'><summary>{honoured + violated} occurrences of {len(report.terms)} approved terms: "
        f"<mark class='ok'>{honoured} honoured</mark>, <mark class='bad'>{violated} rendered differently</mark> "
        "(open for the per-term counts)</summary>"
        "<table id='terms'><tr><th>term</th><th>approved rendering</th><th>honoured</th><th>violated</th></tr>"
        f"{terms}</table></details>"
        if terms else "<p>No approved glossary term occurs in these segments (or no sources were given).</p>"
    )
    rows = "\n".join(_row(s) for s in sorted(report.segments, key=lambda s: (s.chrf, s.index)))
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}</style></head>
<body>
<h1>{html.escape(title)}</h1>
<p>Hypothesis <code>{html.escape(report.hypothesis)}</code> against reference <code>{html.escape(report.reference)}</code>:
<span id="segment-count">{len(report.segments)}</span> segments, matched by {html.escape(report.matched_by)}.</p>
<table id="scores"><tr><th>metric</th><th>score</th>{compare_head}<th>sacrebleu signature</th></tr>{metrics}</table>
<h2>Documents</h2>
<table id="documents"><tr><th>document</th><th>segments</th><th>mean sentence chrF</th><th>terms honoured</th><th>terms violated</th></tr>{documents}</table>
<h2>Glossary terms</h2>
{terms_block}
<h2>Segments, worst first (sentence chrF)</h2>
<p class="legend"><span><mark class="ok">term honoured</mark></span><span><mark class="bad">term violated</mark></span>
<span class="flag degenerate">degenerate draft</span> <span class="flag weak">weak alignment</span></p>
<table class="segments" id="segments"><tr><th>#</th><th>chrF</th><th>source</th><th>draft</th><th>reference</th><th>flags</th></tr>
{rows}
</table>
</body></html>
"""
    with atomic_write(path, encoding="utf-8", newline="\n") as out:
        out.write(page)
