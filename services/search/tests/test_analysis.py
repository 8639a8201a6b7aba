"""Chinese analysis in Python: what residents type is folded to what the catalog says."""

import jieba
from pypinyin import lazy_pinyin

from search import analysis


def test_traditional_and_full_width_fold_to_simplified():
    assert analysis.normalize("機動車駕駛證　補辦") == "机动车驾驶证 补办"
    assert analysis.normalize("ＧＪＪ") == "gjj"


def test_a_homophone_slip_has_the_same_pinyin_pairs():
    assert analysis.pinyin_pairs("驾驶正补领") == analysis.pinyin_pairs("驾驶证补领")


def test_words_come_in_full_pinyin_and_initials():
    tokens = analysis.pinyin_words("住房公积金提取")
    assert {"gongjijin", "gjj", "zhufang", "tiqu"} <= set(tokens)


def test_question_words_do_not_drown_the_intent():
    assert analysis.intent("市区有哪些公园") == "市区有 公园"
    assert analysis.intent("办护照需要什么材料") == "办护照"
    assert analysis.intent("怎么办") == "怎么办"  # nothing else left: keep what was typed


def test_latin_letters_are_read_as_pinyin():
    assert analysis.is_pinyin("jia zhao") and not analysis.is_pinyin("驾照")
    assert analysis.typed_pinyin("jia zhao") == ["jiazhao", "jia", "zhao"]


def test_pieces_cached_apart_give_the_tokens_of_the_whole_text():
    # Documents are built from cached clauses and phrases; a resident must find exactly what the libraries produce.
    text = "办理机动车驾驶证（驾照）补领，需携带身份证原件；银行卡挂失在芝罘区行政审批服务局2号窗口，当场办结。"
    whole = [w for w in jieba.cut_for_search(text) if w.strip() and analysis.HAN.search(w)]
    assert analysis.words(text) == analysis.words(text) == whole
    han = "".join(analysis.HAN.findall(text))
    assert analysis.name_pinyin(text) == "".join(s for s in lazy_pinyin(han) if s.isalpha())
    assert analysis.name_pinyin("银行行长") == "yinhanghangzhang"  # phrases read as phrases, not character by character
