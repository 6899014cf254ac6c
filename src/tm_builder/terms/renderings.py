"""English renderings of terms, from aligned human translations (see the package docstring)."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..chars import HAN_CHAR as _HAN_RE
from .words import DEMONYMS as _DEMONYMS, EN_INNER as _EN_INNER, EN_STOP as _EN_STOP

if TYPE_CHECKING:  # pragma: no cover
    from ..align.lexicon import Lexicon

__all__ = ["Rendering", "aligned_renderings"]


@dataclass(frozen=True)
class Rendering:
    """The English n-gram that best renders a term in aligned units."""

    target: str  # English n-gram, as written in the example
    score: float  # association strength (Dice/LLR, helped by the dictionary)
    support: int  # aligned units in which the term and target co-occur
    example_target: str  # the English side of one such unit


# --------------------------------------------------------------------------
# English renderings from aligned units
# --------------------------------------------------------------------------


_EN_WORD = re.compile(r"[A-Za-z0-9]+(?:[-'’][A-Za-z0-9]+)*")
_MAX_EN_WORDS = 12


def aligned_renderings(terms: Sequence[str], pairs: Sequence[tuple[str, str]], *, lexicon: "Lexicon | None" = None) -> dict[str, Rendering]:
    """The English rendering of each term that the aligned *pairs* give evidence for.

    *pairs* are (Chinese segment, English segment) of aligned units.  For a
    term, every English n-gram (1 to 12 words, no function word at either
    edge) of the units whose Chinese contains the term is scored by

    * Dice over units: 2·|units with both| / (|units with the term| + |units with the n-gram|),
    * agreement with CC-CEDICT (*lexicon*; the packaged dictionary when
      None): how much of the n-gram the glosses of the term's words explain,
      and how many of the term's words the n-gram renders,

    and log-likelihood breaks ties.  A term gets a rendering only with real
    evidence: the dictionary agrees with the n-gram, or the n-gram
    co-occurs with the term in at least three units and almost nowhere else.
    Terms without evidence are left out; nothing is guessed.
    """
    if lexicon is None:
        from ..align.lexicon import default_lexicon

        lexicon = default_lexicon()
    zh_side = [z for z, _ in pairs]
    english = _English(pairs)
    out: dict[str, Rendering] = {}
    for term in dict.fromkeys(terms):
        if not term:
            continue
        units = [u for u, z in enumerate(zh_side) if term in z]
        if not units:
            continue
        found = _grams(english.keys, units)
        best = _best(term, units, found, english, lexicon)
        if best is None:
            continue
        # A head word that always follows the chosen n-gram, in two units or more and
        # nowhere else, belongs to the rendering (dual-track -> dual-track approach).
        gram, rendering = best
        units_of = found[gram]
        if len(units_of) >= 2:
            heads = sorted(g for g, with_both in found.items() if len(g) == len(gram) + 1 and g[:-1] == gram and with_both == units_of)
            if heads and english.units_with(heads[0]) == english.units_with(gram):
                rendering = _rendering(heads[0], units_of, rendering.score, pairs, english.words, english.keys)
        out[term] = rendering
    return out


class _English:
    """The English sides of the aligned units: their words, lower-cased keys, and which units hold an n-gram."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self.pairs = pairs
        self.words = [_EN_WORD.findall(e) for _, e in pairs]
        self.keys = [[w.lower().replace("’", "'") for w in ws] for ws in self.words]
        self._joined = [" " + " ".join(ks) + " " for ks in self.keys]
        self._index: dict[str, set[int]] = defaultdict(set)
        for u, ks in enumerate(self.keys):
            for k in ks:
                self._index[k].add(u)
        self._units: dict[tuple[str, ...], int] = {}

    def units_with(self, gram: tuple[str, ...]) -> int:
        if gram not in self._units:
            sets = sorted((self._index.get(k, set()) for k in gram), key=len)
            needle = " " + " ".join(gram) + " "
            self._units[gram] = sum(1 for u in sets[0] if all(u in s for s in sets[1:]) and needle in self._joined[u])
        return self._units[gram]


def _grams(en_keys: list[list[str]], units: list[int]) -> dict[tuple[str, ...], list[int]]:
    """Every English n-gram (no function word at either edge) of *units*, with the units it occurs in."""
    found: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for u in units:
        ks = en_keys[u]
        seen: set[tuple[str, ...]] = set()
        for i in range(len(ks)):
            if ks[i] in _EN_STOP:
                continue
            for j in range(i, min(len(ks), i + _MAX_EN_WORDS)):
                if ks[j] in _EN_STOP and ks[j] not in _EN_INNER:
                    break
                if ks[j] in _EN_STOP:
                    continue
                gram = tuple(ks[i:j + 1])
                if gram not in seen:
                    seen.add(gram)
                    found[gram].append(u)
    return found


