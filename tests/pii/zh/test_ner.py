"""Chinese names, places and whole addresses from Baidu LAC (`recognizers/zh/ner.py`):
names with no cue, in Simplified and Traditional text; addresses found whole
(mainland 栋/单元/室, Taiwan 段/巷/弄/號/樓, Hong Kong 道/號/大廈/樓/室, letter
blocks); brands, places and ordinary words left alone; the model offline."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap

import pytest

from guardrail.pii import Analyzer, PiiPolicy
from guardrail.pii.detection import select
from guardrail.pii.recognizers.zh.address_parser import addresses
from guardrail.pii.recognizers.zh.ner import ChineseNerRecognizer
from guardrail.pii.recognizers.zh.tagger import LacTagger
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
        # Names whose given name is also a word.
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
        # Traditional (Taiwan, Hong Kong), spans on the original characters.
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


@pytest.fixture(scope="module")
def tagger() -> LacTagger:
    return LacTagger()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # Mainland: province to room, with building, unit and room.
        (
            "麻烦寄到浙江省杭州市西湖区文三路街道学院路社区12幢3单元402室，谢谢",
            "浙江省杭州市西湖区文三路街道学院路社区12幢3单元402室",
        ),
        (
            "我住在广东省深圳市南山区科技园南路88号阳光花园3栋2单元501室，快递一直没到",
            "广东省深圳市南山区科技园南路88号阳光花园3栋2单元501室",
        ),
        # A letter block and a postcode after a space.
        ("新地址是江苏省苏州市姑苏区凤凰街Q座 215000，电话不变", "江苏省苏州市姑苏区凤凰街Q座 215000"),
        ("送到北京市朝阳区建国路88号SOHO现代城A座1508就行", "北京市朝阳区建国路88号SOHO现代城A座1508"),
        # Taiwan: postcode first, 段/巷/弄/號/樓, 之N.
        (
            "請寄到10491 臺北市中山區南京東路二段100巷5弄3號4樓，謝謝",
            "10491 臺北市中山區南京東路二段100巷5弄3號4樓",
        ),
        ("地址是83272 樹林市自強街41號之3。", "83272 樹林市自強街41號之3"),
        # Hong Kong: district, road 道, number, building, floor and room.
        (
            "送貨地址係香港九龍旺角彌敦道688號旺角中心1期12樓1203室，唔該。",
            "香港九龍旺角彌敦道688號旺角中心1期12樓1203室",
        ),
        ("送去新界沙田安群街3號京瑞廣場19樓G室，李先生收", "新界沙田安群街3號京瑞廣場19樓G室"),
        # A building, campus or office name between the number and the floor.
        (
            "公司地址深圳市福田区深南大道6008号特区报业大厦21楼，前台签收",
            "深圳市福田区深南大道6008号特区报业大厦21楼",
        ),
        (
            "寄到长沙市岳麓区麓山南路932号中南大学本部学生公寓7栋415，谢谢",
            "长沙市岳麓区麓山南路932号中南大学本部学生公寓7栋415",
        ),
        (
            "地址：成都市锦江区红星路三段1号附2号IFS国际金融中心",
            "成都市锦江区红星路三段1号附2号IFS国际金融中心",
        ),
        # Parts set apart by spaces, commas or a line break.
        (
            "收货地址：北京市 海淀区 学院路街道 成府路205号 2单元 301室，收件人",
            "北京市 海淀区 学院路街道 成府路205号 2单元 301室",
        ),
        ("邮寄到浙江省宁波市,鄞州区,天童南路588号,谢谢", "浙江省宁波市,鄞州区,天童南路588号"),
        ("地址：\n臺中市西屯區臺灣大道三段\n99號12樓之3\n收件人", "臺中市西屯區臺灣大道三段\n99號12樓之3"),
        # Hong Kong: a road's direction before its number, an ordinal block, a flat letter.
        ("寄去香港灣仔軒尼詩道東128號信和大廈第一座9樓D室", "香港灣仔軒尼詩道東128號信和大廈第一座9樓D室"),
        # Rural: down to the village, no street number.
        ("寄到四川省凉山彝族自治州昭觉县竹核乡大坝村，谢谢", "四川省凉山彝族自治州昭觉县竹核乡大坝村"),
    ],
)
def test_addresses_are_found_whole(analyzer: Analyzer, text: str, value: str) -> None:
    assert ("STREET_ADDRESS", value) in _found(analyzer, text)


@pytest.mark.parametrize(
    "text",
    [
        "请问你们在杭州有门店吗？周末几点关门？",
        "坐地铁3号线到人民广场站下车。",
        "香港的門市幾點關門？",
        "我在上海的万达广场，附近有门店吗？",
        "可以在广州天河路旗舰店换货吗？",
        "我在杭州，29号之前能送到吗？",  # a date after the city, no street
    ],
)
def test_places_alone_are_not_street_addresses(analyzer: Analyzer, text: str) -> None:
    assert _found(analyzer, text) == []


def test_places_are_locations_for_a_policy_that_asks(analyzer: Analyzer) -> None:
    text = "请问你们在杭州有门店吗？"
    policy = PiiPolicy(entities=["LOCATION"])
    (raw,) = analyzer.analyze([text], "zh")
    assert [text[d.start : d.end] for d in select(text, raw, policy)] == ["杭州"]


@pytest.mark.parametrize(
    "text",
    [
        "周大福的首饰支持以旧换新吗？",
        "华为手机和小米手机哪个好？",
        "王府井那家店还开着吗？",
        "金龙鱼的油有现货吗？",
        "苏宁的订单还没到",
    ],
)
def test_brands_and_shops_are_not_names(analyzer: Analyzer, text: str) -> None:
    assert [f for f in _found(analyzer, text) if f[0] == "PERSON"] == []


def test_titles_stay_outside_the_name(analyzer: Analyzer) -> None:
    found = _found(analyzer, "收件人王先生，寄件人陳美玲小姐")
    assert ("PERSON", "王") in found
    assert ("PERSON", "陳美玲") in found


def test_offsets_follow_the_original_text(tagger: LacTagger) -> None:
    text = "訂單 #123，應該是劉秀雲，不是張洋 ok，电话13812345678，寄到台北市大安區忠孝東路四段216巷27弄5號"
    recognizer = ChineseNerRecognizer(tagger)
    found = {(r.entity_type, text[r.start : r.end]) for r in recognizer.analyze(text, [])}
    assert {("PERSON", "劉秀雲"), ("PERSON", "張洋")} <= found
    assert ("STREET_ADDRESS", "台北市大安區忠孝東路四段216巷27弄5號") in found
    tagging = tagger.tag(text)
    assert [w.start for w in tagging.words] == sorted(w.start for w in tagging.words)
    assert tagging.words[-1].end == len(text)
    assert all(0.0 <= w.confidence <= 1.0 for w in tagging.words)


def test_address_parser_starts_at_the_first_place(tagger: LacTagger) -> None:
    text = "我要改地址，新地址是上海市浦东新区张江镇科苑路399号"
    spans = [(a.entity, text[a.start : a.end]) for a in addresses(text, tagger.tag(text).words)]
    assert spans == [("STREET_ADDRESS", "上海市浦东新区张江镇科苑路399号")]


def test_empty_and_latin_only_text(tagger: LacTagger) -> None:
    assert tagger.tag("").words == []
    assert ChineseNerRecognizer(tagger).analyze("   ", []) == []


def test_model_loads_offline_and_quietly() -> None:
    """A fresh interpreter builds the tagger and tags names with sockets blocked
    and writes nothing to stderr."""
    script = textwrap.dedent(
        """
        import socket
        def refuse(*a, **k):
            raise RuntimeError("network access attempted")
        for name in ("getaddrinfo", "create_connection", "gethostbyname"):
            setattr(socket, name, refuse)
        socket.socket.connect = refuse
        socket.socket.connect_ex = refuse
        from guardrail.pii.recognizers.zh.ner import ChineseNerRecognizer
        text = "应该是刘秀云，不是张洋"
        print(sorted(text[r.start : r.end] for r in ChineseNerRecognizer().analyze(text, ["PERSON"])))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['刘秀云', '张洋']"
    assert done.stderr == ""


class _NetworkUsed(Exception):
    pass


def _refuse(*args, **kwargs):
    raise _NetworkUsed("network access attempted")


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


@pytest.mark.parametrize(
    "text",
    [
        "You said: 你好，我叫王小明",  # an echoed answer: "You" is no person
        "OK 谢谢 Please call me",
        "我买的Nike鞋码数不对",
        "这个iPhone手机壳有货吗",
    ],
)
def test_latin_words_in_chinese_text_are_not_names(analyzer: Analyzer, text: str) -> None:
    names = [value for entity, value in _found(analyzer, text) if entity == "PERSON"]
    assert names in ([], ["王小明"])
