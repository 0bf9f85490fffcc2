"""Chinese recognizers through the analyzer and the default policy: what must
be found (glued to Chinese text, Simplified and Traditional, mixed with
English) and what must be left alone."""

from __future__ import annotations

import pytest

from guardrail.pii import Analyzer, PiiPolicy
from guardrail.pii.detection import select
from guardrail.pii.routing import analyze_routed, route

POLICY = PiiPolicy.default()


def _found(analyzer: Analyzer, text: str) -> list[tuple[str, str]]:
    routes = [route(text, POLICY.languages, analyzer.languages)]
    (raw,) = analyze_routed(analyzer, [text], routes)
    return [(d.entity, text[d.start : d.end]) for d in select(text, raw, POLICY)]


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        # Phones: mainland mobile and landline, Taiwan, Hong Kong.
        ("我的手机13800138000有问题", "PHONE_NUMBER", "13800138000"),
        ("电话：138 0013 8000", "PHONE_NUMBER", "138 0013 8000"),
        ("打+86-138-0013-8000找我", "PHONE_NUMBER", "+86-138-0013-8000"),
        ("号码0086 13800138000", "PHONE_NUMBER", "0086 13800138000"),
        ("座机010-62345678", "PHONE_NUMBER", "010-62345678"),
        ("座机(0755)86001234转分机", "PHONE_NUMBER", "(0755)86001234"),
        ("手機0912-345-678", "PHONE_NUMBER", "0912-345-678"),
        ("市話(02)2345-6789", "PHONE_NUMBER", "(02)2345-6789"),
        ("電話+886 2 2345 6789", "PHONE_NUMBER", "+886 2 2345 6789"),
        ("電話+852 9123 4567", "PHONE_NUMBER", "+852 9123 4567"),
        # A trunk-0 area code set off, whether or not phonenumbers knows it.
        ("聯絡電話(05) 12345678，謝謝", "PHONE_NUMBER", "(05) 12345678"),
        ("我的電話是09-18259791", "PHONE_NUMBER", "09-18259791"),
        ("066 61099069", "PHONE_NUMBER", "066 61099069"),
        # Cards, emails, IPs glued to Chinese text.
        ("卡号6222600260001072444谢谢", "CREDIT_CARD", "6222600260001072444"),
        ("银行卡4111 1111 1111 1111被扣款", "CREDIT_CARD", "4111 1111 1111 1111"),
        ("邮箱zhang.wei@example.com收不到", "EMAIL_ADDRESS", "zhang.wei@example.com"),
        ("登录IP是192.168.10.20，不是我", "IP_ADDRESS", "192.168.10.20"),
        # IDs.
        ("身份证号11010519491231002X", "CN_RESIDENT_ID", "11010519491231002X"),
        ("身份证号110105194912310021", "CN_RESIDENT_ID", "110105194912310021"),  # context
        ("身分證A123456789", "TW_NATIONAL_ID", "A123456789"),
        ("香港身份證A123456(3)", "HK_ID_CARD", "A123456(3)"),
        # Passport numbers after a passport word, plates by their shape.
        ("我的护照号是E12345678，请帮我改一下", "PASSPORT_NUMBER", "E12345678"),
        ("護照號碼：Q67565088", "PASSPORT_NUMBER", "Q67565088"),
        ("护照 983867565 过期了", "PASSPORT_NUMBER", "983867565"),
        ("送货车京R-89957到了吗", "LICENSE_PLATE", "京R-89957"),
        ("我的车是粤B·D12345，能停在楼下吗", "LICENSE_PLATE", "粤B·D12345"),
        ("車牌號碼ABC-1234", "LICENSE_PLATE", "ABC-1234"),
        # Names.
        ("我叫王小明，订单没到", "PERSON", "王小明"),
        ("收件人：欧阳娜娜 电话", "PERSON", "欧阳娜娜"),
        ("姓名吳家瑋，要更改資料", "PERSON", "吳家瑋"),
        ("麻烦请张先生回电", "PERSON", "张"),
        ("李娜女士您好", "PERSON", "李娜"),
        ("我老公王伟帮我签收的", "PERSON", "王伟"),
        ("快递员刘师傅放门卫了", "PERSON", "刘"),
        ("谢谢你的帮助！\n陈家荣", "PERSON", "陈家荣"),
        ("聯絡人：林志明", "PERSON", "林志明"),
        # Role labels of travel, insurance and property forms.
        ("乘机人司马光明，明早的航班", "PERSON", "司马光明"),
        ("被保險人：黃美玲，保單續期", "PERSON", "黃美玲"),
        ("车主韩立新，停车费怎么交", "PERSON", "韩立新"),
        # Addresses.
        (
            "请寄到北京市朝阳区建国路88号SOHO现代城5栋2单元1203室，谢谢",
            "STREET_ADDRESS",
            "北京市朝阳区建国路88号SOHO现代城5栋2单元1203室",
        ),
        ("地址改成上海市浦东新区张江镇科苑路399号", "STREET_ADDRESS", "上海市浦东新区张江镇科苑路399号"),
        ("住在广州市天河区阳光花园3栋501室", "STREET_ADDRESS", "广州市天河区阳光花园3栋501室"),
        ("台北市大安區忠孝東路四段100號5樓之2", "STREET_ADDRESS", "台北市大安區忠孝東路四段100號5樓之2"),
        (
            "寄到10491 臺北市中山區南京東路二段100巷5弄3號",
            "STREET_ADDRESS",
            "10491 臺北市中山區南京東路二段100巷5弄3號",
        ),
        # Mixed Chinese and English: both families run.
        ("我的订单还没到, my name is Sarah Connor, 电话13800138000", "PERSON", "Sarah Connor"),
    ],
)
def test_detects(analyzer: Analyzer, text: str, entity: str, value: str) -> None:
    assert (entity, value) in _found(analyzer, text)


