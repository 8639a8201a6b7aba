"""Run by test_dictionaries.py in a process of its own: `tokens_probe.py plain|compact TEXTS.json OUT.json` writes
what jieba and pypinyin make of each text, either the libraries as they come with the project's word list added
the way analysis.py used to (plain), or through search.analysis's compact dictionaries as the services run them
(compact, with PYPINYIN_NO_PHRASES set by the caller)."""

import json
import re
import sys
from pathlib import Path

import jieba
from pypinyin import Style

HAN = re.compile(r"[\u4e00-\u9fff]")


def plain():
    from pypinyin.converter import UltimateConverter
    from pypinyin.core import Pinyin

    from search import dictionaries

    jieba.setLogLevel(60)
    for word, frequency in dictionaries.project_words(Path(dictionaries.__file__).with_name("dictionary.txt")):
        jieba.add_word(word, frequency)
    converter = UltimateConverter()
    return Pinyin(converter), converter


def compact():
    from search import analysis

    return analysis._PINYIN, analysis._CONVERTER


def tokens(text: str, pinyin, converter) -> dict:
    # What analysis asks: tokenize in search mode (cut_for_search's words, with their places), pypinyin's phrases
    # of the Chinese characters and lazy_pinyin (the phrases' readings, one by one); cut_all walks the word graph
    # another way. Each phrase's readings are compared in full in test_dictionaries.py.
    han = "".join(HAN.findall(text))
    return {
        "tokenize_search": list(jieba.tokenize(text, mode="search")),
        "cut_all": list(jieba.cut(text, cut_all=True)),
        "phrases": pinyin.seg(han),
        "lazy_pinyin": pinyin.lazy_pinyin(text),
        "han_pinyin": [converter.convert(han, Style.NORMAL, False, "default", True)] if han else [],
    }


if __name__ == "__main__":
    mode, source, target = sys.argv[1:]
    pinyin, converter = {"plain": plain, "compact": compact}[mode]()
    texts = json.loads(Path(source).read_text(encoding="utf-8"))
    Path(target).write_text(json.dumps([tokens(t, pinyin, converter) for t in texts], ensure_ascii=False))
