"""The ``tm-builder`` command line: a thin layer over the library.

Each command parses options, calls one library function and prints; errors a
user can fix arrive as :class:`~tm_builder.errors.TmBuilderError` and become a
single ``tm-builder: error: ...`` line on stderr with a non-zero exit status.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .version import __version__
from .vocab import DEVICES, ENGINES, LANGS, MT_PLACES, QUANTIZATIONS
from .engines.base import DraftOptions
from .errors import TmBuilderError

app = typer.Typer(
    name="tm-builder",
    help="Build translation memories (TMX, PO, CSV) and glossaries from Chinese official texts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click messages: usage errors are text, not boxes
    context_settings={"help_option_names": ["-h", "--help"]},
)
models_app = typer.Typer(
    help="Pinned MT models: pull, lock, verify, list (see models.lock).",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(models_app, name="models")
memory_app = typer.Typer(
    help="The project memory: import finished work, export it, search it (see 'translate --memory').",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(memory_app, name="memory")
_MEMORY_HELP = ("A project memory (default: $TM_BUILDER_MEMORY if set): confirmed exact matches fill segments before "
                "drafting, fuzzy ones are shown; aligned pairs are stored in it.")
MemoryOption = typer.Option(
    "--memory", help="The project memory file. Default: $TM_BUILDER_MEMORY, then ./tm-builder-memory.sqlite3."
)


def _choices(name: str, values: tuple[str, ...]) -> type[Enum]:
    """A typer choice type built from one of :mod:`tm_builder.vocab`'s lists."""
    return Enum(name, {v: v for v in values}, type=str)  # type: ignore[return-value]


LangOption = _choices("LangOption", LANGS)
EngineOption = _choices("EngineOption", ENGINES)
DeviceOption = _choices("DeviceOption", DEVICES)
OmegatMtOption = _choices("OmegatMtOption", MT_PLACES)
QuantizationOption = _choices("QuantizationOption", QUANTIZATIONS)


class _Terminated(BaseException):
    """SIGTERM, raised where the program is so that files being written are cleaned up as after Ctrl-C."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated()


_STDOUT_FAILED: list[OSError] = []  # set once the failure was reported, so main() does not report it twice


@contextlib.contextmanager
def _user_errors() -> Iterator[None]:
    """Turn expected failures into one line on stderr and an exit status."""
    try:
        yield
    except TmBuilderError as exc:
        typer.echo(f"tm-builder: error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("tm-builder: interrupted", err=True)
        raise typer.Exit(130) from None
    except _Terminated:
        typer.echo("tm-builder: terminated", err=True)
        raise typer.Exit(143) from None
    except BrokenPipeError:
        # The reader of our output went away (| head): stop quietly.
        with contextlib.suppress(OSError):
            sys.stdout = None  # type: ignore[assignment]
        raise typer.Exit(0) from None
    except OSError as exc:
        # Writing to stdout failed (disk full, closed terminal): what is still buffered cannot be written either.
        typer.echo(f"tm-builder: error: cannot write output ({exc.strerror or exc})", err=True)
        _STDOUT_FAILED.append(exc)
        raise typer.Exit(1) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tm-builder {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        Optional[bool],
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = None,
) -> None:
    """Build translation memories (TMX, PO, CSV) and glossaries from Chinese official texts."""


def _write_out(text: str) -> None:
    # Always UTF-8, whatever the locale says: Chinese must survive a pipe.
    sys.stdout.buffer.write(text.encode("utf-8"))


@app.command()
def segment(
    file: Annotated[Path, typer.Argument(help="Document to segment (UTF-8, UTF-16 or GB18030/GBK).", metavar="FILE")],
    lang: Annotated[LangOption, typer.Option("--lang", "-l", help="Language of the document.")] = LangOption.auto,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON object per segment, with kind, paragraph and offsets.")] = False,
    presegmented: Annotated[
        bool, typer.Option("--presegmented", help="One segment per line, used as is: only decoding and the language check.")
    ] = False,
) -> None:
    """Print the document's segments, one per line, after layout repair."""
    from .segment import lines_document, segment_file

    with _user_errors():
        document = (lines_document if presegmented else segment_file)(file, lang=lang.value)
        lines = []
        for s in document.segments:
            if jsonl:
                record = {
                    "document": s.document, "paragraph": s.paragraph, "index": s.index, "kind": s.kind.value,
                    "start": s.start, "end": s.end, "line": s.line, "text": s.text,
                }
                lines.append(json.dumps(record, ensure_ascii=False))
            else:
                lines.append(s.text)
        _write_out("".join(line + "\n" for line in lines))
        sys.stdout.flush()


