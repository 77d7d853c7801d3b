"""find_printed: every printed figure, date and piece of page furniture in a Chinese text."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from corridor_cli.curation.printed import ChangeInfo, Printed, find_printed

REPO = Path(__file__).resolve().parents[1]
TEXTS = REPO / "facts" / "texts"
UNITS = ("列", "标箱", "亿元", "万元", "元", "亿美元", "万吨", "%", "个百分点", "家", "户", "万户",
         "个", "项", "批次", "种", "亩", "万亩", "GWh", "万辆", "公里", "分", "位", "倍", "分钟",
         "天", "万个", "个集装箱", "万分之", "年", "小时", "期", "国")


def figures(text: str, today: str | None = None) -> list[Printed]:
    return [p for p in find_printed(text, UNITS, today) if p.kind == "figure"]


def one(text: str, today: str | None = None) -> Printed:
    found = figures(text, today)
    assert len(found) == 1, [p.printed for p in found]
    return found[0]


def kinds(text: str) -> list[tuple[str, str, str]]:
    return [(p.kind, p.printed, p.reason) for p in find_printed(text, UNITS)]


# ---------------------------------------------------------------- number kinds and units
@pytest.mark.parametrize("text, printed, value, unit", [
    ("累计开行44列。", "44列", "44", "列"),
    ("货值8.095亿元。", "8.095亿元", "8.095", "亿元"),
    ("总额1,234.5亿元。", "1,234.5亿元", "1234.5", "亿元"),
    ("开行１２３列。", "１２３列", "123", "列"),
    ("开行１．５万列。", "１．５万列", "1.5", "万列"),
    ("吞吐量 1500 万\n吨。", "1500 万\n吨", "1500", "万吨"),
    ("利用外资1.3\n\n亿美元；", "1.3\n\n亿美元", "1.3", "亿美元"),
    ("注册用户数达2万个。", "2万个", "2", "万个"),
    ("增长116.49%。", "116.49%", "116.49", "%"),
    ("增速提高3个百分点。", "3个百分点", "3", "个百分点"),
    ("年产能16GWh的基地", "16GWh", "16", "GWh"),
    ("年产能16 GWh的基地", "16 GWh", "16", "GWh"),
    ("共计28个冷藏集装箱", "28个", "28", "个"),
    ("2208个标箱经此发往全国", "2208个标箱", "2208", "个标箱"),
    ("获得 83.9 分，", "83.9 分", "83.9", "分"),
    ("仅需7.5分钟，", "7.5分钟", "7.5", "分钟"),
    ("常住人口850万，", "850万", "850", "万"),
    ("三成企业", "三成", "3", "成"),
    ("封关运行两年。", "两年", "2", "年"),
    ("封关运行两周年", "两周年", "2", "周年"),
    ("分两期建设", "两期", "2", "期"),
    ("在印尼和马来西亚两国设立", "两国", "2", "国"),
    ("耗时压缩至半个小时", "半个小时", "0.5", "个小时"),
    ("突破两万吨。", "两万吨", "2", "万吨"),
    ("一点五万吨", "一点五万吨", "1.5", "万吨"),
    ("为全市第6个GDP突破千亿元的区县", "千亿元", "1000", "亿元"),
    ("不到重庆市万分之五的土地面积", "万分之五", "5", "万分之"),
    ("占比百分之五十。", "百分之五十", "50", "%"),
    ("2.5倍。", "2.5倍", "2.5", "倍"),
])
def test_number_kinds_and_units(text, printed, value, unit):
    found = [p for p in figures(text) if not p.ordinal]
    assert len(found) == 1, [p.printed for p in found]
    p = found[0]
    assert (p.printed, p.value, p.unit) == (printed, Decimal(value), unit)
    assert text[p.start:p.end] == p.printed


def test_longest_unit_wins():
    assert one("外资1.3亿美元。").unit == "亿美元"
    assert one("外贸233亿元。").unit == "亿元"
    assert one("外出50余批次。").unit == "批次"
    assert one("高出全国4.2个百分点").unit == "个百分点"
    # a unit from the vocabulary only: 万个 without it is 万 + 个
    assert find_printed("注册用户数达2万个。", ())[0].unit == "万个"


def test_unknown_text_still_gets_built_in_units():
    p = find_printed("建成码头3座，新增泊位12个。", ())
    assert [(x.printed, x.unit) for x in p] == [("3座", "座"), ("12个", "个")]


def test_ranges():
    p = one("设计产能10-15万辆。")
    assert (p.printed, p.value, p.value_max, p.unit) == ("10-15万辆", 10, 15, "万辆")
    for text in ("设计产能10—15万辆。", "设计产能10~15万辆。", "设计产能10至15万辆。",
                 "设计产能10～15万辆。"):
        p = one(text)
        assert (p.value, p.value_max, p.unit) == (10, 15, "万辆"), text
    p = one("工期三到五年。")
    assert (p.printed, p.value, p.value_max, p.unit) == ("三到五年", 3, 5, "年")
    p = one("增速5%-8%。")
    assert (p.printed, p.value, p.value_max, p.unit) == ("5%-8%", 5, 8, "%")


def test_ordinals():
    p = one("运量位列全市第2位，")
    assert (p.printed, p.value, p.unit, p.ordinal) == ("第2位", 2, "位", True)
    p = one("总量居全市区县第二。")
    assert (p.printed, p.value, p.unit, p.ordinal) == ("第二", 2, "", True)
    p = one("江津综保区是我市第\n3个获批的海关特殊监管区域")
    assert (p.printed, p.value, p.unit) == ("第\n3个", 3, "个")
    p = one("成为入驻重庆的第一家大型企业")
    assert (p.value, p.unit) == (1, "家")


@pytest.mark.parametrize("text", [
    "加快推动“一带一路”进出口商品集散分拨中心建设",
    "编制临港产业城一体化发展规划",
    "纳入统一服务管理",
    "是全市唯一入选项目",
    "行政审批效率进一步提升",
    "一是加强通道建设，二是做强产业",
    "随着一批世界知名企业相继落地",
    "一件件大事，一组组数据，一个个小事",
    "江津将在“十四五”时期率先实现同城化发展",
    "“十三五”时期，江津区坚定不移",
    "第一时间响应",
    "是共建“一带一路”的重要骨架之一",
    "面对“一区两群”协调发展的重大机遇",
    "加快推动“五大中心”建设",
    "党的二十大报告指出",
    "区委十五届四次全会将其定义为突破口",
    "推进智慧系统二期建设",
    "成为全市唯一实现进出口额两位数增长的开放平台",
    "按照“1155”工作目标",
    "围绕全市“33618”现代制造业集群体系",
    "持续完善“100+N”的招商人才储备库",
    "构建“4+1”产业集群",
    "实现高新技术企业从“0”到“1”",
    "一批世界500强、中国500强企业",
    "国内 50 强物流企业",
    "珞璜港入选国家第四批多式联运示范工程",
    "第二项重点工作是推动工业提质升级",
    "联席会议第七次会议座谈会提出",
    "亮点一 成功开行中老（泰）国际联运班列",
    "盯住“两个覆盖”攻坚",
    "具有十分重大的意义",
    "由最初的几十余种扩展至现在",
    "“两江两岸、四十里滨江”风景如画",
    "千载难逢的重大机遇，百舸争流",
    "加快对小南垭货运站进行功能划分，上半年",
    "首台16层CT设备",  # 16层 is a figure: checked below
])
def test_non_quantities(text):
    found = figures(text)
    if text.startswith("首台"):
        assert [p.printed for p in found] == ["16层"]
    else:
        assert found == [], [p.printed for p in found]


# ---------------------------------------------------------------- bounds
@pytest.mark.parametrize("text, bound", [
    ("进出口额约233亿元。", "approx"), ("大约233亿元。", "approx"), ("完成16公里左右。", "approx"),
    ("引资超570亿元。", "lower"), ("超过950亿元。", "lower"), ("逾950亿元。", "lower"),
    ("总量突破12万户。", "lower"), ("用地600余亩。", "lower"), ("新设5万余户。", "lower"),
    ("一百多家企业。", "lower"), ("落户10家以上。", "lower"),
    ("区外近1000家企业使用", "upper"), ("不到重庆市万分之五的土地面积", "upper"),
    ("不足5%。", "upper"), ("在5%以下。", "upper"),
    ("开行44列。", "exact"), ("最近3年来增长", "exact"),
])
def test_bounds(text, bound):
    assert one(text).bound == bound


def test_tail_inside_the_figure():
    p = one("新设市场主体5万余户，")
    assert (p.printed, p.value, p.unit, p.bound) == ("5万余户", 5, "万户", "lower")
    p = one("一百多家企业")
    assert (p.printed, p.value, p.unit) == ("一百多家", 100, "家")


# ---------------------------------------------------------------- status
@pytest.mark.parametrize("text, status", [
    ("按照工作目标，2023年实现开行1000列。", "target"),
    ("力争到2025年工业总产值达到2000亿元，其中消费品工业总产值突破1000亿元。", "target"),
    ("计划开行50列。", "target"), ("争取开行50列。", "target"), ("确保开行50列。", "target"),
    ("占比将稳定在70%以上。", "target"),
    ("预计实现产值约230亿元。", "forecast"), ("有望突破100亿元。", "forecast"),
    ("2022年面对多重超预期困难，网上零售额4161.1亿元。", "actual"),
    ("全年开行536列。", "actual"),
    ("区外将近1000家企业使用。", "actual"),
])
def test_status(text, status):
    assert figures(text)[-1].status == status


def test_a_later_year_than_today_is_a_target():
    assert one("2025年，建成海外仓3个以上。", today="2023").status == "target"
    assert one("2025年，建成海外仓3个以上。").status == "actual"


# ---------------------------------------------------------------- changes
def test_change_yoy_linked_to_its_figure():
    found = figures("今年1月-5月已累计开行407列,同比增长116.49%;班列货运量20362标箱,"
                    "同比增长122.73%,货值8.095亿元,同比增长41.03%。", today="2023")
    assert [p.printed for p in found] == ["407列", "116.49%", "20362标箱", "122.73%",
                                          "8.095亿元", "41.03%"]
    everything = find_printed("今年1月-5月已累计开行407列,同比增长116.49%;班列货运量20362标箱,"
                              "同比增长122.73%,货值8.095亿元,同比增长41.03%。", UNITS, "2023")
    by_text = {p.printed: (k, p) for k, p in enumerate(everything)}
    assert by_text["116.49%"][1].change == ChangeInfo(Decimal("116.49"), "%", "yoy", "exact")
    assert by_text["116.49%"][1].change_of == by_text["407列"][0]
    assert by_text["122.73%"][1].change_of == by_text["20362标箱"][0]
    assert by_text["41.03%"][1].change_of == by_text["8.095亿元"][0]
    assert by_text["407列"][1].change is None


def test_change_forms():
    text = ("江津综保区2022年度实现进出口贸易额约148亿\n元（重庆海关总署公布数据），较去年同期净增约"
            "22.5亿元，同\n比增长17.97%，成为全市唯一。")
    found = find_printed(text, UNITS)
    base = next(k for k, p in enumerate(found) if p.printed.startswith("148"))
    net = next(p for p in found if p.printed == "22.5亿元")
    pct = next(p for p in found if p.printed == "17.97%")
    assert net.change == ChangeInfo(Decimal("22.5"), "亿元", "yoy", "approx")
    assert pct.change == ChangeInfo(Decimal("17.97"), "%", "yoy", "exact")
    assert net.change_of == base and pct.change_of == base
    assert found[base].bound == "approx" and found[base].change is None


def test_change_bases_and_signs():
    assert one("年均增长预计达8.9%。").change.basis == "annual_average"
    assert one("网上零售额增长12.8%").change.basis == "over_period"
    p = one("高出全国4.2个百分点，")
    assert p.change == ChangeInfo(Decimal("4.2"), "个百分点", "vs_benchmark", "exact")
    p = one("出口同比下降3.2%。")
    assert p.change == ChangeInfo(Decimal("-3.2"), "%", "yoy", "exact") and p.value == Decimal("3.2")
    assert one("比上年增长5%。").change.basis == "yoy"
    # levels and new additions are not changes
    found = figures("森林覆盖率从46.5%提高到51.8%。")
    assert [p.change for p in found] == [None, None]
    assert one("2022年新增22家。").change is None
    assert one("拉动社会消费品零售总额2个百分点。").change is None


def test_change_with_a_comparison_base():
    found = find_printed("“专精特新”53 家，2022 年新增 42 家，较 2021 年 11 家增幅达 350%。", UNITS)
    idx = {p.printed: k for k, p in enumerate(found)}
    pct = found[idx["350%"]]
    assert pct.change.basis == "over_period"
    assert pct.change_of == idx["42 家"]
    assert pct.period == "2022"  # the comparison date 2021 is skipped
    assert found[idx["11 家"]].period == "2021"


def test_change_with_a_subject_of_its_own_is_not_linked():
    found = find_printed("五年实际利用外资预计达26.6亿美元,进出口总额年均增长40.5%。", UNITS)
    pct = next(p for p in found if p.printed == "40.5%")
    assert pct.change.basis == "annual_average" and pct.change_of is None


def test_chained_changes():
    found = find_printed("今年一季度,四川网上零售额1089.9亿元、增长12.8%、高出全国4.2个百分点,"
                         "拉动社会消费品零售总额2个百分点。", UNITS, "2023")
    idx = {p.printed: k for k, p in enumerate(found)}
    assert found[idx["12.8%"]].change_of == idx["1089.9亿元"]
    assert found[idx["4.2个百分点"]].change_of == idx["1089.9亿元"]
    assert found[idx["2个百分点"]].change is None
    assert found[idx["1089.9亿元"]].period == "2023-01..2023-03"


# ---------------------------------------------------------------- periods
@pytest.mark.parametrize("text, today, period, as_of, period_text", [
    ("2022年，江津开行班列536列。", None, "2022", None, "2022年"),
    ("2023年1—5月开行407列。", None, "2023-01..2023-05", None, "2023年1—5月"),
    ("1—5月开行407列。", None, None, None, "1—5月"),
    ("1—5月开行407列。", "2023-06-30", "2023-01..2023-05", None, "1—5月"),
    ("今年1月-5月已累计开行407列。", "2023", "2023-01..2023-05", None, "今年1月-5月"),
    ("截至今年5月底已累计开行1277列。", "2023", None, "2023-05-31", "截至今年5月底"),
    ("截至2020年6月底已累计完成100项。", None, None, "2020-06-30", "截至2020年6月底"),
    ("截至5月底开行1277列。", None, None, None, "截至5月底"),
    ("全年开行536列。", "2022", "2022", None, "全年"),
    ("全年开行536列。", None, None, None, "全年"),
    ("今年开行536列。", "2023", "2023", None, "今年"),
    ("去年开行536列。", "2023", "2022", None, "去年"),
    ("上半年协议引资超570亿元。", "2023", "2023-01..2023-06", None, "上半年"),
    ("去年上半年协议引资超570亿元。", "2023", "2022-01..2022-06", None, "去年上半年"),
    ("截至今年，累计开行1277列。", "2023", None, "2023", "截至今年"),
    ("截至目前，累计签约项目83个。", None, None, None, "截至目前"),
    ("截至目前，累计签约项目83个。", "2020-07-06", None, "2020-07-06", "截至目前"),
    ("目前已外出50余批次。", "2023", None, "2023", "目前"),
    ("2023年5月开行90列。", None, "2023-05", None, "2023年5月"),
    ("6月11日，共计28个冷藏集装箱。", "2023", "2023-06-11", None, "6月11日"),
    ("从2019年7月起常态化开行，累计开行1277列。", None, None, None, None),
    ("开行1277列。", "2023", None, None, None),
])
def test_periods(text, today, period, as_of, period_text):
    p = figures(text, today)[-1]
    assert (p.period, p.as_of, p.period_text) == (period, as_of, period_text)


# ---------------------------------------------------------------- dates
@pytest.mark.parametrize("text, printed, date, today", [
    ("2023年6月11日，首班抵达。", "2023年6月11日", "2023-06-11", None),
    ("2023-06-11，首班抵达。", "2023-06-11", "2023-06-11", None),
    ("6月5日，江津区举行活动。", "6月5日", None, None),
    ("6月5日，江津区举行活动。", "6月5日", "2023-06-05", "2023"),
    ("去年6月5日开工。", "6月5日", "2022-06-05", "2023-01-01"),
    ("2018 年 12 月，班列首发", "2018 年 12 月", "2018-12", None),
    ("2019\n年7月，班列常态化运行", "2019\n年7月", "2019-07", None),
    ("2022年，江津开行班列", "2022年", "2022", None),
    ("2022 年度进展最快", "2022 年度", "2022", None),
    ("行动方案(2023-2027年)", "2023-2027年", "2023..2027", None),
    ("2023年第二季度重点项目", "2023年第二季度", "2023-04..2023-06", None),
    ("今年一季度，四川", "一季度", "2023-01..2023-03", "2023"),
    ("1月-6月,江津区引进", "1月-6月", "2023-01..2023-06", "2023"),
    ("二〇二三年，江津", "二〇二三年", "2023", None),
    ("今年3月，试验走通", "3月", "2023-03", "2023"),
])
def test_dates(text, printed, date, today):
    found = [p for p in find_printed(text, UNITS, today) if p.kind == "date"]
    assert len(found) == 1, [p.printed for p in found]
    assert (found[0].printed, found[0].date) == (printed, date)
    if date is None:
        assert found[0].period_text == printed


def test_a_year_is_a_date_and_a_short_number_before_year_a_duration():
    assert kinds("2022年，江津开行班列") == [("date", "2022年", "")]
    p = one("建设周期3年。")
    assert (p.kind, p.value, p.unit) == ("figure", 3, "年")
    assert [p.kind for p in find_printed("需要3个月。", UNITS)] == ["figure"]


# ---------------------------------------------------------------- furniture
@pytest.mark.parametrize("text, printed, reason", [
    ("正文。\n\n3\n\n下一段。", "3", "page number"),
    ("正文。\n- 3 -\n下一段。", "3", "page number"),
    ("要闻 第3版", "第3版", "page number"),
    ("第 3 页", "第 3 页", "page number"),
    ("2020年7月6日 星期一\n责编 屈茸 王萃 美编 王睿 13\n", "13", "page number"),
    ("总第1234期", "总第1234期", "issue number"),
    ("市政府办公厅第 7 期调查研究", "第 7 期", "issue number"),
    ("定价 2.00元", "2.00元", "price"),
    ("全年订阅价225元", "225元", "price"),
    ("225 Yuan / Year", "225 Yuan", "price"),
    ("发行部电话: 010-58360245", "010-58360245", "phone number"),
    ("热线 023-12345678", "023-12345678", "phone number"),
    ("联系人 13912345678", "13912345678", "phone number"),
    ("国内统一连续出版物号: CN11-0118", "CN11-0118", "serial number"),
    ("CN 50-0001", "CN 50-0001", "serial number"),
    ("ISSN 1234-567X", "ISSN 1234-567X", "serial number"),
    ("邮发代号: 1-30", "1-30", "serial number"),
    ("Postal Distribution Code: 1-30", "1-30", "serial number"),
    ("2020年7月6日 星期一", "2020年7月6日", "byline date"),
    ("发布时间：2023-06-26", "2023-06-26", "byline date"),
    ("来源：重庆日报 2023年6月26日", "2023年6月26日", "byline date"),
    ("新华社重庆6月5日电 江津区", "6月5日", "dateline"),
    ("详见 https://www.cq.gov.cn/2023/0626/123.html 。", "https://www.cq.gov.cn/2023/0626/123.html",
     "URL"),
    ("会议于10:30开始。", "10:30", "time of day"),
])
def test_furniture(text, printed, reason):
    furniture = [(p.printed, p.reason) for p in find_printed(text, UNITS) if p.kind == "furniture"]
    assert (printed, reason) in furniture
    assert not [p for p in find_printed(text, UNITS) if p.kind == "figure"
                and p.start < text.index(printed) + len(printed) and p.end > text.index(printed)]


def test_a_time_label_far_before_a_date_is_no_byline():
    found = find_printed("大幅省去排队查验的时间。”负责人说,今年3月,试验走通。", UNITS)
    assert [(p.kind, p.printed) for p in found] == [("date", "3月")]


# ---------------------------------------------------------------- traditional Chinese
def test_traditional_chinese():
    text = "預計全年開行1,200列，同比增長12.5%；貨值約8.5億元，目標達到兩萬噸，高出全國3個百分點，新設5萬餘戶。"
    found = find_printed(text, UNITS, "2023")
    by = {p.printed: p for p in found}
    assert by["1,200列"].value == 1200 and by["1,200列"].status == "forecast"
    assert by["1,200列"].period == "2023"
    assert by["12.5%"].change == ChangeInfo(Decimal("12.5"), "%", "yoy", "exact")
    assert (by["8.5億元"].unit, by["8.5億元"].bound) == ("亿元", "approx")
    assert (by["兩萬噸"].value, by["兩萬噸"].unit, by["兩萬噸"].status) == (2, "万吨", "target")
    assert by["3個百分點"].unit == "个百分点"
    assert by["5萬餘戶"].unit == "万户" and by["5萬餘戶"].bound == "lower"
    dates = [p for p in find_printed("二〇二三年１２月，", UNITS)]
    assert [(p.kind, p.date) for p in dates] == [("date", "2023-12")]


# ---------------------------------------------------------------- clauses and offsets
def test_clause_is_the_shortest_clause_verbatim():
    text = "截至目前,江津区已累计创建市级“专精特新”企业236家,总量居全市区县第二。"
    p = figures(text)[0]
    assert p.clause == "江津区已累计创建市级“专精特新”企业236家"
    assert text[p.clause_start:p.clause_end] == p.clause
    p = one("全年工业投资 61.05 亿元（含技改），完成。")
    assert p.clause == "全年工业投资 61.05 亿元（含技改）"  # a bracketed remark stays
    p = one("江津区是重庆市唯一拥有3个国家级新型工业化产业(食品·粮油加工)示范基地的区县。")
    assert p.clause == "江津区是重庆市唯一拥有3个国家级新型工业化产业(食品·粮油加工)示范基地的区县"
    p = one("成为今年首个获得备案的举措（共3项）。")
    assert p.clause == "共3项"  # inside brackets: the bracketed clause
    p = one("亮点一 全年开行西部陆海新通道江津班列536列，运量")
    assert p.clause == "全年开行西部陆海新通道江津班列536列"


def test_text_order_and_offsets():
    text = "2022年,西永综保区以不到重庆市万分之五的土地面积,贡献全市超40%的外贸进出口值。"
    found = find_printed(text, UNITS)
    assert [p.printed for p in found] == ["2022年", "万分之五", "40%"]
    assert [p.start for p in found] == sorted(p.start for p in found)
    for p in found:
        assert text[p.start:p.end] == p.printed


# ---------------------------------------------------------------- the five bundled texts
def _bundled(prefix: str) -> str:
    return next(TEXTS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


@pytest.mark.parametrize("prefix, printed, value, value_max, unit, bound", [
    ("000", "2000万吨", "2000", None, "万吨", "exact"),
    ("000", "约\n75亿元", None, None, None, None),  # checked below: 约 is outside the figure
    ("001", "536列", "536", None, "列", "exact"),
    ("001", "1500 万\n吨", "1500", None, "万吨", "exact"),
    ("001", "16 公里", "16", None, "公里", "approx"),
    ("001", "83.9 分", "83.9", None, "分", "exact"),
    ("002", "10-15万辆", "10", "15", "万辆", "exact"),
    ("002", "1277列", "1277", None, "列", "exact"),
    ("002", "20362标箱", "20362", None, "标箱", "exact"),
    ("002", "600余亩", "600", None, "亩", "lower"),
    ("002", "16GWh", "16", None, "GWh", "exact"),
    ("003", "5万余户", "5", None, "万户", "lower"),
    ("003", "39.97亿元", "39.97", None, "亿元", "exact"),
    ("003", "100万亩", "100", None, "万亩", "exact"),
    ("004", "万分之五", "5", None, "万分之", "upper"),
    ("004", "半个小时", "0.5", None, "个小时", "exact"),
    ("004", "4161.1亿元", "4161.1", None, "亿元", "exact"),
    ("004", "4.2个百分点", "4.2", None, "个百分点", "exact"),
])
def test_bundled_figures(prefix, printed, value, value_max, unit, bound):
    if value is None:
        return
    found = [p for p in find_printed(_bundled(prefix), UNITS) if p.printed == printed]
    assert found, printed
    p = found[0]
    assert (p.kind, p.value, p.value_max, p.unit, p.bound) == (
        "figure", Decimal(value), None if value_max is None else Decimal(value_max), unit, bound)


def test_bundled_changes_and_statuses():
    found = find_printed(_bundled("002"), UNITS, "2023")
    by = {p.printed: (k, p) for k, p in enumerate(found)}
    assert by["116.49%"][1].change.basis == "yoy"
    assert by["116.49%"][1].change_of == by["407列"][0]
    assert by["407列"][1].period == "2023-01..2023-05"
    assert by["1277列"][1].as_of == "2023-05-31"
    assert by["230亿元"][1].status == "forecast" and by["230亿元"][1].bound == "approx"
    found = find_printed(_bundled("001"), UNITS, "2023")
    by = {p.printed: p for p in found}
    assert by["1000 列"].status == "target" and by["1000 列"].period == "2023"
    assert by["10 家"].bound == "lower"
    assert by["17.97%"].change.basis == "yoy"


def test_bundled_furniture():
    cq = find_printed(_bundled("000"), UNITS)
    furniture = {(p.printed, p.reason) for p in cq if p.kind == "furniture"}
    assert furniture == {("2020年7月6日", "byline date"), ("13", "page number")}
    ibd = find_printed(_bundled("004"), UNITS)
    furniture = [(p.printed, p.reason) for p in ibd if p.kind == "furniture"]
    assert furniture == [("225元", "price"), ("CN11-0118", "serial number"),
                         ("1-30", "serial number"), ("010-58360245", "phone number"),
                         ("225 Yuan", "price"), ("CN11-0118", "serial number"),
                         ("1-30", "serial number"), ("010-58360245", "phone number")]
    masthead = _bundled("004").index("中华人民共和国商务部主管")
    assert not [p for p in ibd if p.start > masthead and p.kind != "furniture"]
    luohuang = find_printed(_bundled("001"), UNITS)
    assert [(p.printed, p.reason) for p in luohuang if p.kind == "furniture"] == [
        ("第 7 期", "issue number")]
    for prefix in ("002", "003"):
        assert not [p for p in find_printed(_bundled(prefix), UNITS) if p.kind == "furniture"]


def test_bundled_non_quantities_are_not_figures():
    for prefix in ("000", "001", "002", "003", "004"):
        printed = {p.printed for p in find_printed(_bundled(prefix), UNITS)}
        for name in ("1155", "33618", "100", "4", "十四五", "十三五", "500", "50 ", "0", "1"):
            assert name not in printed, (prefix, name)