def _best(term: str, units: list[int], found: dict[tuple[str, ...], list[int]], english: _English,
          lexicon: "Lexicon") -> tuple[tuple[str, ...], Rendering] | None:
    """The n-gram with the best evidence for *term* (Dice and the dictionary, log-likelihood breaking ties), if any."""
    from ..align.lexicon import lemma

    words = [(w, _with_demonyms(gs)) for w, gs in _gloss_words(term, lexicon)]
    gloss_bag = {g for _, gs in words for g in gs} | set(_with_demonyms(lexicon.zh_tokens(term)))
    best: tuple[tuple[float, float, int, str], tuple[str, ...], Rendering] | None = None
    for gram, with_both in found.items():
        both = len(with_both)
        c_e = english.units_with(gram)
        dice = 2.0 * both / (len(units) + c_e)
        content = [_en_parts(w, lemma) for w in gram if w not in _EN_STOP]
        flags = [all(p in gloss_bag or _number_in(p, gloss_bag) for p in parts) for parts in content]
        explained = sum(flags) / len(flags)
        lemmas = {p for parts in content for p in parts}
        rendered = (sum(1 for _, gs in words if set(gs) & lemmas) / len(words)) if words else 0.0
        # the dictionary vouches for the n-gram when it explains both ends and most of the term
        agrees = flags[0] and flags[-1] and explained >= 0.5 and rendered >= 0.5
        lexical = 0.7 * rendered + 0.3 * explained if agrees else 0.0
        if not agrees and not (both >= 3 and dice >= 0.6):
            continue
        score = 0.3 * dice + 0.7 * lexical
        key = (round(score, 9), round(_llr(both, len(units), c_e, len(english.pairs)), 6), len(gram), " ".join(gram))
        if best is None or key > best[0]:
            best = (key, gram, _rendering(gram, with_both, score, english.pairs, english.words, english.keys))
    return None if best is None else (best[1], best[2])


def _rendering(gram: tuple[str, ...], units: list[int], score: float, pairs: Sequence[tuple[str, str]], en_words: list[list[str]], en_keys: list[list[str]]) -> Rendering:
    u0 = units[0]
    return Rendering(target=_surface(en_words[u0], en_keys[u0], gram), score=round(score, 6), support=len(units), example_target=pairs[u0][1])




def _with_demonyms(glosses: Iterable[str]) -> tuple[str, ...]:
    out = list(glosses)
    out += [_DEMONYMS[g] for g in out if g in _DEMONYMS]
    return tuple(dict.fromkeys(out))


def _en_parts(word: str, lemma: Callable[[str], str]) -> tuple[str, ...]:
    """Lemmas of an English word; hyphenated words by their parts (high-quality, people-to-people)."""
    if word.isdigit():
        return ("#" + word,)
    parts = [p for p in re.split(r"[-'’]", word) if p and p not in _EN_STOP and p != "s"]
    return tuple(lemma(p) if not p.isdigit() else "#" + p for p in parts) or (lemma(word),)


def _gloss_words(term: str, lexicon: "Lexicon") -> list[tuple[str, tuple[str, ...]]]:
    """The term cut into dictionary words (longest first, left to right) with their English lemmas."""
    out = []
    i = 0
    glosses = lexicon.glosses
    while i < len(term):
        for k in range(min(8, len(term) - i), 0, -1):
            g = glosses.get(term[i:i + k])
            if g and (k > 1 or _HAN_RE.match(term[i])):
                out.append((term[i:i + k], g))
                i += k
                break
        else:
            i += 1
    return [w for w in out if not (len(w[0]) == 1 and w[0] in "的之与和及")]


def _number_in(word: str, bag: set[str]) -> bool:
    m = re.match(r"#?(\d+)(?:st|nd|rd|th)?$", word)
    return bool(m) and "#" + m.group(1) in bag


def _surface(words: list[str], keys: list[str], gram: tuple[str, ...]) -> str:
    n = len(gram)
    for i in range(len(keys) - n + 1):
        if tuple(keys[i:i + n]) == gram:
            return " ".join(words[i:i + n])
    return " ".join(gram)


def _llr(both: int, c_t: int, c_e: int, n: int) -> float:
    """Dunning's log-likelihood ratio of a 2x2 co-occurrence table over units."""
    k = [[both, c_t - both], [c_e - both, n - c_t - c_e + both]]
    total = sum(map(sum, k))
    rows = [sum(r) for r in k]
    cols = [k[0][0] + k[1][0], k[0][1] + k[1][1]]
    g = 0.0
    for a in range(2):
        for b in range(2):
            if k[a][b] > 0:
                g += k[a][b] * math.log(k[a][b] * total / (rows[a] * cols[b]))
    return 2 * g
