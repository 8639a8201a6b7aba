"""The synonym file: reviewed on load, applied to queries, reloaded while serving."""

import logging
import os

import pytest

from search import synonyms
from search.synonyms import SynonymFile, SynonymFileError, parse

GOOD = """
- why: 网约车 is the everyday name of the legal term
  same: [网约车, 网络预约出租汽车]
- why: residents say 过户 for a transfer registration
  say: [过户]
  means: [转移登记]
"""


def test_the_shipped_file_passes_review():
    assert synonyms.load(synonyms.DEFAULT_FILE).rules


def test_groups_expand_both_ways_and_one_way_rules_only_forward():
    dictionary = parse(GOOD)
    assert dictionary.expand("网约车驾驶员") == ["网络预约出租汽车驾驶员"]
    assert dictionary.expand("网络预约出租汽车") == ["网约车"]
    assert dictionary.expand("房子过户") == ["房子转移登记"]
    assert dictionary.expand("转移登记") == []


def test_several_terms_are_replaced_alone_and_together():
    dictionary = parse(GOOD)
    assert set(dictionary.expand("网约车过户")) == {
        "网络预约出租汽车过户",
        "网约车转移登记",
        "网络预约出租汽车转移登记",
    }


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("- same: [网约车, 网络预约出租汽车]", "why"),
        ("- why: too short words\n  same: [车, 汽车]", "single character"),
        ("- why: a word that is everywhere\n  say: [办事]\n  means: [办理]", "too broad"),
        ("- why: first group here\n  same: [驾照, 驾驶证]\n- why: second group here\n  same: [驾照, 车本]", "group 1"),
        ("- why: only one word here\n  same: [驾照]", "at least two"),
        ("- why: a rule without meaning\n  say: [驾照]", "both `say` and `means`"),
        ("- why: mixed shapes here\n  same: [驾照, 驾驶证]\n  say: [车本]\n  means: [驾驶证]", "either"),
        ("- why: an unknown key here\n  same: [驾照, 驾驶证]\n  also: [车本]", "also"),
        ("[unclosed", "YAML"),
        ("just: a mapping", "list"),
    ],
)
def test_a_bad_file_is_refused_with_the_reason(text, problem):
    with pytest.raises(SynonymFileError, match=problem):
        parse(text)


def test_a_changed_file_is_used_without_restart_and_a_bad_one_is_refused(tmp_path, caplog):
    path = tmp_path / "synonyms.yml"
    path.write_text(GOOD, encoding="utf-8")
    live = SynonymFile(path, check_every=0)
    assert live.current().expand("跑滴滴") == []

    path.write_text(GOOD + "- why: drivers name the platform\n  say: [跑滴滴]\n  means: [网约车]\n", encoding="utf-8")
    _touch_later(path)
    assert live.current().expand("跑滴滴") == ["网约车"]

    path.write_text("- same: [跑滴滴, 车]\n", encoding="utf-8")
    _touch_later(path)
    with caplog.at_level(logging.ERROR):
        assert live.current().expand("跑滴滴") == ["网约车"]  # the last good dictionary stays
    assert "refused" in caplog.text


def test_a_bad_file_at_start_is_fatal(tmp_path):
    path = tmp_path / "synonyms.yml"
    path.write_text("- why: single char\n  same: [车, 汽车]\n", encoding="utf-8")
    with pytest.raises(SynonymFileError):
        SynonymFile(path)


def _touch_later(path):
    """Move the modification time on, as a new deploy of the file would (file systems keep coarse times)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
