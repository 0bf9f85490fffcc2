"""Mainland and Taiwan street addresses.

Chinese addresses run from large to small with no spaces: province 省,
city 市, district 区/縣, town 镇/鄉/街道, road 路/街/大道 (Taiwan: 段, 巷, 弄),
number 号/號, then building 栋/座, unit 单元, floor 楼/樓 and room 室. The anchor
is a road with a house number ("建国路88号"), or a housing estate with a
building or room ("阳光花园3栋2单元501室"); the administrative levels before it
and the building details after it are taken in as far as they go. Place-name
characters exclude the verbs and function words that lead into an address
("寄到", "地址是", "住在"), which is what stops the match on the left.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from guardrail.pii.recognizers.base import Candidate, Pattern, RegexRecognizer

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Characters that end a place name on the left: verbs and function words.
_LEAD = "的是係系在到往去寄送发發给給住址为為改换換变變我你您他她请請帮幫把从從及或与與了"
# A verb that leads into an address and is also a place-name character.
_VERB_PREFIXES = ("改成", "换成", "換成", "变成", "變成", "改到")
_P = rf"(?:(?![{_LEAD}])[{_HAN}])"  # a place-name character
_NUM = "0-9０-９一二三四五六七八九十百零〇两兩"

_ADMIN = (
    rf"(?:{_P}{{2,8}}?(?:省|自治区|自治區|特别行政区|特別行政區))?"
    rf"(?:{_P}{{1,6}}?(?:市|州|盟|地区|地區|县|縣))?"
    rf"(?:{_P}{{1,6}}?(?:区|區|县|縣|旗|市|镇|鎮|乡|鄉))?"
    rf"(?:{_P}{{1,6}}?(?:镇|鎮|乡|鄉|街道|村|里|社区|社區))?"
    rf"(?:[{_NUM}]{{1,3}}(?:邻|鄰))?"
)
_ROAD = (
    rf"{_P}{{1,8}}?(?:大道|大街|路|街|巷|胡同|弄|道)"
    rf"(?:[{_NUM}]{{1,3}}段)?(?:[{_NUM}]{{1,4}}(?:巷|弄))*"
)
_HOUSE = rf"[{_NUM}]{{1,5}}(?:-[0-9]{{1,4}})?(?:号|號)(?:之[{_NUM}]{{1,3}})?"
_ESTATE = (
    rf"(?:{_P}|[A-Za-z]){{1,10}}?"
    r"(?:小区|小區|花园|花園|公寓|大厦|大廈|广场|廣場|家园|家園|新村|苑|大楼|大樓|中心|城|园|園|府|湾|灣)"
)
_DETAIL = (
    rf"(?:[ \t]?(?:[{_NUM}A-Za-z]{{1,4}}(?:号楼|號樓|栋|棟|幢|座|楼|樓|层|層|F|f|单元|單元|室|房|号房|號房)"
    rf"|之[{_NUM}]{{1,3}}|[0-9]{{3,5}}(?![0-9])))*"
)
# Taiwan writes a 3- or 5-digit postal code first; mainland a 6-digit one last.
_TW_POSTCODE = r"(?:[0-9]{3}(?:[0-9]{2})?[ \t]?)?"
_CN_POSTCODE = r"(?:[ \t,，]{0,2}[0-9]{6}(?![0-9]))?"


class ChineseAddressRecognizer(RegexRecognizer):
    ENTITY = "STREET_ADDRESS"
    LANGUAGE = "zh"
    PATTERNS = (
        Pattern(
            "road-number",
            rf"(?<![0-9]){_TW_POSTCODE}{_ADMIN}{_ROAD}{_HOUSE}"
            rf"(?:{_ESTATE}(?=[{_NUM}A-Za-z]))?{_DETAIL}{_CN_POSTCODE}",
            0.85,
        ),
        Pattern(
            "estate-building",
            rf"(?<![0-9]){_ADMIN}(?:{_ROAD}{_HOUSE})?{_ESTATE}"
            rf"(?:[{_NUM}A-Za-z]{{1,4}}(?:号楼|號樓|栋|棟|幢|座|期|区|區)){_DETAIL}{_CN_POSTCODE}",
            0.8,
        ),
    )
    CONTEXT = ("地址", "住址", "收货", "收貨", "寄到", "送到", "住在")

    def candidates(self, text: str) -> Iterator[Candidate]:
        for candidate in super().candidates(text):
            start = candidate.start
            # "改成北京市..." matched from 成: the verb is not the address.
            if start > 0 and any(text.startswith(p, start - 1) for p in _VERB_PREFIXES):
                start += 1
            yield Candidate(start, candidate.end, candidate.score)

    def validate(self, value: str, pattern: Pattern) -> float | None:
        # A road and number alone ("3号线", "5路公交") is weak; an address with
        # an administrative level or building details is strong.
        core = re.sub(r"[0-9 \t,，]", "", value)
        if len(core) < 4:
            return None
        return pattern.score
