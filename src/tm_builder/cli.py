"""The ``tm-builder`` command line: a thin layer over the library.

Each command parses options, calls one library function and prints; errors a
user can fix arrive as :class:`~tm_builder.errors.TmBuilderError` and become a
single ``tm-builder: error: ...`` line on stderr with a non-zero exit status.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from .errors import TmBuilderError

app = typer.Typer(
    name="tm-builder",
    help="Build translation memories (TMX, PO, CSV) and glossaries from Chinese official texts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class LangOption(str, Enum):
    auto = "auto"
    zh = "zh"
    en = "en"


class EngineOption(str, Enum):
    none = "none"


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
    except BrokenPipeError:
        # The reader of our output went away (| head): stop quietly.
        with contextlib.suppress(OSError):
            sys.stdout = None  # type: ignore[assignment]
        raise typer.Exit(0) from None


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
    file: Annotated[Path, typer.Argument(help="Document to segment (UTF-8, UTF-16 or GB18030/GBK).")],
    lang: Annotated[LangOption, typer.Option("--lang", "-l", help="Language of the document.")] = LangOption.auto,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON object per segment, with kind, paragraph and offsets.")] = False,
) -> None:
    """Print the document's segments, one per line, after layout repair."""
    from .segment import segment_file

    with _user_errors():
        document = segment_file(file, lang=lang.value)
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
    files: Annotated[list[Path], typer.Argument(help="Documents to translate.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory for <stem>.tmx, .po and .csv.")],
    engine: Annotated[EngineOption, typer.Option("--engine", help="Drafting engine; 'none' writes untranslated memories.")] = EngineOption.none,
    lang: Annotated[LangOption, typer.Option("--lang", "-l", help="Language of the documents.")] = LangOption.auto,
) -> None:
    """Segment documents and write a translation memory (TMX, PO, CSV) for each."""
    from .pipeline import translate_files

    with _user_errors():
        summary = translate_files(list(files), output, engine=engine.value, lang=lang.value)
        for doc in summary.documents:
            kinds = ", ".join(f"{n} {k}" for k, n in doc.kinds.items())
            typer.echo(
                f"{doc.path}: {doc.lang}, {doc.paragraphs} paragraphs ({doc.repaired} layout breaks repaired), "
                f"{doc.units} segments ({kinds})"
            )
            typer.echo("  wrote " + ", ".join(doc.outputs))
        n = len(summary.documents)
        typer.echo(
            f"{n} document{'s' if n != 1 else ''}, {summary.paragraphs} paragraphs, {summary.repaired} repaired, "
            f"{summary.units} segments, engine {summary.engine}"
        )


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
