"""Chinese text analysis done in Python, the same way for documents and queries (the engine's Chinese plugins
are not published to Maven Central): traditional → simplified folding, word segmentation, pinyin.

Pinyin goes into the index two ways:
- syllable pairs over the whole text ("驾驶证补领" → jiashi shizheng zhengbu buling), so a homophone slip of the
  input method (驾驶正补领) lands on the same tokens, the way CJK bigrams work for characters;
- whole words and their initials (公积金 → gongjijin gjj), so residents can type jiazhao or gjj.
"""

import re
import unicodedata
from functools import cache, lru_cache
from itertools import chain
from pathlib import Path

import jieba
import opencc
from pypinyin import Style

from search import dictionaries

HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"^[a-z\s']+$")
# Question words and filler that say how residents ask, not what they want.
FILLER = re.compile(
    r"(需要什么材料|需要哪些材料|需要什么手续|要办什么手续|什么手续|要带什么|怎么办理|如何办理|在哪里办|在哪儿办|在哪办|去哪办|怎么办|怎样办|怎么弄|"
    r"怎么|如何|怎样|哪里|哪儿|哪些|什么|几点|多久|可以吗|能不能|请问|我想|我要|需要|办理|一下|吗|呢|啊)"
)
DICTIONARY_FILE = Path(__file__).with_name("dictionary.txt")
SUGGEST_TAILS = 6  # word-boundary tails of a name offered to autocomplete (驾驶证补领 for 机动车驾驶证补领)
# Building a document was ~4 ms of CPU, most of it jieba and pypinyin going over the same words again and again (the
# items of a catalog share their clauses and words). Both handle a text piece by piece, each piece on its own, so
# the pieces are cached: the tokens are exactly those of the whole text, at a fraction of the cost.
PIECE_CACHE = 50_000  # distinct clauses and words kept; ~20 MB at most
# jieba's and pypinyin's word lists plus ours, as compact tries (search/dictionaries.py says why): jieba's functions
# segment with them, and _PINYIN is what lazy_pinyin() builds on every call, reading phrases from them.
_DICTIONARIES = dictionaries.load(DICTIONARY_FILE)
_DICTIONARIES.segment_with(jieba.dt)
_CONVERTER = dictionaries.PhraseConverter(_DICTIONARIES.readings)
_PINYIN = dictionaries.PhrasePinyin(_CONVERTER, _DICTIONARIES.phrases)


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    """Full-width → half-width, traditional → simplified, lower case, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    return " ".join(_converter().convert(text).lower().split())


def intent(query: str) -> str:
    """The query without question words and filler; the query itself when nothing else is left."""
    stripped = " ".join(FILLER.sub(" ", query).split())
    return stripped or query


def is_pinyin(query: str) -> bool:
    return bool(LATIN.match(query))


def words(text: str) -> list[str]:
    """The words of `text` as the project dictionary segments them, long words with their parts."""
    # jieba segments each run of characters between punctuation and spaces on its own.
    return [word for block in jieba.re_han_default.split(text) if block for word in _block_words(block)]


@lru_cache(maxsize=PIECE_CACHE)
def _block_words(block: str) -> tuple[str, ...]:
    # jieba.cut_for_search(block), read from the spans: jieba.tokenize in search mode yields the same words with
    # their places, and segmenting a block once instead of twice saves what the dictionaries' tries cost.
    return tuple(w for w in (block[start:end] for start, end in _block_spans(block)) if w.strip() and HAN.search(w))


def suggest_inputs(names: list[str]) -> list[dict]:
    """What autocomplete matches a name by, as completion entries: the name and its pinyin and initials, then
    its tails from a word boundary, which rank lower. Shorter names rank higher: they are what people type."""
    entries = []
    for name in map(normalize, names):
        weight = max(1, 40 - len(name))
        tails = [name[start:] for start in _word_starts(name)[1 : SUGGEST_TAILS + 1]]
        entries.append({"input": [name, name_pinyin(name), name_initials(name)], "weight": 2 * weight})
        entries.append({"input": tails, "weight": weight})
    return [
        e | {"input": [i for i in e["input"] if len(i) >= 2]} for e in entries if any(len(i) >= 2 for i in e["input"])
    ]


@lru_cache(maxsize=PIECE_CACHE)
def _word_starts(name: str) -> tuple[int, ...]:
    """Where a word begins after a chain of whole words from the start (机动车|驾驶证|补领: 0, 3, 6), so that no
    tail begins inside a word the way 动车 sits inside 机动车."""
    spans, offset = set(), 0
    for block in jieba.re_han_default.split(name):
        spans.update((offset + start, offset + end) for start, end in _block_spans(block))
        offset += len(block)
    begins = {start for start, _ in spans}
    starts = [0]
    for start, end in sorted(spans):
        if start in starts and end in begins and end not in starts:
            starts.append(end)
    return tuple(sorted(starts))


@lru_cache(maxsize=PIECE_CACHE)
def _block_spans(block: str) -> tuple[tuple[int, int], ...]:
    return tuple((start, end) for _, start, end in jieba.tokenize(block, mode="search"))


def homophone_in(typed: str, name: str) -> str:
    """The part of `name` that sounds like `typed` (same pinyin, other characters), or "" (驾驶正 in
    机动车驾驶证 → 驾驶证)."""
    wanted = _sounds(typed)
    if not HAN.search(typed) or len(wanted) != len(typed):
        return ""
    sounds = _sounds(name)
    if len(sounds) != len(name):  # letters or digits run together in pinyin: positions would not line up
        return ""
    for start in range(len(name) - len(typed) + 1):
        if sounds[start : start + len(typed)] == wanted and name[start : start + len(typed)] != typed:
            return name[start : start + len(typed)]
    return ""


@lru_cache(maxsize=PIECE_CACHE)
def _sounds(text: str) -> tuple[str, ...]:
    """lazy_pinyin(text), kept: every search asks it of the names of its top results, the same names again and
    again (it was a third of the search service's CPU)."""
    return tuple(_PINYIN.lazy_pinyin(text))


@lru_cache(maxsize=PIECE_CACHE)
def _syllables(text: str) -> tuple[str, ...]:
    """The pinyin of the Chinese characters in `text`, as lazy_pinyin() reads them: its phrases one by one."""
    phrases = _PINYIN.seg("".join(HAN.findall(text)))
    return tuple(s for s in chain.from_iterable(map(_phrase_syllables, phrases)) if s.isalpha())


@lru_cache(maxsize=PIECE_CACHE)
def _phrase_syllables(phrase: str) -> tuple[str, ...]:
    return tuple(chain.from_iterable(_CONVERTER.convert(phrase, Style.NORMAL, False, "default", True)))


def pinyin_pairs(text: str) -> list[str]:
    """Adjacent pinyin syllables of the Chinese characters in `text`, each pair one token."""
    syllables = _syllables(text)
    if len(syllables) == 1:
        return list(syllables)
    return [a + b for a, b in zip(syllables, syllables[1:], strict=False)]


def pinyin_words(text: str) -> list[str]:
    """Each word of `text` (and the whole text) in full pinyin and in initials."""
    tokens = []
    for word in [*words(text), "".join(HAN.findall(text))]:
        tokens += [name_pinyin(word), name_initials(word)]
    return list(dict.fromkeys(t for t in tokens if t))


def name_pinyin(name: str) -> str:
    """A name in full pinyin, run together (驾照 → jiazhao)."""
    return "".join(_syllables(name))


def name_initials(name: str) -> str:
    """A name in pinyin initials (不动产登记 → bdcdj)."""
    return "".join(syllable[0] for syllable in _syllables(name))


def typed_pinyin(query: str) -> list[str]:
    """What a resident typing Latin letters means: the letters as one word, and each part on its own."""
    parts = query.replace("'", " ").split()
    return list(dict.fromkeys(["".join(parts), *parts]))
