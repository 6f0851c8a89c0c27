"""When a plan wants its yearly summaries and its final evaluation, read from the plan's own text.

County plans of 2020 say, in their 保障措施, when units send their yearly summary to the working
group, and when the working group makes the final evaluation. The 玛沁县 plan writes::

    各乡镇、各单位于每年12月5日将专项整治三年行动方案开展情况总结报送工作专班处（县应急管理局）……;
    2022年12月5日，工作专班对专项整治三年行动进行全面总结评估，提请安委会审议后……

Other plans write 每年11月30日前, 每年12月底前, 每年年底前, 每半年/每季度 … (the half-yearly and
quarterly ones are not yearly summaries and are not read here). Rules:

- the yearly date is the first ``每年M月D日`` / ``每年M月底`` / ``每年年底`` in a sentence (split at 。；;
  and line breaks) that also says 总结 and one of 报送 / 报 / 上报 / 报告 (M月底 → the month's last
  day; 年底 → 12月31日);
- the final evaluation is the first full date ``YYYY年M月D日`` (or ``YYYY年M月底`` / ``YYYY年底``)
  in a sentence that says 全面总结 or 总结评估 or 评估验收 and not 每年;
- nothing found → ``None``: the county office types the date (the round keeps who set it).

Pure functions; the worked examples are in tests/standards/test_summaries.py.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

_SENTENCES = re.compile(r"[。；;\n]")
_YEARLY = re.compile(r"每年(?:(\d{1,2})月(?:(\d{1,2})日|(底))|(年底))")
_DATED = re.compile(r"(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})日|(底))|(底))")
_REPORT_WORDS = ("报送", "上报", "报告", "报")
_FINAL_WORDS = ("全面总结", "总结评估", "评估验收")


@dataclass(frozen=True)
class SummarySchedule:
    month: int | None = None
    day: int | None = None
    sentence: str = ""
    final_on: datetime.date | None = None
    final_sentence: str = ""

    def due_in(self, year: int) -> datetime.date | None:
        """The yearly summaries' date in ``year`` (a 2月29日 in a common year falls on 2月28日)."""
        if self.month is None:
            return None
        last = calendar.monthrange(year, self.month)[1]
        return datetime.date(year, self.month, min(self.day or last, last))


def _month_end(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def summary_schedule(text: str) -> SummarySchedule:
    month = day = None
    sentence = ""
    final_on = None
    final_sentence = ""
    for s in _SENTENCES.split(text or ""):
        s = s.strip()
        if not s:
            continue
        if month is None and "总结" in s and any(w in s for w in _REPORT_WORDS):
            m = _YEARLY.search(s)
            if m:
                if m.group(4):
                    month, day = 12, 31
                else:
                    mm = int(m.group(1))
                    if 1 <= mm <= 12:
                        month = mm
                        day = int(m.group(2)) if m.group(2) else None
                        if day is not None and not 1 <= day <= _month_end(2024, mm):
                            month = day = None
                if month is not None:
                    sentence = s
        if final_on is None and "每年" not in s and any(w in s for w in _FINAL_WORDS):
            m = _DATED.search(s)
            if m:
                y = int(m.group(1))
                try:
                    if m.group(5):
                        final_on = datetime.date(y, 12, 31)
                    else:
                        mm = int(m.group(2))
                        dd = int(m.group(3)) if m.group(3) else _month_end(y, mm)
                        final_on = datetime.date(y, mm, dd)
                    final_sentence = s
                except ValueError:
                    final_on = None
    return SummarySchedule(month, day, sentence, final_on, final_sentence)
