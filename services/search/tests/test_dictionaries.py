"""The compact dictionaries (search/dictionaries.py) change no token: they hold exactly jieba's and pypinyin's word
lists, and segment and read the sample catalog and the query sets exactly as the plain libraries do."""

import json
import os
import subprocess
import sys
from pathlib import Path

import jieba
import pytest
from pypinyin import phrases_dict

from catalog.sample import build_catalog
from portal_common.testing import SERVICE_PYTHONPATH
from search import analysis, dictionaries, relevance

PROBE = Path(__file__).with_name("tokens_probe.py")
SUMMARIES = 300  # of the sample's 7,200 items: their clauses are much alike, and the plain libraries are slow
# What a catalog holds besides plain Chinese: Latin letters, digits, punctuation, traditional and rare characters;
# and a text that ends inside a phrase (一氧化碳) with no phrase before, which pypinyin reads character by character.
EDGES = [
    "请检测一氧化",
    "",
    "  ",
    "ＧＪＪ办理",
    "12345热线",
    "App下载 v2.0",
    "機動車駕駛證",
    "㐀㐁齉",
    "银行行长",
    "一丝不苟",
    "c#与AT&T",
]


def sample_texts() -> list[str]:
    catalog = build_catalog()
    texts = list(EDGES)
    for number, item in enumerate(catalog.items):
        texts += [item["name"], *(alias["name"] for alias in item.get("aliases") or [])]
        if number < SUMMARIES:
            texts.append(item["summary"])
    for path in (relevance.OWN_SET, relevance.SHARED_SET):
        if path.is_file():  # the owners' set lies beside the repository, not in it
            texts += [query.text for query in relevance.load_queries(path)]
    return list(dict.fromkeys(texts))


def probe(mode: str, texts: Path, out: Path, env: dict[str, str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": SERVICE_PYTHONPATH, **env}
    return subprocess.Popen([sys.executable, PROBE, mode, texts, out], env=env, stderr=subprocess.PIPE, text=True)


def test_the_sample_catalog_and_the_queries_get_the_tokens_of_the_plain_libraries(tmp_path):
    texts = sample_texts()
    (tmp_path / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    plain_env = {"PYPINYIN_NO_PHRASES": "", "PYPINYIN_NO_DICT_COPY": ""}
    service_env = {"PYPINYIN_NO_PHRASES": "1", "PYPINYIN_NO_DICT_COPY": "1"}  # as `python -m search` runs
    runs = {
        mode: probe(mode, tmp_path / "texts.json", tmp_path / f"{mode}.json", env)
        for mode, env in (("plain", plain_env), ("compact", service_env))
    }
    for mode, run in runs.items():
        assert run.wait(timeout=240) == 0, f"{mode}: {run.stderr.read()[-3000:]}"
    plain, compact = (json.loads((tmp_path / f"{mode}.json").read_text(encoding="utf-8")) for mode in runs)
    assert len(plain) == len(compact) == len(texts) > 15_000
    differing = [(text, p, c) for text, p, c in zip(texts, plain, compact, strict=True) if p != c]
    assert differing == []


@pytest.fixture(scope="module")
def stock() -> jieba.Tokenizer:
    """jieba as it comes, with the project's words added the way analysis.py used to."""
    tokenizer = jieba.Tokenizer()
    tokenizer.check_initialized()
    for word, frequency in dictionaries.project_words(analysis.DICTIONARY_FILE):
        tokenizer.add_word(word, frequency)
    return tokenizer


def test_the_tries_hold_the_libraries_word_lists_exactly(stock):
    words = analysis._DICTIONARIES.words
    assert (len(words), words.total) == (len(stock.FREQ), stock.total)
    assert [word for word, frequency in stock.FREQ.items() if word not in words or words[word] != frequency] == []
    assert (words.get("不是一个词"), words.get("不是一个词", 1), words.get("机动车驾")) == (None, 1, 0)
    phrases = phrases_dict.phrases_dict
    assert len(analysis._DICTIONARIES.phrases) == len(phrases)
    read = analysis._CONVERTER._phrase_pinyin
    assert [p for p, readings in phrases.items() if read(p, None, True, "default", True) != readings] == []


@pytest.mark.parametrize("text", ["机动车驾驶证补领需携带身份证原件", "市区有哪些公园", "c#与AT&T", "齉"])
def test_the_word_graph_and_the_likeliest_path_are_jiebas(stock, text):
    words = analysis._DICTIONARIES.words
    graph, route, expected_route = words.dag(text), {}, {}
    assert dict(graph) == stock.get_DAG(text)
    words.calc(text, graph, route)
    stock.calc(text, stock.get_DAG(text), expected_route)
    assert route == expected_route  # the same floating point numbers, not close ones


def test_two_processes_starting_at_once_build_the_dictionaries_once(tmp_path):
    code = "from search import analysis; print(len(analysis._DICTIONARIES.words))"
    env = {**os.environ, "PYTHONPATH": SERVICE_PYTHONPATH, "TMPDIR": str(tmp_path)}
    runs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True) for _ in "ab"]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    assert outputs[0] == outputs[1] == f"{len(analysis._DICTIONARIES.words)}\n"
    (folder,) = [p for p in (tmp_path / "portal-search-dictionaries").iterdir() if p.is_dir()]  # no draft left
    assert sorted(p.name for p in folder.iterdir()) == sorted(dictionaries.FILES)


def test_a_word_list_that_removes_words_is_refused(tmp_path):
    words = tmp_path / "dictionary.txt"
    words.write_text("# papers\n身份证\n暂住证 0\n", encoding="utf-8")
    with pytest.raises(ValueError, match="frequency of 0"):
        dictionaries.project_words(words)
