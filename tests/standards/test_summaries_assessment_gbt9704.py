"""Worked examples of standards/summaries.py, standards/assessment.py and standards/gbt9704.py."""

import datetime
from decimal import Decimal

import pytest

from worksafe.standards import assessment as A
from worksafe.standards.gbt9704 import chinese_number, document_date, heading_number, page_number_text
from worksafe.standards.summaries import summary_schedule

MAQIN = ("各乡镇、各单位于每年12月5日将专项整治三年行动方案开展情况总结报送工作专班处(县应急管理局),"
         "工作专班办公室汇总梳理向县安委会报告;2022年12月5日,工作专班对专项整治三年行动进行全面总结评估,"
         "提请安委会审议后,上报县委、县政府。")


def test_maqin_dates():
    s = summary_schedule(MAQIN)
    assert (s.month, s.day) == (12, 5)
    assert s.due_in(2025) == datetime.date(2025, 12, 5)
    assert s.final_on == datetime.date(2022, 12, 5)
    assert "每年12月5日" in s.sentence and "全面总结评估" in s.final_sentence


@pytest.mark.parametrize("text,due", [
    ("各成员单位于每年11月30日前将年度工作总结报送县安委办。", datetime.date(2025, 11, 30)),
    ("每年12月底前，各责任单位将工作总结报县安委办。", datetime.date(2025, 12, 31)),
    ("各乡镇每年年底前上报年度总结。", datetime.date(2025, 12, 31)),
    ("每年2月29日报送上年度总结。", datetime.date(2025, 2, 28)),
])
def test_other_layouts(text, due):
    assert summary_schedule(text).due_in(2025) == due


def test_no_date_and_no_false_matches():
    assert summary_schedule("各单位要加强信息报送。").due_in(2025) is None
    # a yearly date without 总结 is not the summaries' date
    assert summary_schedule("每年6月开展安全生产月活动并报送信息。").month is None
    # an impossible date is not read
    assert summary_schedule("每年13月5日报送总结。").month is None
    s = summary_schedule("2022年底前完成全面总结评估验收。")
    assert s.final_on == datetime.date(2022, 12, 31)


def test_rate_and_not_applicable():
    assert A.score_indicator(A.RATE, 20, numerator=3, denominator=4).points == Decimal("15.00")
    na = A.score_indicator(A.RATE, 20, numerator=0, denominator=0)
    assert na.points == Decimal("20") and not na.applicable
    assert A.score_indicator(A.RATE, 10, numerator=5, denominator=4).points == Decimal("10.00")  # capped


def test_deduction_floored_and_veto():
    assert A.score_indicator(A.DEDUCTION, 15, numerator=2, per_item=5).points == Decimal("5.00")
    assert A.score_indicator(A.DEDUCTION, 15, numerator=4, per_item=5).points == Decimal("0.00")  # 扣完为止
    v = A.score_indicator(A.DEDUCTION, 15, numerator=1, per_item=5, veto_at=1)
    assert v.vetoed and v.points == Decimal("10.00")
    with pytest.raises(ValueError):
        A.score_indicator("bonus", 5)


def test_grade_and_rank():
    assert A.grade(59.99) == "不合格" and A.grade(60) == "合格" and A.grade(90) == "优秀"
    assert A.grade(95, vetoed=True) == "不合格"
    assert A.rank({"a": 80, "b": 90, "c": 80, "d": 70}) == {"b": 1, "a": 2, "c": 2, "d": 4}


def test_layout_helpers():
    assert [heading_number(1, 1), heading_number(2, 12), heading_number(3, 3), heading_number(4, 2)] == \
        ["一、", "（十二）", "3.", "（2）"]
    assert chinese_number(20) == "二十" and chinese_number(23) == "二十三" and chinese_number(10) == "十"
    assert page_number_text(3) == "— 3 —"
    assert document_date(datetime.date(2025, 1, 5)) == "2025年1月5日"
