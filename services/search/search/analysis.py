"""Chinese text analysis done in Python, the same way for documents and queries (the engine's Chinese plugins
are not published to Maven Central): traditional → simplified folding, word segmentation, pinyin.

Pinyin goes into the index two ways:
- syllable pairs over the whole text ("驾驶证补领" → jiashi shizheng zhengbu buling), so a homophone slip of the
  input method (驾驶正补领) lands on the same tokens, the way CJK bigrams work for characters;
- whole words and their initials (公积金 → gongjijin gjj), so residents can type jiazhao or gjj.
"""

import re
import unicodedata
from functools import cache

import jieba
import opencc
from pypinyin import Style, lazy_pinyin

HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"^[a-z\s']+$")
# Question words and filler that say how residents ask, not what they want.
FILLER = re.compile(
    r"(需要什么材料|需要哪些材料|要带什么|怎么办理|如何办理|在哪里办|在哪儿办|在哪办|去哪办|怎么办|怎样办|怎么弄|"
    r"怎么|如何|怎样|哪里|哪儿|哪些|什么|几点|多久|可以吗|能不能|请问|我想|我要|办理|一下|吗|呢|啊)"
)
jieba.setLogLevel(60)  # jieba reports its dictionary loading on every start


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
    return [w for w in jieba.cut_for_search(text) if w.strip() and HAN.search(w)]


def _syllables(text: str) -> list[str]:
    return [s for s in lazy_pinyin("".join(HAN.findall(text))) if s.isalpha()]


def pinyin_pairs(text: str) -> list[str]:
    """Adjacent pinyin syllables of the Chinese characters in `text`, each pair one token."""
    syllables = _syllables(text)
    if len(syllables) == 1:
        return syllables
    return [a + b for a, b in zip(syllables, syllables[1:], strict=False)]


def pinyin_words(text: str) -> list[str]:
    """Each word of `text` (and the whole text) in full pinyin and in initials."""
    tokens = []
    for word in [*words(text), "".join(HAN.findall(text))]:
        if word:
            tokens.append("".join(lazy_pinyin(word)))
            tokens.append("".join(lazy_pinyin(word, style=Style.FIRST_LETTER)))
    return list(dict.fromkeys(t for t in tokens if t.isalpha()))


def name_pinyin(name: str) -> str:
    """A name in full pinyin, run together (驾照 → jiazhao)."""
    return "".join(_syllables(name))


def typed_pinyin(query: str) -> list[str]:
    """What a resident typing Latin letters means: the letters as one word, and each part on its own."""
    parts = query.replace("'", " ").split()
    return list(dict.fromkeys(["".join(parts), *parts]))