@app.command()
def translate(
    files: Annotated[
        Optional[list[Path]], typer.Argument(help="Documents to translate, or folders of them (their .txt files, any depth).",
                                             metavar="FILE_OR_DIR...", show_default=False)
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory for <stem>.tmx, .po and .csv (a folder's layout kept).")] = ...,
    files_from: Annotated[
        Optional[Path], typer.Option("--files-from", help="A file listing more documents, one path per line (for archives too big for a command line).")
    ] = None,
    ray: Annotated[
        Optional[str], typer.Option("--ray", metavar="[ADDRESS]",
                                    help="Draft on Ray: alone, a local instance; with an address (auto, ray://host:10001, host:6379), that cluster. Needs tm-builder[cluster].")
    ] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", help="With --ray: engines drafting at once (default: one per CPU, or GPU, of the cluster).")] = None,
    device: Annotated[DeviceOption, typer.Option("--device", help="Where the engines run: cpu, cuda, or auto (a GPU when there is one).")] = DeviceOption.cpu,
    engine: Annotated[
        EngineOption, typer.Option("--engine", help="Drafting engine: ct2 (CTranslate2, fast), marian (transformers), auto (ct2 if installed), none (no drafts).")
    ] = EngineOption.auto,
    model: Annotated[
        Optional[str], typer.Option("--model", help="Model directory, or a name from models.lock. Default: $TM_BUILDER_MODEL, then opus-mt-zh-en.")
    ] = None,
    beam: Annotated[Optional[int], typer.Option("--beam", min=1, help="Beam size. Default: the model's configuration (6 for opus-mt-zh-en).")] = None,
    batch_tokens: Annotated[
        int, typer.Option("--batch-tokens", min=1, help="Most source tokens in one batch, counting padding and beam hypotheses; lower it if memory is short.")
    ] = DraftOptions.batch_tokens,
    max_length: Annotated[Optional[int], typer.Option("--max-length", min=1, help="Most target tokens per segment. Default: the model's limit (512).")] = None,
    lang: Annotated[LangOption, typer.Option("--lang", "-l", help="Language of the documents.")] = LangOption.auto,
    reference: Annotated[
        Optional[Path], typer.Option("--reference", help="An existing English translation: aligned pairs are used, only the rest is drafted.")
    ] = None,
    scorers: Annotated[Optional[str], typer.Option("--scorers", help="Alignment evidence for --reference (see 'align --help').")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the draft cache.")] = False,
    quantization: Annotated[
        QuantizationOption, typer.Option("--quantization", help="Weights of the converted CTranslate2 model (ct2 engine).")
    ] = QuantizationOption.int8,
    glossary: Annotated[
        Optional[list[Path]], typer.Option("--glossary", help="A reviewed glossary (CSV or TBX) whose approved terms every draft must use; repeatable.")
    ] = None,
    no_curated: Annotated[bool, typer.Option("--no-curated", help="Do not enforce the curated political glossary shipped with tm-builder.")] = False,
    no_terms: Annotated[bool, typer.Option("--no-terms", help="Do not write <stem>.glossary.csv with the terms found.")] = False,
    omegat: Annotated[
        Optional[Path], typer.Option("--omegat", help="Also write a ready OmegaT project (zh-CN -> en) to this new directory.")
    ] = None,
    omegat_mt: Annotated[
        OmegatMtOption, typer.Option("--omegat-mt", help="Machine drafts in the OmegaT project: mt (offered as machine matches) or auto (inserted, for post-editing).")
    ] = OmegatMtOption.mt,
    target_lang: Annotated[
        str, typer.Option("--target-lang", help="BCP 47 tag of the targets in the memories: en, en-US, en-GB (Trados and memoQ match it exactly).")
    ] = "en",
    presegmented: Annotated[
        bool, typer.Option("--presegmented", help="One segment per line (a sentence-per-line file), used as is: no layout repair or splitting.")
    ] = False,
    memory: Annotated[Optional[Path], typer.Option("--memory", help=_MEMORY_HELP)] = None,
    fuzzy_threshold: Annotated[int, typer.Option("--fuzzy-threshold", help="Lowest fuzzy match shown, in percent.")] = 75,
) -> None:
    """Segment documents, draft them with MarianMT, and write TMX, PO and CSV for each.

    Approved glossary terms (curated and --glossary) are enforced in every draft; the terms found go to <stem>.glossary.csv.
    """
    from .pipeline import TranslateOptions, translate_files
    from .progress import progress_bar

    with _user_errors():
        options = TranslateOptions(
            engine=engine.value, model=model, quantization=quantization.value, lang=lang.value,
            draft=DraftOptions(beam=beam, batch_tokens=batch_tokens, max_length=max_length),
            reference=reference, scorers=_scorer_names(scorers), cache=not no_cache, glossaries=tuple(glossary or ()),
            curated=not no_curated, terms=not no_terms, omegat=omegat, omegat_mt=omegat_mt.value,
            target_lang=target_lang, presegmented=presegmented, memory=_memory_in_use(memory), fuzzy_threshold=fuzzy_threshold,
            files_from=files_from, ray=ray, workers=workers, device=device.value,
        )
        summary = translate_files(list(files or ()), output, options, progress=lambda total: progress_bar(total, "drafting"),
                                  term_progress=lambda total: progress_bar(total, "finding terms", unit="step"))
        _print_run(summary)


def _print_run(summary) -> None:
    """What a translate run did: alignment, each document, the OmegaT project, scores, drafting and the cache."""
    if summary.alignment is not None:
        _report_alignment(summary.alignment)
    for doc in summary.documents if len(summary.documents) <= _LISTED_DOCUMENTS else ():
        kinds = ", ".join(f"{n} {k}" for k, n in doc.kinds.items())
        typer.echo(
            f"{doc.path}: {doc.lang}, {_count(doc.paragraphs, 'paragraph')} ({doc.repaired} layout breaks repaired), "
            f"{_count(sum(doc.kinds.values()), 'segment')} ({kinds})"
            + (f", {_count(doc.units, 'unit')} after alignment" if doc.units != sum(doc.kinds.values()) else "")
        )
        typer.echo("  wrote " + ", ".join(doc.outputs))
    if summary.omegat is not None:
        typer.echo(f"OmegaT project: {summary.omegat[0]} ({', '.join(summary.omegat[1])})")
    if summary.scores:
        typer.echo(f"the model on the {summary.scored} aligned sentences, against the reference:")
        for m in summary.scores:
            typer.echo(f"  {m.name.upper():5s} {m.score:5.1f}   {m.signature}")
    typer.echo(
        f"{_count(len(summary.documents), 'document')}, {_count(summary.paragraphs, 'paragraph')}, "
        f"{summary.repaired} repaired, {_count(summary.units, 'segment')}, engine {summary.engine}"
    )
    if summary.leverage is not None:
        lev = summary.leverage
        typer.echo(f"memory: {lev.in_context} in-context and {lev.exact} exact matches filled, {lev.repaired} fuzzy matches "
                   f"repaired (unconfirmed), {lev.fuzzy} fuzzy matches shown ({summary.memory_path})")
    if summary.remembered is not None:
        typer.echo(f"memory: {summary.remembered.added} aligned pairs stored, {summary.remembered.duplicates} already there")
    if summary.model:
        rate = summary.drafted / summary.seconds if summary.seconds else 0.0
        typer.echo(
            f"drafted {_count(summary.drafted, 'segment')} with {summary.model} in {summary.seconds:.1f} s "
            f"({rate:.1f} segments/s; model loaded in {summary.load_seconds:.1f} s)"
            + (f"; {summary.flagged} flagged for review" if summary.flagged else "")
        )
        if summary.cache_path:
            typer.echo(
                f"draft cache: {summary.new_drafts} new drafts stored, {summary.reused_drafts} reused ({summary.cache_path})"
            )
    if len(summary.documents) > _LISTED_DOCUMENTS or summary.where != "one machine":
        stages = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in summary.stages.items())
        nodes = f" ({_count(summary.nodes, 'node')}, at most {summary.worker_peak_mib:.0f} MiB a worker)" if summary.nodes else ""
        typer.echo(f"{_count(summary.workers, 'worker')} on {summary.where}{nodes}; {stages}")


#: an archive's documents are summed up, not listed one by one
_LISTED_DOCUMENTS = 20


@app.command("glossary")
def glossary_command(
    files: Annotated[list[Path], typer.Argument(help="Chinese documents to extract terms from.", metavar="FILE...")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The review file to write (.csv or .xlsx; .tbx, .martif.tbx, .tmx, .po or .utf8 for CAT tools).")],
    reference: Annotated[
        Optional[Path], typer.Option("--reference", help="The English translation of the single input: aligned pairs give renderings.")
    ] = None,
    merge: Annotated[
        Optional[Path], typer.Option("--merge", help="A reviewed glossary (.csv or .xlsx): its decisions are kept, new candidates appended.")
    ] = None,
    glossary: Annotated[
        Optional[list[Path]], typer.Option("--glossary", help="Other reviewed glossaries whose decisions apply; repeatable.")
    ] = None,
    export: Annotated[
        Optional[list[Path]], typer.Option("--export", help="Also write the result here, format by suffix: .tbx (TBX-Basic v3), .martif.tbx (TBX 2, OmegaT 3.x), .tmx, .po, .utf8 (OmegaT), .xlsx, .csv; repeatable.")
    ] = None,
    no_curated: Annotated[bool, typer.Option("--no-curated", help="Ignore the curated political glossary shipped with tm-builder.")] = False,
    engine: Annotated[
        EngineOption, typer.Option("--engine", help="Engine for machine drafts of terms without a rendering (none: leave them empty).")
    ] = EngineOption.auto,
    model: Annotated[Optional[str], typer.Option("--model", help="Model directory or models.lock name, as for translate.")] = None,
    lang: Annotated[LangOption, typer.Option("--lang", "-l", help="Language of the documents.")] = LangOption.auto,
    replace_reviewed: Annotated[
        bool, typer.Option("--replace", help="Overwrite an output that holds reviewed decisions (without it, such a file is refused unless it is the --merge file).")
    ] = False,
) -> None:
    """Extract candidate terms, propose renderings, and write a glossary for review.

    Status approved (curated or human), candidate or rejected. Re-run with
    --merge on the reviewed file: approved targets and rejections are never
    overwritten or re-proposed.
    """
    from .glossary import Status
    from .progress import progress_bar
    from .review import glossary_files

    with _user_errors():
        summary = glossary_files(
            list(files), output, reference=reference, merge_with=merge, glossaries=glossary or (),
            curated=not no_curated, engine=engine.value, model=model, exports=export or (), lang=lang.value,
            replace_reviewed=replace_reviewed, progress=lambda total: progress_bar(total, "finding terms", unit="step"),
        )
        typer.echo(
            f"{_count(len(summary.terms), 'term')}: {summary.count(Status.APPROVED)} approved, "
            f"{summary.count(Status.CANDIDATE)} candidates, {summary.count(Status.REJECTED)} rejected"
            + (f"; machine drafts by {summary.drafted_with}" if summary.drafted_with else "; no machine drafts (no model)")
        )
        typer.echo("wrote " + ", ".join(summary.outputs))


@app.command("score")
def score_command(
    hypothesis: Annotated[Path, typer.Argument(help="Drafts to score: plain text (a segment per line), TMX, PO or CSV.", metavar="HYP")],
    reference: Annotated[Path, typer.Argument(help="The reference translation, in any of the same forms.", metavar="REF")],
    metrics: Annotated[str, typer.Option("--metrics", help="Comma-separated: bleu, chrf, chrf++, ter (TER is slow: about 60 ms a news sentence).")] = "bleu,chrf",
    glossary: Annotated[
        Optional[list[Path]], typer.Option("--glossary", help="A reviewed glossary whose approved terms are checked (with the curated ones); repeatable.")
    ] = None,
    no_curated: Annotated[bool, typer.Option("--no-curated", help="Check only --glossary terms, not the curated glossary.")] = False,
    source: Annotated[
        Optional[Path], typer.Option("--source", help="The Chinese source, a segment per line, when HYP is plain text (for term checks).")
    ] = None,
    compare: Annotated[
        Optional[Path], typer.Option("--compare", help="A second system's drafts: paired bootstrap test against HYP.")
    ] = None,
    target_lang: Annotated[str, typer.Option("--target-lang", help="Language of the targets: en (13a tokenizer) or zh (tokenize=zh).")] = "en",
    bootstrap: Annotated[int, typer.Option("--bootstrap", min=0, help="Bootstrap resamples for 95% confidence intervals (0: none).")] = 0,
    by_segment: Annotated[bool, typer.Option("--by-segment", help="Also print every segment's sentence chrF.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    html_out: Annotated[Optional[Path], typer.Option("--html", help="Write a self-contained HTML review page here.")] = None,
) -> None:
    """Score drafts with sacrebleu (BLEU, chrF, TER, with signatures) and check glossary terms."""
    from .pipeline import score_files
    from .score import format_text

    with _user_errors():
        report = score_files(
            hypothesis, reference, metrics=[m.strip() for m in metrics.split(",") if m.strip()], glossaries=glossary or (),
            curated=not no_curated, source=source, compare=compare, target_lang=target_lang, bootstrap=bootstrap,
            html=html_out,
        )
        if as_json:
            _write_out(json.dumps(report.as_dict(), ensure_ascii=False, indent=1) + "\n")
        else:
            _write_out(format_text(report, by_segment=by_segment) + "\n")
        if html_out is not None and not as_json:
            _write_out(f"wrote {html_out}\n")
        sys.stdout.flush()


def _memory_in_use(given: Path | None) -> Path | None:
    """--memory, else $TM_BUILDER_MEMORY: translate and align use a memory only when one is named."""
    import os

    named = given or os.environ.get("TM_BUILDER_MEMORY")
    return Path(named) if named else None


def _scorer_names(value: str | None) -> tuple[str, ...] | None:
    if not value:
        return None
    from .align import SCORER_SETS  # numpy and the aligner: only for a run that names its scorers
    from .errors import InputError

    if value in SCORER_SETS:
        return SCORER_SETS[value]
    names = tuple(v.strip() for v in value.split("+") if v.strip())
    known = {n for combo in SCORER_SETS.values() for n in combo}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InputError(f"unknown scorer(s) {', '.join(unknown)}; use a set ({', '.join(SCORER_SETS)}) or names joined by '+'")
    return names


def _report_alignment(result) -> None:
    """Alignment summary on stdout; warnings and unaligned English sentences on stderr."""
    al = result.alignment
    pairs = al.pairs
    weak = sum(b.score < 0.5 for b in pairs)
    typer.echo(
        f"aligned {_count(len(pairs), 'pair')} ({weak} below 0.5 confidence, marked fuzzy in PO); "
        f"{len(al.unaligned_src)} Chinese and {len(al.unaligned_tgt)} English segments without counterpart"
    )
    for warning in result.warnings:
        typer.echo(f"tm-builder: warning: {warning}", err=True)
    for seg in result.unaligned_en[:10]:
        typer.echo(f"  unaligned English (paragraph {seg.paragraph}): {seg.text[:100]}", err=True)
    if len(result.unaligned_en) > 10:
        typer.echo(f"  ... and {len(result.unaligned_en) - 10} more (see the .unaligned.csv file)", err=True)


@app.command()
def align(
    source: Annotated[Path, typer.Argument(help="The Chinese document, or a folder of them.", metavar="ZH_FILE_OR_DIR")],
    translation: Annotated[
        Path, typer.Argument(help="Its English translation, or a folder with one at each Chinese file's relative path.",
                             metavar="EN_FILE_OR_DIR")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory for <stem>.tmx, .po, .csv, .source.txt (+ .unaligned.csv).")],
    presegmented: Annotated[bool, typer.Option("--presegmented", help="One sentence per line, used as is (no segmentation).")] = False,
    links: Annotated[Optional[Path], typer.Option("--links", help="Also write the beads in Vecalign's format: [0]:[0]:0.93")] = None,
    scorers: Annotated[
        Optional[str], typer.Option("--scorers", help="Evidence: default (length+lexical+structure), gale-church, or names joined by '+'.")
    ] = None,
    target_lang: Annotated[
        str, typer.Option("--target-lang", help="BCP 47 tag of the English side in the memories: en, en-US, en-GB.")
    ] = "en",
    glossary: Annotated[
        Optional[list[Path]], typer.Option("--glossary", help="A reviewed glossary whose approved pairs are alignment evidence; repeatable.")
    ] = None,
    no_curated: Annotated[bool, typer.Option("--no-curated", help="Do not use the curated glossary as alignment evidence.")] = False,
    memory: Annotated[
        Optional[Path], typer.Option("--memory", help="Also store the aligned pairs in this project memory (default: $TM_BUILDER_MEMORY if set).")
    ] = None,
) -> None:
    """Align a Chinese document with its existing English translation into sentence pairs.

    Two folders align every .txt file of the first with the file at the same
    relative path in the second, in one process; outputs keep the layout.
    """
    from .pipeline import align_files

    if source.is_dir() or translation.is_dir():
        with _user_errors():
            _align_folders(source, translation, output, presegmented=presegmented, scorers=_scorer_names(scorers), links=links,
                           target_lang=target_lang, glossaries=tuple(glossary or ()), curated=not no_curated,
                           memory=_memory_in_use(memory))
        return
    with _user_errors():
        summary = align_files(source, translation, output, presegmented=presegmented, scorers=_scorer_names(scorers), links=links,
                              target_lang=target_lang, glossaries=tuple(glossary or ()), curated=not no_curated,
                              memory=_memory_in_use(memory))
        result = summary.result
        typer.echo(
            f"{source}: {_count(len(result.zh_segments), 'segment')}; {translation}: {_count(len(result.en_segments), 'segment')}; "
            f"aligned in {summary.seconds:.1f} s"
        )
        _report_alignment(result)
        typer.echo("  wrote " + ", ".join(summary.outputs))
        if summary.remembered is not None:
            typer.echo(f"memory: {summary.remembered.added} aligned pairs stored, {summary.remembered.duplicates} already there")


def _align_folders(source: Path, translation: Path, output: Path, *, links: Optional[Path], **options) -> None:
    """``align`` over two folders: a line per pair (totals past 20 pairs), a bar on a terminal."""
    from functools import partial

    from .errors import InputError
    from .pipeline import align_folders
    from .progress import progress_bar

    if not (source.is_dir() and translation.is_dir()):
        raise InputError(f"{source if not source.is_dir() else translation}: give two files or two folders")
    if links is not None:
        raise InputError("--links takes a single pair of files; with folders, align the pair on its own for its links")
    run = align_folders(source, translation, output, progress=partial(progress_bar, description="aligning", unit="pair"),
                        **options)
    many = len(run.summaries) > 20
    for summary, (zh_path, en_path) in [] if many else zip(run.summaries, run.documents):
        al = summary.result.alignment
        typer.echo(f"{zh_path} ~ {en_path}: {_count(len(al.pairs), 'pair')}, {len(al.unaligned_src)} Chinese and {len(al.unaligned_tgt)} English "
                   "segments without counterpart")
    unaligned = sum(len(s.result.alignment.unaligned_src) + len(s.result.alignment.unaligned_tgt) for s in run.summaries)
    typer.echo(f"aligned {_count(len(run.summaries), 'document pair')}: {_count(run.pairs, 'pair')} from "
               f"{_count(run.sentences, 'sentence')}, {unaligned} without counterpart; {run.seconds:.1f} s "
               f"({run.sentences / max(run.seconds, 1e-9):,.0f} sentences/s); wrote {output}")
    for summary in run.summaries:
        for warning in summary.result.warnings:
            typer.echo(f"warning: {warning}", err=True)
    remembered = [s.remembered for s in run.summaries if s.remembered is not None]
    if remembered:
        typer.echo(f"memory: {sum(r.added for r in remembered)} aligned pairs stored, "
                   f"{sum(r.duplicates for r in remembered)} already there")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@memory_app.command("import")
def memory_import(
    files: Annotated[list[Path], typer.Argument(help="TMX, PO or CSV files, or OmegaT project directories.", metavar="FILE...")],
    memory: Annotated[Optional[Path], MemoryOption] = None,
) -> None:
    """Add finished work to the memory: our memories, any CAT tool's TMX, an OmegaT project's saved work."""
    from .errors import InputError
    from .memory import Memory, check_sources, import_files
    from .progress import progress_bar

    with _user_errors():
        check_sources(files)  # before the memory file is made
        with Memory(memory) as store:
            reports = import_files(store, files, progress=lambda total: progress_bar(total, "importing", unit="unit"))
        for r in reports:
            c = r.counts
            refused = "".join(f", {n} refused ({why})" for why, n in sorted(r.refused.items()))
            typer.echo(f"{r.path}: {c.added} added, {c.updated} updated, {c.duplicates} duplicates skipped{refused}"
                       + (f"; stopped: {r.error}" if r.error else ""))
        failed = [r for r in reports if r.error]
        if failed:
            raise InputError(f"{len(failed)} of {len(reports)} file(s) could not be read to the end (see above)")


@memory_app.command("export")
def memory_export(
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write: .tmx, .po or .csv.")],
    memory: Annotated[Optional[Path], MemoryOption] = None,
    origin: Annotated[Optional[list[str]], typer.Option("--origin", help="Only units of this origin (human, aligned, mt, glossary, tm); repeatable.")] = None,
    confirmed_only: Annotated[bool, typer.Option("--confirmed-only", help="Only confirmed units.")] = False,
) -> None:
    """Write the memory's current units (not the superseded history) to a TMX, PO or CSV file.

    A TMX gets the confirmed units; machine drafts go to <stem>.mt.tmx beside it, other unconfirmed units to <stem>.fuzzy.tmx.
    """
    from .memory import Memory, export_memory

    with _user_errors():
        with Memory(memory, create=False) as store:
            written = export_memory(store, output, origins=tuple(origin or ()), confirmed_only=confirmed_only)
        typer.echo("wrote " + ", ".join(f"{n} units to {path}" for path, n in written))


@memory_app.command("stats")
def memory_stats(
    memory: Annotated[Optional[Path], MemoryOption] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """How many units the memory holds, by origin and status, and from how many documents and files."""
    from .memory import Memory

    with _user_errors():
        with Memory(memory, create=False) as store:
            stats = store.stats()
        if as_json:
            _write_out(json.dumps(stats, ensure_ascii=False, indent=1) + "\n")
            return
        by_origin = ", ".join(f"{n} {o}" for o, n in stats["by_origin"].items()) or "none"
        _write_out(f"{stats['path']}: {stats['units']} units ({by_origin}); {stats['confirmed']} confirmed, "
                   f"{stats['unconfirmed']} unconfirmed; {stats['sources']} distinct sources; {stats['history']} superseded "
                   f"in history; from {stats['documents']} documents and {stats['files']} files\n")


@memory_app.command("search")
def memory_search(
    text: Annotated[str, typer.Argument(help="Text to find in sources or targets.", metavar="TEXT")],
    memory: Annotated[Optional[Path], MemoryOption] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Most units shown.")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="Print the units as JSON, one object per line.")] = False,
) -> None:
    """Concordance: every current unit whose source or target contains TEXT, the match highlighted on a terminal."""
    import dataclasses
    import re

    from .errors import InputError
    from .memory import Memory

    with _user_errors():
        if not text.strip():
            raise InputError("give some text to search for")
        with Memory(memory, create=False) as store:
            found = store.search(text, limit=limit)
        if as_json:
            _write_out("".join(json.dumps(dataclasses.asdict(u), ensure_ascii=False) + "\n" for u in found))
            return
        tty = sys.stdout.isatty()
        pattern = re.compile(re.escape(text), re.IGNORECASE)

        def marked(s: str) -> str:
            return pattern.sub(lambda m: typer.style(m.group(0), bold=True, fg="yellow"), s) if tty else s

        _write_out("".join(f"{u.id}\t{u.origin}/{u.status}\t{marked(u.source)}\t{marked(u.target)}\n" for u in found))
        if not found:
            typer.echo(f"no unit contains {text!r}", err=True)


@models_app.command("list")
def models_list(
    full: Annotated[bool, typer.Option("--full", help="Re-hash every file instead of trusting the last verification.")] = False,
) -> None:
    """Show each model in models.lock: installed or not, where, size, verified or not."""
    from .models import installed_models, lock_path

    with _user_errors():
        typer.echo(f"lock: {lock_path()}")
        for m in installed_models(full=full):
            size = f"{m.size / 1e6:.0f} MB" if m.installed else "-"
            typer.echo(f"{m.spec.name}\t{m.spec.repository}@{m.spec.revision}\t{m.status}\t{size}\t{m.path}")


@models_app.command("verify")
def models_verify(
    name: Annotated[Optional[str], typer.Argument(help="Model name in models.lock (default: all installed).")] = None,
) -> None:
    """Re-hash every file of installed models against models.lock; exit 2 on any mismatch."""
    from .models import ModelError, installed_models

    with _user_errors():
        rows = [m for m in installed_models(full=True) if name in (None, m.spec.name)]
        if name and not rows:
            raise ModelError(f"no model named {name!r} in models.lock")
        failed = [m for m in rows if m.installed and m.status != "verified"]
        for m in rows:
            typer.echo(f"{m.spec.name}: {m.status}")
        if name and rows and not rows[0].installed:
            raise ModelError(f"model {name} is not installed; run 'tm-builder models pull {name}' (needs internet)")
        if failed:
            raise ModelError(f"{len(failed)} model(s) failed verification")


@models_app.command("pull")
def models_pull(
    name: Annotated[str, typer.Argument(help="Model name in models.lock.")] = "opus-mt-zh-en",
) -> None:
    """Download the pinned revision into the Hugging Face cache and verify every file (needs internet)."""
    from .models import pull

    with _user_errors():
        path = pull(name)
        typer.echo(f"{name}: verified, in {path}")


@models_app.command("lock")
def models_lock(
    name: Annotated[str, typer.Argument(help="Model name in models.lock.")] = "opus-mt-zh-en",
    revision: Annotated[str, typer.Option("--revision", help="Hub revision to resolve (branch, tag or commit).")] = "main",
    from_dir: Annotated[
        Optional[Path], typer.Option("--from-dir", help="Pin the files of a local model directory instead of asking the hub.")
    ] = None,
    repository: Annotated[Optional[str], typer.Option("--repository", help="Hub repository to record (with --from-dir).")] = None,
) -> None:
    """Resolve a model's revision and record the size and sha256 of its files in models.lock.

    With --from-dir (offline: a model directory copied from a connected
    machine), the files are pinned and installed where translate finds the
    model by name, then verified.
    """
    from .models import install_from_directory, load_lock, lock_from_directory, lock_from_hub, save_lock

    with _user_errors():
        lock = load_lock()
        if from_dir is not None:
            spec = lock_from_directory(name, from_dir, repository=repository, revision=None if revision == "main" else revision, lock=lock)
            installed = install_from_directory(spec, from_dir)
        else:
            spec = lock_from_hub(name, revision=revision, lock=lock)
        path = save_lock(lock)
        typer.echo(f"{name}: pinned {spec.repository}@{spec.revision} ({len(spec.files)} files) in {path}")
        if from_dir is not None:
            typer.echo(f"{name}: installed and verified in {installed}")


def _buffered_stdout() -> None:
    """Put a buffer between our text and stdout when Python runs unbuffered (``PYTHONUNBUFFERED``, ``-u``).

    Unbuffered, ``sys.stdout`` writes straight to the raw file and ignores
    a short write, so a disk that fills mid-output loses the rest silently
    and the run exits 0.  A ``BufferedWriter`` repeats short writes and
    raises when it cannot finish, which ends the run with an error.
    """
    raw = getattr(sys.stdout, "buffer", None)
    if isinstance(raw, io.RawIOBase):
        sys.stdout = io.TextIOWrapper(
            io.BufferedWriter(raw), encoding=sys.stdout.encoding, errors=sys.stdout.errors, line_buffering=True,
        )


def _optional_ray_address(args: list[str]) -> list[str]:
    """``--ray`` alone means a local instance: typer has no option with an optional value, so say it for it.

    The word after ``--ray`` is its address only when it looks like one
    (``auto``, ``ray://...``, ``host:port``) and is not a file or folder.
    """
    out = []
    for i, arg in enumerate(args):
        if arg == "--ray":
            following = args[i + 1] if i + 1 < len(args) else None
            address = following is not None and not os.path.exists(following) and (
                following == "auto" or following.startswith("ray://") or re.fullmatch(r"[\w.\[\]-]+:\d+", following))
            if not address:
                arg = "--ray=local"
        out.append(arg)
    return out


def main() -> None:
    """Console-script entry point."""
    _buffered_stdout()
    signal.signal(signal.SIGTERM, _terminate)
    try:
        app(args=_optional_ray_address(sys.argv[1:]))
    finally:
        try:
            if sys.stdout is not None:
                sys.stdout.flush()
        except BrokenPipeError:
            sys.stdout = None  # type: ignore[assignment]
        except OSError as exc:
            sys.stdout = None  # type: ignore[assignment]
            if not _STDOUT_FAILED:
                print(f"tm-builder: error: cannot write output ({exc.strerror or exc})", file=sys.stderr)
            raise SystemExit(1) from None


if __name__ == "__main__":
    main()
