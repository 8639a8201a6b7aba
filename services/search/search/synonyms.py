"""The synonym dictionary: a reviewed data file (synonyms.yml) applied to queries, reloaded while serving.

Synonyms expand the query, not the documents, so a changed file takes effect at the next search without a
reindex. Aliases recorded on catalog items are indexed with the item and need no entry here.

The loader refuses what would make search worse: a group without a reason, a single character (it would expand
inside every word), a word from BROAD_WORDS (it would drag half the catalog into every result), a term that
belongs to two groups (which one would it mean?).
"""

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from search import analysis

log = logging.getLogger(__name__)
DEFAULT_FILE = Path(__file__).with_name("synonyms.yml")
# Words every second service name contains: as a synonym they would match everything.
BROAD_WORDS = frozenset(
    "办理 办事 服务 申请 登记 证明 证件 手续 材料 政府 部门 中心 查询 业务 窗口 审批 许可 备案 管理 投诉 咨询".split()
)
MAX_ALTERNATIVES = 6  # rewritten queries per search, whatever the file says


class SynonymFileError(ValueError):
    """The file cannot be used; the message names the entry and the reason."""


class Group(BaseModel):
    """`same`: words that mean one thing, each expands to the others. `say` → `means`: residents' words that
    expand to the official ones, not back."""

    model_config = ConfigDict(extra="forbid")

    why: str = Field(min_length=4)
    same: list[str] = []
    say: list[str] = []
    means: list[str] = []

    @model_validator(mode="after")
    def _one_shape(self) -> "Group":
        if self.same and (self.say or self.means):
            raise ValueError("use either `same` or `say`/`means`, not both")
        if self.same and len(self.same) < 2:
            raise ValueError("`same` needs at least two words")
        if not self.same and not (self.say and self.means):
            raise ValueError("needs `same`, or both `say` and `means`")
        return self

    def rules(self) -> dict[str, list[str]]:
        """Each term a resident may type → what it also means."""
        if self.same:
            return {term: [other for other in self.same if other != term] for term in self.same}
        return {term: list(self.means) for term in self.say}


@dataclass(frozen=True)
class Synonyms:
    rules: dict[str, list[str]]  # normalized term → normalized alternatives

    def matches(self, query: str) -> list[tuple[str, list[str]]]:
        """The dictionary terms in the query, longest first (没钱请律师 wins over 律师), with what each means."""
        found: list[tuple[str, list[str]]] = []
        taken: list[range] = []
        for term in sorted(self.rules, key=len, reverse=True):
            start = query.find(term)
            if start < 0 or any(start in span or start + len(term) - 1 in span for span in taken):
                continue
            taken.append(range(start, start + len(term)))
            found.append((term, [other for other in self.rules[term] if other not in query]))
        return found

    def expand(self, query: str, matches: list[tuple[str, list[str]]] | None = None) -> list[str]:
        """The query rewritten with its dictionary terms (`matches`, when already found) replaced by what they mean,
        alone and together."""
        variants = [query]
        for term, meanings in self.matches(query) if matches is None else matches:
            variants += [variant.replace(term, other, 1) for variant in variants for other in meanings]
        return variants[1 : MAX_ALTERNATIVES + 1]


def parse(text: str, source: str = "synonyms") -> Synonyms:
    try:
        entries = yaml.safe_load(text) or []
    except yaml.YAMLError as error:
        raise SynonymFileError(f"{source}: not valid YAML: {error}") from error
    if not isinstance(entries, list):
        raise SynonymFileError(f"{source}: expected a list of groups")
    rules: dict[str, list[str]] = {}
    owner: dict[str, int] = {}
    for number, entry in enumerate(entries, 1):
        where = f"{source}: group {number}"
        try:
            group = Group.model_validate(entry)
        except ValidationError as error:
            raise SynonymFileError(f"{where}: {_first_problem(error)}") from error
        for term, others in group.rules().items():
            term = _checked(term, where)
            if term in owner:
                raise SynonymFileError(f"{where}: “{term}” is already in group {owner[term]}")
            owner[term] = number
            rules[term] = [_checked(other, where) for other in others]
    return Synonyms(rules)


def _checked(word: str, where: str) -> str:
    term = analysis.normalize(word).replace(" ", "")
    if len(term) < 2:
        raise SynonymFileError(f"{where}: “{word}” is a single character; it would expand inside every word")
    if term in BROAD_WORDS:
        raise SynonymFileError(f"{where}: “{word}” is too broad; it would match most services")
    return term


def _first_problem(error: ValidationError) -> str:
    problem = error.errors()[0]
    place = ".".join(str(part) for part in problem["loc"])
    return f"{place}: {problem['msg']}" if place else problem["msg"]


def load(path: Path) -> Synonyms:
    return parse(path.read_text(encoding="utf-8"), source=path.name)


class SynonymFile:
    """The dictionary as the file says now. A changed file is read again at most every `check_every` seconds; a
    file that fails review is refused loudly and the last good dictionary stays in use."""

    def __init__(self, path: Path, check_every: float = 2.0):
        self._path = path
        self._check_every = check_every
        self._stamp = self._read_stamp()
        self._current = load(path)  # at start a bad file is fatal: never serve without the reviewed dictionary
        self._checked_at = time.monotonic()

    def current(self) -> Synonyms:
        now = time.monotonic()
        if now - self._checked_at >= self._check_every:
            self._checked_at = now
            stamp = self._read_stamp()
            if stamp != self._stamp:
                self._stamp = stamp
                self._reload()
        return self._current

    def _reload(self) -> None:
        try:
            self._current = load(self._path)
            log.info("synonyms reloaded from %s: %d terms", self._path, len(self._current.rules))
        except (OSError, SynonymFileError) as error:
            log.error("synonyms file refused, keeping the previous dictionary: %s", error)

    def _read_stamp(self) -> tuple[int, int] | None:
        try:
            stat = self._path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size
