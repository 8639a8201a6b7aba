"""The word lists behind search.analysis, held as static tries (marisa-trie) instead of Python objects.

Why: jieba keeps its dictionary as a dict of ~500,000 str → int (every word and every prefix of every word), about
74 MB resident in each process; pypinyin reads its 47,000 phrases into lists of lists of strings (32 MB) and trains
a prefix set on them (6 MB). As tries the same words take about 4 MB, mapped from files that the search and indexer
processes share.

The tries are built by jieba and pypinyin themselves (jieba's add_word decides the project words' frequencies), once
for each content of the word lists, in a child process (~3 s, ~180 MB at its peak): building them in the service
process would leave tens of MB of temporary objects behind as resident memory. They live in
`<temporary directory>/portal-search-dictionaries/<key>/` (TMPDIR; /tmp, a writable volume, in the images), where
the key is a hash of the lists, the project's word list included, and the libraries' versions. A lock file beside
the folder makes a process that starts while another builds wait for that build; the child writes a folder of its
own and renames it into place, so a build cut short leaves nothing half-written under the key.

Two loops of the libraries are redone over the tries: jieba's get_DAG and pypinyin's maximum-match segmentation.
tests/test_dictionaries.py proves the tokens are those of the unchanged libraries.
"""

import fcntl
import hashlib
import json
import mmap
import os
import shutil
import subprocess
import sys
import tempfile
from array import array
from dataclasses import dataclass
from importlib.metadata import version
from math import log
from pathlib import Path

import jieba
import marisa_trie
import pypinyin
from pypinyin.constants import RE_HANS
from pypinyin.converter import UltimateConverter
from pypinyin.core import Pinyin
from pypinyin.seg.simpleseg import simple_seg

FORMAT = 1  # bump when build() changes what it writes
CACHE = Path(tempfile.gettempdir()) / "portal-search-dictionaries"
FILES = ("words.trie", "words.freq", "phrases.trie", "readings.trie", "meta.json")
PACKAGE_ROOT = Path(__file__).resolve().parents[1]
SOURCES = (Path(jieba.__file__).with_name("dict.txt"), Path(pypinyin.__file__).with_name("phrases_dict.json"))


class DictionaryBuildError(RuntimeError):
    pass


def project_words(path: Path) -> list[tuple[str, int | None]]:
    """The project's word list: one word a line, optionally with a frequency; `#` starts a comment."""
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word, *frequency = line.split("#")[0].split()[:2] or [""]
        if word:
            words.append((word, int(frequency[0]) if frequency else None))
    if any(frequency == 0 for _, frequency in words):  # jieba's del_word: it changes more than the frequencies
        raise ValueError(f"{path}: a frequency of 0 removes a word; leave the word out instead")
    return words


class WordFrequencies(marisa_trie.Trie):
    """jieba's FREQ (word → frequency, every prefix of a word at 0) as a trie and an array by key id."""

    @classmethod
    def open(cls, folder: Path, total: int) -> "WordFrequencies":
        words = cls()
        words.mmap(str(folder / "words.trie"))
        words.total = total
        with open(folder / "words.freq", "rb") as file:
            words._frequencies = memoryview(mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)).cast("I")
        return words

    def __getitem__(self, word: str) -> int:
        return self._frequencies[super().__getitem__(word)]

    def get(self, word: str, default: int | None = None) -> int | None:
        key = super().get(word)
        return default if key is None else self._frequencies[key]

    def dag(self, sentence: str) -> "WordGraph":
        """jieba's get_DAG: where each word that starts at a position ends (the position itself when none). jieba
        walks the prefixes one dict lookup at a time; the trie finds them in one call."""
        graph = WordGraph()
        prefixes, frequencies, weights = self.iter_prefixes_with_ids, self._frequencies, graph.weights
        for start in range(len(sentence)):
            found = [
                (start + len(word) - 1, frequency)
                for word, key in prefixes(sentence[start:])
                if (frequency := frequencies[key])
            ]
            weights[start] = found or [(start, 1)]  # calc's `FREQ.get(...) or 1` for a character alone
            graph[start] = [end for end, _ in found] or [start]
        return graph

    def calc(self, sentence: str, graph: "WordGraph", route: dict) -> None:
        """jieba's calc (the likeliest path, from the end) with the frequencies the graph carries, the same floating
        point operations in the same order: each word looked up again was a third of the segmentation's time."""
        route[len(sentence)] = (0, 0)
        log_total = log(self.total)
        for start in range(len(sentence) - 1, -1, -1):
            edges = graph.weights[start]
            route[start] = max((log(weight) - log_total + route[end + 1][0], end) for end, weight in edges)


class WordGraph(dict):
    """jieba's DAG (start → ends of the words that start there), with each word's weight for calc."""

    def __init__(self) -> None:
        super().__init__()
        self.weights: dict[int, list[tuple[int, int]]] = {}


@dataclass(frozen=True)
class Dictionaries:
    words: WordFrequencies
    phrases: marisa_trie.Trie  # for segmentation: finding prefixes is four times faster than in `readings`
    readings: marisa_trie.BytesTrie  # phrase → its syllables, space-separated, a character's readings by commas

    def segment_with(self, tokenizer: jieba.Tokenizer) -> None:
        """Make `tokenizer` (jieba.dt: analysis calls jieba's functions) read these words; jieba then never loads
        its own dictionary. Its add_word is not available: the project's words are in the tries already."""
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = self.words, self.words.total, True
        tokenizer.get_DAG, tokenizer.calc = self.words.dag, self.words.calc


