"""Chinese names with no introducer, title or relation: found before a
possessive of an account thing or a verb a person does; ordinary words that
start with a surname character are left alone."""

from __future__ import annotations

import pytest

from guardrail.pii import Analyzer, PiiPolicy
from guardrail.pii.detection import select
from guardrail.pii.recognizers.zh.names import plausible_name
from guardrail.pii.routing import analyze_routed, route

POLICY = PiiPolicy.default()


def _found(analyzer: Analyzer, text: str) -> list[tuple[str, str]]:
    routes = [route(text, POLICY.languages, analyzer.languages)]
    (raw,) = analyze_routed(analyzer, [text], routes)
    return [(d.entity, text[d.start : d.end]) for d in select(text, raw, POLICY)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # Possessive of an account thing (的 / Cantonese 嘅).
        ("帮我查下何雪梅的会员积分", "何雪梅"),
        ("查王伟的订单", "王伟"),
        ("王小明的名字写错了", "王小明"),
        ("請問林志明的訂單取消了嗎", "林志明"),
        ("张家豪嘅訂單到咗未", "张家豪"),
        ("欧阳娜娜的快递到哪了", "欧阳娜娜"),
        ("帮忙查一下刘洋的电话", "刘洋"),
        # A verb a person does.
        ("王伟说快递丢了", "王伟"),
        ("李娜签收了，但是盒子是空的", "李娜"),
        ("刘洋下的单，收件人写错了", "刘洋"),
        ("陳美玲打電話來說要退貨", "陳美玲"),
        ("老师王芳说明天到", "王芳"),
        # "给 X 打电话" (a relation cue, before the verb).
        ("麻烦给王伟打个电话", "王伟"),
    ],
)
def test_cue_free_names(analyzer: Analyzer, text: str, name: str) -> None:
    assert ("PERSON", name) in _found(analyzer, text)


@pytest.mark.parametrize(
    "text",
    [
        # Ordinary sentences with surname-initial words.
        "黄金会员有什么权益？",
        "黄金的价格涨了吗",
        "高速公路上堵车了，快递说晚点到",
        "高速的快递什么时候到",
        "马上说一下退款的事",
        "周末的订单什么时候发货",
        "钟表的订单能退吗",
        "白色的快递盒子破了",
        "金额的问题谁来说明",
        "王者荣耀的账号被盗了",
        "张开说明书一看就明白了",
        "江湖救急，明天说好的货呢",
        "高兴得太早了",
        # Shops, brands, places and people's roles before a cue.
        "门店的电话是多少",
        "苏宁的订单还没到",
        "申通的快递丢了",
        "商家说不能退",
        "师傅说明天上门",
        "司机的电话打不通",
        "支付宝的账号登不上",
        "银行的电话一直占线",
        "杭州的地址能送吗",
        "海淀的地址写错了",
        "余额的问题怎么处理",
        "毛衣的订单退款了吗",
        "杨梅的快递坏了",
    ],
)
def test_ordinary_words_are_not_names(analyzer: Analyzer, text: str) -> None:
    assert [f for f in _found(analyzer, text) if f[0] == "PERSON"] == []


@pytest.mark.parametrize(
    ("value", "plausible"),
    [
        ("何雪梅", True),
        ("王伟", True),
        ("欧阳娜娜", True),
        ("张家豪", True),
        ("王者", False),  # a word
        ("高兴", False),
        ("张开", False),
        ("江湖", False),
        ("门店", False),  # 店 ends words, not given names
        ("杭州", False),
        ("王", False),  # no given name
        ("王小明明", False),  # given name too long
    ],
)
def test_plausible_name(value: str, plausible: bool) -> None:
    assert plausible_name(value) is plausible


def test_a_cued_name_is_not_a_cue_free_word(analyzer: Analyzer) -> None:
    # 苏宁 is a shop before 的订单 but a person signing a message.
    assert ("PERSON", "苏宁") in _found(analyzer, "谢谢你的帮助！\n苏宁")
