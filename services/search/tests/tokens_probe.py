"""Run by test_dictionaries.py in a process of its own: `tokens_probe.py plain|compact TEXTS.json OUT.json` writes
what jieba and pypinyin make of each text, either the libraries as they come with the project's word list added
the way analysis.py used to (plain), or through search.analysis's compact dictionaries as the services run them
(compact, with PYPINYIN_NO_PHRASES set by the caller)."""

import json
import re
import sys
from pathlib import Path

import jieba

HAN = re.compile(r"[\u4e00-\u9fff]")


def plain():
    from pypinyin.converter import UltimateConverter
    from pypinyin.core import Pinyin

    from search import dictionaries

    jieba.setLogLevel(60)
    for word, frequency in dictionaries.project_words(Path(dictionaries.__file__).with_name("dictionary.txt")):
        jieba.add_word(word, frequency)
    pinyin = Pinyin(UltimateConverter())

    def analysed(text: str) -> dict:  # analysis.words and name_pinyin as they read the whole text before
        words = [w for w in jieba.cut_for_search(text) if w.strip() and HAN.search(w)]
        return {
            "words": words,
            "pinyin": "".join(s for s in pinyin.lazy_pinyin("".join(HAN.findall(text))) if s.isalpha()),
        }

    return pinyin, analysed


def compact():
    from search import analysis

    def analysed(text: str) -> dict:
        return {"words": analysis.words(text), "pinyin": analysis.name_pinyin(text)}

    return analysis._PINYIN, analysed


def tokens(text: str, pinyin, analysed) -> dict:
    # What analysis asks: tokenize in search mode (cut_for_search's words, with their places), and pypinyin's
    # phrases of the Chinese characters with lazy_pinyin's readings of them; and what it answers for the whole text.
    # Every phrase's readings, and jieba's word graph on its own, are compared in test_dictionaries.py.
    return {
        "tokenize_search": list(jieba.tokenize(text, mode="search")),
        "phrases": pinyin.seg("".join(HAN.findall(text))),
        "lazy_pinyin": pinyin.lazy_pinyin(text),
        **analysed(text),
    }


if __name__ == "__main__":
    mode, source, target = sys.argv[1:]
    pinyin, analysed = {"plain": plain, "compact": compact}[mode]()
    texts = json.loads(Path(source).read_text(encoding="utf-8"))
    Path(target).write_text(json.dumps([tokens(t, pinyin, analysed) for t in texts], ensure_ascii=False))
