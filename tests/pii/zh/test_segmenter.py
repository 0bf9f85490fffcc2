"""Names with no cue at all, from jieba's tags (`recognizers/zh/segmenter.py`):
found in Simplified and Traditional text, ordinary words that start with a
surname character left alone, and jieba kept offline and quiet."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import tempfile
import textwrap

import pytest

from guardrail.pii import Analyzer, PiiPolicy
from guardrail.pii.detection import select
from guardrail.pii.recognizers.zh import segmenter
from guardrail.pii.recognizers.zh.names import ChineseNameRecognizer
from guardrail.pii.routing import analyze_routed, route

POLICY = PiiPolicy.default()


def _found(analyzer: Analyzer, text: str) -> list[tuple[str, str]]:
    routes = [route(text, POLICY.languages, analyzer.languages)]
    (raw,) = analyze_routed(analyzer, [text], routes)
    return [(d.entity, text[d.start : d.end]) for d in select(text, raw, POLICY)]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # No introducer, title, relation, possessive or verb cue.
        ("应该是刘秀云，不是张洋", ["刘秀云", "张洋"]),
        ("孙林是我同事，他也买了", ["孙林"]),
        ("王伟昨天打电话来问过", ["王伟"]),
        ("这次是欧阳娜娜帮忙收的", ["欧阳娜娜"]),
        ("表格上写着赵建国和钱小红", ["赵建国", "钱小红"]),
        ("麻烦转给周志强处理一下", ["周志强"]),
        ("上次来的是何丽华吧？", ["何丽华"]),
        # Names jieba cuts apart or reads only with its HMM.
        ("昨天田丹丹来电投诉了", ["田丹丹"]),
        ("店员张秀霞态度很差", ["张秀霞"]),
    ],
)
def test_names_without_cue(analyzer: Analyzer, text: str, names: list[str]) -> None:
    found = _found(analyzer, text)
    for name in names:
        assert ("PERSON", name) in found


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # Traditional (Taiwan, Hong Kong): converted to Simplified for jieba,
        # spans mapped back onto the original characters.
        ("應該是劉秀雲，不是張洋", ["劉秀雲", "張洋"]),
        ("店員張秀霞態度很差，我要客訴。", ["張秀霞"]),
        ("林美英昨天打電話來說要退貨", ["林美英"]),
        ("我係陳美玲，想查下張單。", ["陳美玲"]),
        ("聯絡電話：9123 4567，搵陳生就得。", ["陳"]),
    ],
)
def test_traditional(analyzer: Analyzer, text: str, names: list[str]) -> None:
    found = _found(analyzer, text)
    for name in names:
        assert ("PERSON", name) in found


@pytest.mark.parametrize(
    "text",
    [
        "黄金会员和白金会员有什么区别？",
        "马上就到周末了，能加急吗？",
        "高速上堵车，快递员说要晚点到",
        "钟表类商品支持七天无理由退货吗？",
        "方便的话明天上午送货，江湖救急！",
        "常规快递和加急快递差多少钱？",
        "高兴得太早了，用了三天就坏了。",
        "我是高三学生，周末能送到吗",
        "请问你们在高雄有门店吗？",
        "苏宁的订单还没到",
        "张信用卡俾人盜用咗，快啲幫我停咗佢。",
        "石家庄的仓库什么时候发货？",
        "白天没人在家，晚上再送吧",
        "杨梅和黄桃罐头还有货吗",
        "安全起见，请不要透露验证码",
        "关于发票的问题，我想问一下",
        "许多用户反映了这个问题",
        "万一丢了怎么办？",
        "周一到周五都可以送货",
        "華為手機的保固是多久？",
        "請問高鐵站附近有門市嗎？",
        "這件衣服的顏色跟圖片差很多",
        "生活用品满一百包邮吗",
        "海南的快递要几天？",
        "金额不对，多扣了十块钱",
        "程序员节有活动吗？",
        "叶子形状的耳环还有吗？",
    ],
)
def test_ordinary_text_untouched(analyzer: Analyzer, text: str) -> None:
    assert _found(analyzer, text) == []


def test_rules_only_variant_misses_what_jieba_finds() -> None:
    text = "应该是刘秀云，不是张洋"
    rules = ChineseNameRecognizer(segmenter=False)
    both = ChineseNameRecognizer()
    assert [text[c.start : c.end] for c in rules.candidates(text)] == []
    assert sorted(text[c.start : c.end] for c in both.candidates(text)) == ["刘秀云", "张洋"]


def test_offsets_follow_the_original_text() -> None:
    text = "訂單 #123，應該是劉秀雲，不是張洋 ok"
    spans = segmenter.name_spans(text)
    assert [text[a:b] for a, b in spans] == ["劉秀雲", "張洋"]


class _NetworkUsed(Exception):
    pass


def _refuse(*args, **kwargs):
    raise _NetworkUsed("network access attempted")


def test_jieba_offline_no_cache_file_and_quiet(tmp_path) -> None:
    """A fresh interpreter builds jieba's tagger and tags names with sockets
    blocked, writes no cache file into the temp directory and logs nothing."""
    script = textwrap.dedent(
        """
        import socket, sys
        def refuse(*a, **k):
            raise RuntimeError("network access attempted")
        for name in ("getaddrinfo", "create_connection", "gethostbyname"):
            setattr(socket, name, refuse)
        socket.socket.connect = refuse
        socket.socket.connect_ex = refuse
        from guardrail.pii.recognizers.zh import segmenter
        text = "应该是刘秀云，不是张洋"
        print([text[a:b] for a, b in segmenter.name_spans(text)])
        """
    )
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['刘秀云', '张洋']"
    assert done.stderr == ""  # jieba's "Building prefix dict ..." is silenced
    assert list(tmp_path.iterdir()) == []  # no jieba.cache written
    assert tempfile.gettempdir()  # (the parent's own temp dir is untouched too)


def test_analyzer_finds_cue_free_names_with_sockets_blocked(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("getaddrinfo", "create_connection", "gethostbyname"):
        monkeypatch.setattr(socket, name, _refuse)
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
    analyzer = Analyzer(cache_size=8)
    text = "应该是刘秀云，不是张洋，电话13812345678"
    (raw,) = analyzer.analyze([text], "zh")
    found = {(d.entity, text[d.start : d.end]) for d in select(text, raw, POLICY)}
    assert {("PERSON", "刘秀云"), ("PERSON", "张洋")} <= found
    assert logging.getLogger("jieba").level >= logging.WARNING
