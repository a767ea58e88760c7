"""Chinese personal names and ethnicities for demo people (members, residents, staff)."""

from __future__ import annotations

import random

# Common surnames, most frequent first (weights roughly follow the national frequency);
# 向, 覃, 田 and 谭 are common in western Hubei, where many people are Tujia.
SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 70),
    ("李", 70),
    ("张", 65),
    ("刘", 55),
    ("陈", 45),
    ("杨", 30),
    ("黄", 25),
    ("赵", 22),
    ("吴", 20),
    ("周", 20),
    ("徐", 16),
    ("孙", 14),
    ("马", 12),
    ("朱", 12),
    ("胡", 14),
    ("郭", 10),
    ("何", 10),
    ("高", 10),
    ("林", 8),
    ("罗", 9),
    ("郑", 8),
    ("梁", 7),
    ("谢", 7),
    ("宋", 6),
    ("唐", 7),
    ("许", 5),
    ("韩", 5),
    ("冯", 5),
    ("邓", 6),
    ("曹", 5),
    ("彭", 7),
    ("曾", 5),
    ("肖", 6),
    ("田", 8),
    ("董", 4),
    ("袁", 4),
    ("潘", 3),
    ("蒋", 3),
    ("蔡", 4),
    ("余", 6),
    ("杜", 3),
    ("叶", 3),
    ("程", 4),
    ("魏", 3),
    ("吕", 3),
    ("丁", 3),
    ("任", 3),
    ("沈", 2),
    ("姚", 3),
    ("卢", 3),
    ("姜", 2),
    ("崔", 2),
    ("钟", 2),
    ("谭", 6),
    ("陆", 2),
    ("汪", 4),
    ("范", 2),
    ("金", 2),
    ("石", 3),
    ("廖", 2),
    ("贾", 2),
    ("夏", 3),
    ("付", 3),
    ("方", 3),
    ("邹", 3),
    ("熊", 4),
    ("秦", 2),
    ("江", 2),
    ("万", 3),
    ("雷", 3),
    ("向", 7),
    ("覃", 6),
    ("龚", 3),
    ("邵", 2),
    ("严", 2),
    ("黎", 2),
    ("毛", 2),
    ("易", 3),
    ("聂", 2),
    ("舒", 2),
    ("艾", 2),
    ("柳", 2),
    ("屈", 2),
    ("尹", 2),
)

MALE_GIVEN = (
    "伟",
    "强",
    "磊",
    "军",
    "勇",
    "杰",
    "涛",
    "斌",
    "超",
    "明",
    "刚",
    "平",
    "辉",
    "鹏",
    "华",
    "飞",
    "波",
    "宇",
    "浩",
    "凯",
    "健",
    "俊",
    "峰",
    "亮",
    "建",
    "国",
    "文",
    "志",
    "海",
    "林",
    "东",
    "兵",
    "洪",
    "光",
    "庆",
    "春",
    "德",
    "荣",
    "祥",
    "昌",
    "松",
    "成",
    "长",
    "家",
    "卫",
    "新",
    "永",
    "红",
    "晓",
    "立",
    "子",
    "学",
    "世",
    "正",
    "中",
    "江",
    "云",
    "瑞",
    "博",
    "毅",
)
FEMALE_GIVEN = (
    "芳",
    "娟",
    "敏",
    "静",
    "丽",
    "艳",
    "霞",
    "燕",
    "玲",
    "婷",
    "琳",
    "雪",
    "慧",
    "红",
    "萍",
    "梅",
    "英",
    "华",
    "兰",
    "洁",
    "琴",
    "莉",
    "倩",
    "颖",
    "佳",
    "欣",
    "晓",
    "秀",
    "桂",
    "凤",
    "玉",
    "春",
    "丹",
    "蓉",
    "薇",
    "雯",
    "露",
    "月",
    "彩",
    "珍",
    "瑶",
    "宁",
    "璐",
    "茜",
    "菲",
)

# Ethnicities besides 汉族 seen among members in western Hubei (weights).
MINORITIES: tuple[tuple[str, int], ...] = (
    ("土家族", 70),
    ("苗族", 8),
    ("回族", 6),
    ("满族", 4),
    ("蒙古族", 3),
    ("侗族", 3),
    ("壮族", 2),
    ("白族", 2),
    ("彝族", 1),
    ("朝鲜族", 1),
)

_SURNAME_CHARS = [s for s, _ in SURNAMES]
_SURNAME_WEIGHTS = [w for _, w in SURNAMES]


def person_name(rng: random.Random, gender: str) -> str:
    """A surname plus a one- or two-character given name (two characters two times in three)."""
    pool = FEMALE_GIVEN if gender == "F" else MALE_GIVEN
    surname = rng.choices(_SURNAME_CHARS, _SURNAME_WEIGHTS)[0]
    given = rng.choice(pool)
    if rng.random() < 0.66:
        second = rng.choice(pool)
        if second != given or rng.random() < 0.15:  # 丽丽, 婷婷 happen, but rarely
            given += second
    return surname + given


def unique_person_name(rng: random.Random, gender: str, used: set[str]) -> str:
    """Like ``person_name`` but never one already in ``used`` (which it updates)."""
    for _ in range(50):
        name = person_name(rng, gender)
        if name not in used:
            used.add(name)
            return name
    # Three-character names run out eventually at very large scales; add a clarifying suffix.
    name = person_name(rng, gender)
    suffix = 2
    while f"{name}{suffix}" in used:
        suffix += 1
    used.add(f"{name}{suffix}")
    return f"{name}{suffix}"


def ethnicity(rng: random.Random, minority_share: float) -> str:
    if rng.random() >= minority_share:
        return "汉族"
    return rng.choices([e for e, _ in MINORITIES], [w for _, w in MINORITIES])[0]


def surname_pool() -> list[str]:
    """Surnames in frequency order, for village names such as 王家湾."""
    return list(_SURNAME_CHARS)