@pytest.mark.parametrize(
    "text",
    [
        "您好，您的订单已于昨天发货，预计周五送达。",
        "订单号4111111111111111的发票怎么开？",  # Luhn-valid, but labelled an order
        "订单20240611123456789，金额299元",
        "坐地铁3号线到人民广场站下车。",
        "我是高三学生，想问一下这个周末能送到吗",
        "刚才那位女士说明天到",
        "谢谢",
        "这款书柜比较笨重，尺寸是180x80x30厘米。",
        "型号A1234和A1234-Pro有什么区别？",
        "型号KD-5678和MX-1200哪个更好？",  # plate-shaped codes without a plate word
        "订单E12345678什么时候发货？",  # passport-shaped without a passport word
        "京东的快递今天到吗？",
        "2024年6月11日下午3点前下单当天发货",
        "乘客须知：请提前两小时到达机场",
        "车主可以在APP上查看违章记录",
        # Mixed text read by the English family too: its model reads a Chinese
        # sentence with numbers in it as an address.
        "这个iPhone 15 手机壳多少钱？你们网站上写的是1614.87元，APP里是2836元。",
    ],
)
def test_leaves_ordinary_text(analyzer: Analyzer, text: str) -> None:
    assert _found(analyzer, text) == []


def test_an_address_mostly_in_latin_letters_is_kept_in_mixed_text(analyzer: Analyzer) -> None:
    text = "Please ship to Flat 5, 12/F, 88 Nathan Road, Mong Kok 旺角, thanks"
    assert any(e == "STREET_ADDRESS" and "88 Nathan Road" in v for e, v in _found(analyzer, text))


def test_chinese_only_text_skips_english(analyzer: Analyzer) -> None:
    assert route("我叫王小明，电话13800138000", ("en", "zh"), analyzer.languages) == ("zh",)
    # The Chinese family is patterns only and runs on every text.
    assert route("Hi, I'm Sarah", ("en", "zh"), analyzer.languages) == ("en", "zh")
    assert route("订单 order 123 has not arrived", ("en", "zh"), analyzer.languages) == ("zh", "en")
    # A policy limited to English keeps English recognizers even on Chinese text.
    assert route("我叫王小明", ("en",), analyzer.languages) == ("en",)
