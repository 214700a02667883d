"""Chinese vocabulary for the synthetic district: place, road and person names.

The first entries of each list are real names from Jinhua's Wucheng district (婺城区)
so the sample reads familiar to local planners; larger scales need more names than
exist, so the helpers below extend the lists with numbered variants. Every person
name and phone number is synthetic.
"""

from __future__ import annotations

import numpy as np


def _words(text: str) -> tuple[str, ...]:
    """Split a space-separated list of names (easier to read than quoted items)."""
    return tuple(text.split())


#: Streets (街道) and towns (镇/乡) of Wucheng, in the order they are handed out.
STREET_NAMES = _words(
    "城东街道 城西街道 城中街道 城北街道 江南街道 三江街道 西关街道 秋滨街道 新狮街道 白龙桥镇 "
    "罗店镇 雅畈镇 安地镇 琅琊镇 蒋堂镇 汤溪镇 罗埠镇 洋埠镇 乾西乡 竹马乡 "
    "长山乡 苏孟乡 箬阳乡 沙畈乡 塔石乡 岭上乡 莘畈乡 杨家乡"
)

#: Stems for community (社区) names; "青春路" is the community in the seed article.
COMMUNITY_STEMS = _words(
    "青春路 八一 将军路 胜利街 新华街 回溪 中山 西市街 飘萍 丹溪 "
    "五一 红湖 环城 宾虹 解放 通济 江滨 三江 燕尾洲 清照 "
    "九峰 天宁 古子城 酒坊巷 侍王府 婺州 双溪 湖海塘 白沙 金星 "
    "高村 塘雅 芙蓉 尖峰山 北山 黄大仙 李渔 光南 兰江 石门"
)

#: Suffixes that turn a stem into further distinct community names at large scales.
COMMUNITY_SUFFIXES = (
    "",
    *_words("东 西 南 北 新村 花园 家园 苑 新城 嘉园 锦园 雅苑 佳苑 华庭 春晓 公寓 小区 景苑 名城"),
)

#: North-south roads are 街 in Jinhua (八一南街, 双龙南街), east-west roads 路.
NS_ROAD_NAMES = _words(
    "八一南街 双龙南街 新华街 胜利街 回溪街 八一北街 将军路 丹溪路 宾虹路 李渔路 "
    "金华山路 光南路 五一路 西市街 东市街 婺州街"
)
EW_ROAD_NAMES = _words(
    "人民西路 解放西路 婺江西路 中山路 城北路 环城南路 迎宾大道 青春路 飘萍路 清照路 "
    "江滨路 白沙路 九峰路 天宁路 湖海塘路 芙蓉路"
)

#: The elevated expressway along the southern edge (not walkable).
EXPRESSWAY_NAME = "金义东快速路"

#: Special-purpose grids (专属网格) get a label after their number.
SPECIAL_LABELS = ("农贸市场", "中学校园", "工业园区", "医院")

SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严武戴莫孔向汤应盛楼傅倪"
)
GIVEN_CHARS = tuple(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文亮志斌红梅鹏飞宇晨浩"
    "婷雪琳晓燕海波春林永辉丹凯昊俊佳欣怡嘉颖悦睿涵雅思源子轩"
)

#: Mobile prefixes after the leading "1": the numbers are synthetic, not real lines.
PHONE_PREFIXES = ("33", "35", "37", "38", "39", "50", "51", "58", "59", "77", "88", "89")

#: Incident categories (事件类型) with their relative frequency.
INCIDENT_KINDS = ("矛盾纠纷", "治安", "消防隐患", "环境卫生", "安全生产", "交通安全", "民生服务")
INCIDENT_WEIGHTS = (0.28, 0.18, 0.10, 0.20, 0.06, 0.08, 0.10)


def extend_names(stems: tuple[str, ...], count: int, tail: str = "") -> list[str]:
    """Return ``count`` distinct names: the stems first, then numbered variants.

    Parameters
    ----------
    stems
        Base names, used as they are while they last.
    count
        How many names are wanted.
    tail
        Text placed after the number of a variant, e.g. ``"路"``.

    Returns
    -------
    list of str
        ``stems[0], stems[1], ...`` then ``stems[0] + "2" + tail`` and so on.
    """
    names = list(stems[:count])
    round_ = 2
    while len(names) < count:
        names.extend(f"{s}{round_}{tail}" for s in stems[: count - len(names)])
        round_ += 1
    return names


def community_names(count: int, rng: np.random.Generator) -> list[str]:
    """Return ``count`` distinct community names such as ``"青春路社区"``.

    The first name is always 青春路社区 (the community in the seed article); the
    rest are stem and suffix combinations in a seeded random order.
    """
    combos = [s + x for x in COMMUNITY_SUFFIXES for s in COMMUNITY_STEMS]
    first, rest = combos[0], np.array(combos[1:])
    rest = rest[rng.permutation(len(rest))]
    names = [first, *rest.tolist()]
    if count > len(names):
        names = extend_names(tuple(names), count)
    return [n + "社区" for n in names[:count]]


def person_names(count: int, rng: np.random.Generator) -> np.ndarray:
    """Return ``count`` synthetic two- or three-character Chinese names."""
    surname = np.array(SURNAMES)[rng.integers(0, len(SURNAMES), count)]
    chars = np.array(GIVEN_CHARS)
    first = chars[rng.integers(0, len(chars), count)]
    second = chars[rng.integers(0, len(chars), count)]
    # About a third of given names have a single character, as in real rosters.
    second = np.where(rng.random(count) < 0.35, "", second)
    return np.strings.add(np.strings.add(surname, first), second)


def phone_numbers(count: int, rng: np.random.Generator) -> np.ndarray:
    """Return ``count`` synthetic eleven-digit mobile numbers."""
    prefix = np.array(PHONE_PREFIXES)[rng.integers(0, len(PHONE_PREFIXES), count)]
    tail = np.strings.zfill(rng.integers(0, 10**8, count).astype(str), 8)
    return np.strings.add(np.strings.add("1", prefix), tail)
