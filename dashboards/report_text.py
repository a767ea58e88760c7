"""The words of the work report: headline figures written as sentences, and the title.

Pure functions of the figure values (``dashboards.figures.compute``): nothing here counts.
Sentences follow the style of the offices' work reports ("开展一线协商活动900余次",
"委员出席率达到90%以上", "170件立项议题全部办结"). Large counts are rounded the work-report way
in sentences only — two significant figures, floored, with "余" when something was cut off —
while tables keep the exact numbers. A figure that is zero or missing never produces a boastful
sentence ("0件全部办结"): it produces a plain one, or none.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from .periods import KIND_MONTH, KIND_QUARTER, KIND_YEAR, Period

CHINESE_DIGITS = "〇一二三四五六七八九"
# A rate at or above this reads "达到…"; below it, plainly "为…".
PRAISE_FROM = 60
# From this rate up a sentence says "达到90%以上" (floored to a multiple of 5) like the reports.
ROUND_TO_FIVE_FROM = 90


def approx_count(n: int) -> str:
    """A count as a work report writes it: exact below 100, else two significant figures,
    floored, with "余" when digits were dropped; 万 from ten thousand.

    >>> [approx_count(n) for n in (0, 99, 100, 165, 905, 1234, 12345, 30000)]
    ['0', '99', '100', '160余', '900余', '1200余', '1.2万余', '3万']
    """
    n = int(n)
    if n < 100:
        return str(n)
    step = 10 ** (len(str(n)) - 2)
    base = n // step * step
    suffix = "" if base == n else "余"
    if base >= 10_000:
        wan = Decimal(base) / 10_000
        text = f"{wan.normalize():f}"
        return f"{text}万{suffix}"
    return f"{base}{suffix}"


def number(value: float | int) -> str:
    """One decimal at most, half up: 12.0 → "12", 12.5 → "12.5", 9.96 → "10"."""
    rounded = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(int(rounded)) if rounded == rounded.to_integral_value() else f"{rounded:f}"


def percent_phrase(rate: float) -> str:
    """A rate (0–100) in a sentence: "达到95%以上", "达到76%", "为35%", "达到100%".

    From 90% up the rate is floored to a multiple of 5 and said "以上" (as in "参加率达到90%以上");
    below, it is rounded to a whole percent, and under 10% it keeps its one decimal."""
    rate = float(rate)
    if rate >= ROUND_TO_FIVE_FROM and rate < 100:
        floor5 = math.floor(rate / 5) * 5
        return f"达到{floor5}%" + ("以上" if rate > floor5 else "")
    if rate < 10:
        # A small rate keeps its decimal: 0.5% must not read as 1% (nor 0%).
        return f"为{number(rate)}%"
    whole = int(Decimal(str(rate)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    verb = "达到" if whole >= PRAISE_FROM else "为"
    return f"{verb}{whole}%"


def _int(figures: Mapping, key: str) -> int:
    value = figures.get(key)
    return int(value) if value else 0


def _rate(figures: Mapping, key: str) -> float | None:
    value = figures.get(key)
    return None if value is None else float(value)


PERIOD_WORDS = {KIND_YEAR: "本年度", KIND_QUARTER: "本季度", KIND_MONTH: "本月"}


def summary_sentence(figures: Mapping, period_kind: str = KIND_YEAR) -> str | None:
    """ "本年度共开展协商活动N场,参与委员M人次,解决群众急难愁盼问题K个,满意率P%": the
    dashboard's own figures, exact (协商活动, 参与委员人次, 本期办结, 满意率), so the sentence can
    be read off the page. None when nothing was held or solved."""
    sessions = _int(figures, "sessions")
    resolved = _int(figures, "resolved")
    if not sessions and not resolved:
        return None
    word = PERIOD_WORDS.get(period_kind, "本期")
    text = f"{word}共开展协商活动{sessions}场,参与委员{_int(figures, 'members_present')}人次,"
    text += f"解决群众急难愁盼问题{resolved}个"
    satisfaction = _rate(figures, "satisfaction")
    if satisfaction is not None:
        text += f",满意率{number(satisfaction)}%"
    return text + "。"


def headline_sentences(figures: Mapping, period_kind: str = KIND_YEAR) -> list[str]:
    """The headline figures as work-report sentences, in the order a report tells them: the
    summary sentence first, then each theme. ``period_kind`` names the period ("本年度", "本季度",
    "本月"; a range: "本期") and says whether 五个一 is the year's or the year to date."""
    sentences: list[str] = []
    raised = _int(figures, "raised")
    accepted = _int(figures, "accepted")
    agenda = _int(figures, "agenda_topics")
    resolved = _int(figures, "resolved")
    accepted_resolved = _int(figures, "accepted_resolved")
    sessions = _int(figures, "sessions")
    venues = _int(figures, "venues")
    active = _int(figures, "active_venues")
    standard = _int(figures, "standard_venues")
    members = _int(figures, "members")
    five_ones_done = _int(figures, "members_five_ones")
    overdue = _int(figures, "overdue")
    rated = _int(figures, "rated")
    unrated = _int(figures, "unrated")
    reopened = _int(figures, "reopened")
    follow_up = _int(figures, "follow_up_open")

    summary = summary_sentence(figures, period_kind)
    if summary:
        sentences.append(summary)

    # Problems raised and accepted; 协商议题 only those put on a session's agenda.
    if raised:
        text = f"征集群众急难愁盼问题{approx_count(raised)}件"
        if accepted:
            text += f",受理{approx_count(accepted)}件"
        if agenda:
            text += f",确定协商议题{approx_count(agenda)}个"
        sentences.append(text + "。")

    # Problems resolved: the exact number, the one figure reports never round; the rate with
    # its cohort, so it is never read against the count beside it.
    if resolved:
        text = f"有效解决群众急难愁盼问题{resolved}件"
        rate = _rate(figures, "resolution_rate")
        if accepted and accepted_resolved == accepted:
            text += f",本期受理的{accepted}件全部办结"
        elif rate is not None and accepted:
            text += (
                f",本期受理的{accepted}件中已办结{accepted_resolved}件(截至今日),"
                f"办结率{percent_phrase(rate)}"
            )
        on_time = _rate(figures, "on_time_rate")
        if on_time is not None:
            text += f",按期办结率{percent_phrase(on_time)}"
        average = _rate(figures, "avg_days")
        median = _rate(figures, "median_days")
        if average is not None and median is not None:
            text += f",交办问题平均办理{number(average)}个工作日(中位数{number(median)}个工作日)"
        sentences.append(text + "。")
    elif raised or accepted:
        sentences.append("本期暂无办结的问题。")
    if reopened:
        sentences.append(f"回访不满意后重新办理{reopened}次。")
    if follow_up:
        sentences.append(f"目前有{follow_up}件问题处于跟踪问效中。")

    # Residents' satisfaction, only when someone rated; the unrated are named.
    satisfaction = _rate(figures, "satisfaction")
    if rated and satisfaction is not None:
        text = f"群众对办理结果的满意率(含基本满意){percent_phrase(satisfaction)}(已回访{rated}件"
        text += f",未回访{unrated}件)。" if unrated else ")。"
        sentences.append(text)

    # Sessions and who took part.
    if sessions:
        text = f"开展一线协商活动{approx_count(sessions)}次"
        present = _int(figures, "members_present")
        distinct = _int(figures, "members_distinct")
        if present:
            text += f",参与委员{approx_count(present)}人次({approx_count(distinct)}人)"
        residents = _int(figures, "residents")
        if residents:
            text += f",参与群众{approx_count(residents)}人次"
        departments = _int(figures, "departments")
        if departments:
            text += f",{departments}个部门和单位参与"
        participation = _rate(figures, "participation")
        if participation is not None:
            text += f",委员出席率{percent_phrase(participation)}"
        sentences.append(text + "。")
    elif venues or members:
        sentences.append("本期尚未开展协商活动。")

    # 五个一: a yearly duty; a shorter period reports the year to date.
    if members:
        scope = "" if period_kind == KIND_YEAR else "年度累计"
        if five_ones_done:
            text = f"{scope}{five_ones_done}名委员全面完成“五个一”履职任务"
            five_ones = _rate(figures, "five_ones")
            if five_ones is not None:
                text += f",完成率{percent_phrase(five_ones)}"
            sentences.append(text + "。")
        else:
            sentences.append(f"{members}名委员中{scope}尚无人全面完成“五个一”履职任务。")

    # Venues: where they are (coverage of the communities) and of which kinds.
    communities = _int(figures, "communities")
    covered = _int(figures, "communities_covered")
    kinds = "、".join(f"{label}{n}个" for _kind, label, n in figures.get("venue_kinds") or [])
    if communities:
        if covered == communities:
            text = f"在{communities}个社区(村)全覆盖布局协商阵地"
        elif covered:
            coverage = _rate(figures, "venue_coverage")
            text = f"{communities}个社区(村)中{covered}个建有协商阵地"
            if coverage is not None:
                text += f",覆盖率{percent_phrase(coverage)}"
        else:
            text = f"{communities}个社区(村)尚未建有协商阵地"
        if kinds:
            text += f"(现有{kinds})"
        sentences.append(text + "。")

    # Venues.
    if venues:
        if active == venues:
            text = f"{venues}个在用协商阵地全部开展了协商活动"
        elif active:
            text = f"{venues}个在用协商阵地中,{active}个开展了协商活动"
        else:
            text = f"{venues}个在用协商阵地本期均未开展协商活动"
        if standard == venues:
            text += ",全部达到“六有”标准"
        elif standard:
            text += f",{standard}个达到“六有”标准"
        sentences.append(text + "。")

    # What is still late: reports name the problems too.
    if overdue:
        sentences.append(f"目前仍有{overdue}件问题超期未办结,需加快推进。")
    elif sentences:
        sentences.append("目前没有超期未办结的问题。")

    return sentences or ["本期暂无基层协商工作数据。"]


def chinese_number(n: int) -> str:
    """1–99 in Chinese numerals (enough for quarters and months): 3 → 三, 12 → 十二."""
    if n < 10:
        return CHINESE_DIGITS[n]
    tens, ones = divmod(n, 10)
    return (
        ("" if tens == 1 else CHINESE_DIGITS[tens]) + "十" + (CHINESE_DIGITS[ones] if ones else "")
    )


def period_title(period: Period) -> str:
    """ "2026年第三季度", "2026年度", "2026年11月", "2026年3月10日至3月19日"."""
    start = period.start
    if period.kind == KIND_YEAR:
        return f"{start.year}年度"
    if period.kind == KIND_QUARTER:
        return f"{start.year}年第{chinese_number(period.quarter_number)}季度"
    if period.kind == KIND_MONTH:
        return f"{start.year}年{start.month}月"
    end = period.end
    end_text = f"{end.month}月{end.day}日"
    if end.year != start.year:
        end_text = f"{end.year}年{end_text}"
    return f"{start.year}年{start.month}月{start.day}日至{end_text}"


def report_title(node_name: str, period: Period) -> str:
    """ "西陵区2026年第三季度基层协商工作报告"."""
    return f"{node_name}{period_title(period)}基层协商工作报告"