class PhraseConverter(UltimateConverter):
    """pypinyin's converter (what lazy_pinyin uses), reading phrases from the trie instead of PHRASES_DICT."""

    def __init__(self, readings: marisa_trie.BytesTrie, **kwargs) -> None:
        super().__init__(**kwargs)
        self._readings = readings

    def _phrase_pinyin(self, phrase, style, heteronym, errors, strict):
        if phrase not in self._readings:  # character by character, as pypinyin does
            return super()._phrase_pinyin(phrase, style, heteronym, errors, strict)
        return [readings.split(",") for readings in self._readings[phrase][0].decode().split(" ")]


class PhrasePinyin(Pinyin):
    """pypinyin's Pinyin with its default segmentation (Chinese and other runs apart, then the longest known
    phrase first), over the trie."""

    def __init__(self, converter: PhraseConverter, phrases: marisa_trie.Trie) -> None:
        super().__init__(converter)
        self._phrases = phrases

    def get_seg(self, **kwargs):
        return self._segment

    def _segment(self, hans: str) -> list[str]:
        return [part for run in simple_seg(hans) for part in (self._phrases_in(run) if RE_HANS.match(run) else [run])]

    def _phrases_in(self, text: str) -> list[str]:
        """pypinyin.seg.mmseg's strict cut: the longest phrase that begins the text; else one character, or every
        character when the rest of the text begins some phrase without being one."""
        parts = []
        while text:
            if found := self._phrases.prefixes(text):  # shortest first
                parts.append(found[-1])
                text = text[len(parts[-1]) :]
            elif next(self._phrases.iterkeys(text), None) is not None:
                return parts + list(text)
            else:
                parts.append(text[0])
                text = text[1:]
        return parts


def load(project_file: Path) -> Dictionaries:
    """The dictionaries for jieba's and pypinyin's word lists plus `project_file`, built first if need be."""
    key = _key(project_file)
    folder = CACHE / key
    if not _complete(folder):
        CACHE.mkdir(parents=True, exist_ok=True)
        with open(CACHE / f"{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or the process dies
            if not _complete(folder):
                _build_in_child(folder, project_file)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    phrases = marisa_trie.Trie().mmap(str(folder / "phrases.trie"))
    readings = marisa_trie.BytesTrie().mmap(str(folder / "readings.trie"))
    return Dictionaries(WordFrequencies.open(folder, meta["total"]), phrases, readings)


def _key(project_file: Path) -> str:
    digest = hashlib.sha256(f"{FORMAT} {[version(p) for p in ('jieba', 'pypinyin', 'marisa-trie')]}".encode())
    for source in (*SOURCES, project_file):
        with source.open("rb") as file:
            digest.update(hashlib.file_digest(file, "sha256").digest())
    return digest.hexdigest()[:24]


def _complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in FILES)


def _build_in_child(folder: Path, project_file: Path) -> None:
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(PACKAGE_ROOT), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "search.dictionaries", str(folder), str(project_file)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise DictionaryBuildError(f"building the search dictionaries into {folder} failed:\n{done.stderr[-3000:]}")


def build(folder: Path, project_file: Path) -> None:
    """Write the tries into `folder` (under the caller's lock), through a draft folder renamed into place."""
    draft = folder.with_name(f"{folder.name}.{os.getpid()}.draft")
    shutil.rmtree(draft, ignore_errors=True)
    draft.mkdir(parents=True)
    total = _write_words(draft, project_file)
    _write_phrases(draft)
    (draft / "meta.json").write_text(json.dumps({"total": total}), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)  # what a temporary-files cleaner left of an old one
    draft.rename(folder)


def _write_words(folder: Path, project_file: Path) -> int:
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
    tokenizer.initialized = True  # without writing jieba's own cache file
    for word, frequency in project_words(project_file):
        tokenizer.add_word(word, frequency)
    trie = marisa_trie.Trie(tokenizer.FREQ)
    frequencies = array("I", bytes(4 * len(trie)))
    for word, key in trie.iteritems():
        frequencies[key] = tokenizer.FREQ[word]
    trie.save(str(folder / "words.trie"))
    (folder / "words.freq").write_bytes(frequencies.tobytes())
    return tokenizer.total


def _write_phrases(folder: Path) -> None:
    from pypinyin import phrases_dict  # reads the phrases whatever PYPINYIN_NO_PHRASES says

    def encoded(readings: list[list[str]]) -> bytes:
        if any(not r or " " in r or "," in r for alternatives in readings for r in alternatives):
            raise DictionaryBuildError(f"a reading pypinyin's phrases cannot be stored: {readings}")
        return " ".join(",".join(alternatives) for alternatives in readings).encode()

    phrases = phrases_dict.phrases_dict
    marisa_trie.Trie(phrases).save(str(folder / "phrases.trie"))
    marisa_trie.BytesTrie((phrase, encoded(r)) for phrase, r in phrases.items()).save(str(folder / "readings.trie"))


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(sys.argv[2]))
