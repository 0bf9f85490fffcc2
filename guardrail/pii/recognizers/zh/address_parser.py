"""Whole Chinese addresses, grown from the places LAC tags.

Chinese addresses run from large to small with no spaces: province 省, city
市, district 区/區/縣, town 镇/鄉/街道, village 村/里, road 路/街/道/大道
(Taiwan: 段, 巷, 弄), number 号/號, then estate or building (花园, 大廈, A座),
block 栋/棟/幢/座, unit 单元, floor 楼/樓/层 and room 室; Taiwan puts a 3- or
5-digit postcode first, the mainland a 6-digit one last.

LAC segments and tags the place words of such a string (广东省/LOC
深圳市/LOC 南山区/LOC 科技园南路88号/LOC 阳光花园3栋/LOC 2/m 单元/n 501/m
室/n), which settles the hard question, where the address starts: its first
place word, not the verb or label before it (寄到, 地址是). From there one
walk grows the span: another place word, or a run of building details (a
number or letters with its unit: 2单元, 501室, 之6, 四段216巷27弄, A座, 第二座,
附3号, a bare room number), until neither follows. A word LAC does not call a
place still counts as one when it ends in an address unit (科技园南路, 阳光花园).
Once the street has its number, a building, campus or office name of any
words belongs to the address when its block, floor or room follows (华夏路10号
富力中心28楼); parts set apart by a space, a comma or a line break are one
address when the next part is a place or a number (上海市 浦东新区 张江镇).

What the walk found decides the entity: a road or estate with a number or a
building unit is a STREET_ADDRESS (0.85); a road within a named city or
district, no number, is a weaker one (0.6); administrative places alone
(广东省深圳市, 台北) are a LOCATION (0.6), which the default policy leaves
in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from guardrail.pii.recognizers.zh.tags import PLACE, Word

_NUM = "0-9０-９一二三四五六七八九十百千零〇两兩"
_UNITS = (
    "号楼|號樓|号院|號院|单元|單元|号房|號房|号|號|栋|棟|幢|座|楼|樓|层|層|室|房|期|段|巷|弄|"
    "街|排|组|組|邻|鄰"
)
# Building details after a place word: numbers or letters with their unit,
# "之6", "-3", and a bare room or building number (3-5 digits) at the end.
# A section or number may name its direction first (東一段, 皇后大道中99號);
# an annex its number (附3号); an estate its phase or block as an ordinal
# (第3期, 第二座); a flat its letter after the floor (15樓F).
_DIRECTION = "东西南北中東"
_DETAIL = re.compile(
    rf"(?:[ \t]?(?:[{_DIRECTION}]?第?[{_NUM}A-Za-z]{{1,5}}(?:{_UNITS})|之[{_NUM}]{{1,3}}|[-－][0-9]{{1,4}}"
    rf"|附[{_NUM}]{{1,3}}(?:号|號)|(?<=[楼樓座])[A-Za-z](?![A-Za-z])|[0-9]{{1,3}}[Ff](?![A-Za-z])"
    rf"|(?:{_UNITS})(?=[{_NUM}])|[0-9]{{3,5}}(?![0-9])))+"
)
# Units that end a building's detail: a building, estate or office name
# between the street number and them belongs to the address
# (华夏路10号 富力中心 28楼, 珞喻路1037号 华中科技大学东区教工宿舍 19栋).
_BUILDING_UNITS = "号楼|號樓|栋|棟|幢|座|楼|樓|层|層|单元|單元|期|室"
_ADMIN = re.compile(
    "(?:省|自治区|自治區|特别行政区|特別行政區|市|州|盟|地区|地區|县|縣|区|區|旗|镇|鎮|乡|鄉|街道|村|里|社区|社區)"
)
_ROAD = re.compile("(?:大道|大街|路|街|道|巷|弄|胡同|段)")
_ESTATE = re.compile(
    "(?:小区|小區|花园|花園|公寓|大厦|大廈|广场|廣場|家园|家園|新村|苑|大楼|大樓|中心|商场|商場|邨|"
    "城|园|園|府|湾|灣|阁|閣|轩|軒|居|庭|院|楼|樓|座)"
)
# A word ending in one of these is part of an address, whatever LAC tagged it.
_PLACE_ENDING = re.compile(f"(?:{_ADMIN.pattern}|{_ROAD.pattern}|{_ESTATE.pattern})$")
_WORD_TAGS_THAT_MAY_BE_PLACES = frozenset({"n", "nz", "s", "ORG", "f", "nw"})
_NUMBERED = re.compile(
    rf"[{_NUM}A-Za-z](?:{_UNITS})|(?:号|號)|[0-9]{{3,5}}$|[A-Za-z]座|之[{_NUM}]"
)
# Characters that end a road name on the left: verbs and function words
# ("寄到", "地址是", "住在").
_NOT_IN_NAMES = "的是係系在到往去寄送发發给給住址为為改换換变變我你您他她请請帮幫把从從及或与與了和跟"
_NAME_CHAR = rf"(?:(?![{_NOT_IN_NAMES}])[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])"
# A road (its name may be empty after a place: 中和/LOC 路12號) with the
# number or block that makes it an address (88号, B座); only the road is
# consumed, details follow.
_ROAD_WITH_NUMBER = re.compile(
    rf"{_NAME_CHAR}{{0,8}}?(?:大道|大街|路|街|道|巷|弄|胡同)"
    rf"(?=(?:[{_NUM}]{{1,3}}段)?(?:[{_NUM}]{{1,5}}(?:号|號|巷|弄|段)|[A-Za-z]{{1,2}}座))"
)
_ADMIN_SUFFIX = re.compile("(?:市|縣|县|区|區|镇|鎮|乡|鄉|村|里|邨)(?![路街道巷弄])")
_BUILDING = re.compile(
    rf"{_NAME_CHAR}{{1,16}}?(?=第?[{_NUM}A-Za-z]{{1,5}}(?:{_BUILDING_UNITS}))"
)
# Between the parts of one address: a space, a comma or a line break
# (上海市 浦东新区 张江镇, 江苏省南京市,鼓楼区, a road on one line and its
# number on the next).
_PART_SEPARATOR = re.compile(r"[ \t]{1,2}|[,，、]|\n")
_STREET_NUMBER = re.compile(rf"[{_NUM}]{{1,5}}(?:号|號)")
_ROAD_END = re.compile(rf"(?:{_ROAD.pattern})$")
_SHOP = re.compile("(?:旗舰|旗艦|专卖|專賣|分|门|門)?店")
# The smallest administrative level: a village is an address of its own.
_VILLAGE = re.compile("(?:村|邨|屯|组|組)$")
_TW_POSTCODE_BEFORE = re.compile(r"(?<![0-9])[0-9]{3}(?:[0-9]{2})?[ \t]?$")
_CN_POSTCODE_AFTER = re.compile(r"[ \t,，]{0,2}[0-9]{6}(?![0-9])")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

STREET, WEAK_STREET, AREA = 0.85, 0.6, 0.6


@dataclass(frozen=True, slots=True)
class AddressSpan:
    entity: str  # STREET_ADDRESS or LOCATION
    start: int
    end: int
    score: float


def addresses(text: str, words: list[Word]) -> Iterator[AddressSpan]:
    by_start = {w.start: w for w in words}
    index = 0
    while index < len(words):
        word = words[index]
        start = word.start
        if _is_place(text, word):
            end, places = word.end, [word]
        else:
            # No place word: a road with its number still starts an address
            # (三重博愛路9號, where LAC tagged the road a numeral).
            road = _ROAD_WITH_NUMBER.match(text, start) if _HAN.match(text, start) else None
            if road is None:
                index += 1
                continue
            end, places = road.end(), []
        end = _grown(text, start, end, by_start, places)
        while index < len(words) and words[index].start < end:
            index += 1
        yield _classified(text, start, end, places)


def _grown(text: str, start: int, end: int, by_start: dict[int, Word], places: list[Word]) -> int:
    """The end of the address that has reached `end`: place words, a lone
    administrative suffix LAC cut off (新營/LOC 市/n), a road LAC did not call
    a place when its number follows (六枝特区/LOC 毛路709号/n), details."""
    while True:
        following = by_start.get(end)
        # Inside an address a place may be Latin letters (SOHO现代城).
        if following is not None and (_is_place(text, following) or following.tag == PLACE):
            places.append(following)
            end = following.end
            continue
        suffix = _ADMIN_SUFFIX.match(text, end)
        if suffix is not None and places:
            end = suffix.end()
            continue
        road = _ROAD_WITH_NUMBER.match(text, end)
        if road is not None:
            end = road.end()
            continue
        detail = _DETAIL.match(text, end)
        if detail and detail.end() > end:
            end = detail.end()
            continue
        if _NUMBERED.search(text, start, end):
            building = _BUILDING.match(text, end)
            if building is not None:
                end = building.end()
                continue
        separator = _PART_SEPARATOR.match(text, end)
        if separator is not None and places and _continues(text, end, separator.end(), by_start):
            end = separator.end()
            continue
        return end


def _continues(text: str, end: int, at: int, by_start: dict[int, Word]) -> bool:
    """After a separator, more of the same address: a place word, a road
    with its number, or the street number of a road (臺灣大道三段 / 99號;
    not "杭州，29号之前", a date)."""
    following = by_start.get(at)
    if following is not None and (_is_place(text, following) or following.tag == PLACE):
        return True
    if _ROAD_WITH_NUMBER.match(text, at) is not None:
        return True
    return _STREET_NUMBER.match(text, at) is not None and _ROAD_END.search(text, 0, end) is not None


def _is_place(text: str, word: Word) -> bool:
    value = text[word.start : word.end]
    if not _HAN.search(value):
        return False
    if word.tag == PLACE:
        return True
    return (
        word.tag in _WORD_TAGS_THAT_MAY_BE_PLACES
        and len(value) >= 3
        and _PLACE_ENDING.search(value.rstrip(_DIRECTION)) is not None  # 农业路东
    )


def _classified(text: str, start: int, end: int, places: list[Word]) -> AddressSpan:
    value = text[start:end]
    has_road = _ROAD.search(value) is not None
    has_estate = any(_ESTATE.search(text[w.start : w.end]) for w in places)
    numbered = _NUMBERED.search(value) is not None
    admin_levels = sum(1 for w in places if _ADMIN.search(text[w.start : w.end]))
    if numbered and (has_road or has_estate or admin_levels):
        before = _TW_POSTCODE_BEFORE.search(text, 0, start)
        if before is not None:
            start = before.start()
        after = _CN_POSTCODE_AFTER.match(text, end)
        if after is not None:
            end = after.end()
        return AddressSpan("STREET_ADDRESS", start, end, STREET)
    if _SHOP.match(text, end):  # 上海南京西路旗舰店: a shop's name, not where anyone lives
        return AddressSpan("LOCATION", start, end, AREA)
    if has_road and len(places) >= 2:
        return AddressSpan("STREET_ADDRESS", start, end, WEAK_STREET)
    if admin_levels >= 3 and places and _VILLAGE.search(text[places[-1].start : places[-1].end]):
        # Down to the village (雷山县西江镇羊排村): where a rural customer lives.
        return AddressSpan("STREET_ADDRESS", start, end, WEAK_STREET)
    return AddressSpan("LOCATION", start, end, AREA)
