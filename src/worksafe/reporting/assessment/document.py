"""The assessment's .docx (通报, GB/T 9704-2012 layout via core/official_docx.py) and .xlsx, both
written from the results (frozen when published) narrowed to what the reader may see."""

from __future__ import annotations

import datetime
import io

from worksafe.core.official_docx import OfficialDocument
from worksafe.standards.gbt9704 import document_date

from . import measures as M

GROUP_TITLES = {M.TOWNSHIPS: "各乡镇考核结果", M.DEPARTMENTS: "各部门考核结果"}


def indicators_of(res: dict, group: str) -> list[dict]:
    from .services import APPLIES

    return [i for i in res["indicators"] if i["applies_to"] in APPLIES[group]]


def _cell(c: dict) -> str:
    return c["points"] if c["applicable"] else f"{c['points']}(不涉及)"


def _value(i: dict, c: dict) -> str:
    if i["kind"] == "rate":
        return f"{c['numerator']}/{c['denominator']}" if c["denominator"] else "不涉及"
    return f"{c['numerator']}次"


def title_of(scheme) -> str:
    return f"关于{scheme.name}结果的通报"


def state_line(scheme) -> str:
    if scheme.state == "published":
        return f"已发布({scheme.published_at:%Y-%m-%d});校验值{scheme.checksum}"
    return "编制中(未发布,按当前数据试算)"


def build_docx(scheme, res: dict, groups: dict) -> bytes:
    doc = OfficialDocument(title_of(scheme), addressee="各乡镇党委、政府,县直各部门")
    p0, p1 = (datetime.date.fromisoformat(d) for d in res["period"])
    doc.para(f"按照《{scheme.plan.title}》“年度有考核,结果有通报”的要求,县安委办(工作专班)对"
             f"{document_date(p0)}至{document_date(p1)}各乡镇、各部门安全生产专项整治工作进行了考核,"
             f"数据截至{document_date(p1)}。实行百分制,{res['pass_mark']}分以下为不合格,"
             f"{res['excellent_mark']}分以上为优秀,触及一票否决的评定为不合格。"
             + ("" if scheme.state == "published" else "本稿为试算稿,未发布。"))
    doc.heading(1, "考核指标")
    doc.table(["指标", "计分方式", "分值", "考核对象"],
              [[i["label"], "按比例计分" if i["kind"] == "rate" else f"每次扣{i['per_item']}分"
                + (f",{i['veto_at']}次一票否决" if i["veto_at"] else ""), i["weight"],
                {"both": "乡镇和部门", "townships": "乡镇", "departments": "部门"}[i["applies_to"]]]
               for i in res["indicators"]])
    for g in (M.TOWNSHIPS, M.DEPARTMENTS):
        rows = groups.get(g) or []
        if not rows:
            continue
        doc.heading(1, GROUP_TITLES[g])
        by_grade = {k: [u["name"] for u in rows if u["grade"] == k] for k in ("优秀", "合格", "不合格")}
        doc.para(";".join(f"{k}{len(v)}个" + (f"({'、'.join(v)})" if v and k != "合格" else "")
                          for k, v in by_grade.items()) + "。")
        doc.table(["名次", "单位", "得分", "等次"],
                  [[u["rank"], u["name"], u["total"], u["grade"] + ("(一票否决)" if u["vetoed"] else "")]
                   for u in rows])
    doc.para("各单位得分明细及每项指标所依据的记录见附表(.xlsx)和系统考核明细。")
    from django.utils import timezone

    doc.signature("县安全生产委员会办公室", p1 if scheme.published_at is None
                  else timezone.localtime(scheme.published_at).date())
    return doc.to_bytes()


def build_xlsx(scheme, res: dict, groups: dict) -> bytes:
    from openpyxl import Workbook

    from worksafe.core.export import cell_value, print_ready

    wb = Workbook()
    wb.remove(wb.active)

    def sheet(name, headers, rows):
        ws = wb.create_sheet(name)
        ws.append([f"{scheme.name}·{name}"])
        ws.append([f"考核期{res['period'][0]}至{res['period'][1]};{state_line(scheme)}"])
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(1, len(headers)))
        ws.append(headers)
        for r in rows:
            ws.append([cell_value(v) for v in r])
        print_ready(ws, header_row=3, n_cols=len(headers), widths=[max(10, min(40, len(h) * 3)) for h in headers])

    sheet("指标", ["序号", "指标", "计分方式", "分值", "每次扣分", "一票否决(次)", "考核对象"],
          [[n, i["label"], "按比例计分" if i["kind"] == "rate" else "按次扣分", float(i["weight"]),
            float(i["per_item"]), i["veto_at"], {"both": "乡镇和部门", "townships": "乡镇",
                                                  "departments": "部门"}[i["applies_to"]]]
           for n, i in enumerate(res["indicators"], start=1)])
    for g in (M.TOWNSHIPS, M.DEPARTMENTS):
        rows = groups.get(g) or []
        if not rows:
            continue
        inds = indicators_of(res, g)
        headers = ["名次", "单位"] + [h for i in inds for h in (f"{i['label']}(数据)", f"{i['label']}(得分)")] \
            + ["总分", "一票否决", "等次"]
        sheet(GROUP_TITLES[g], headers,
              [[u["rank"], u["name"]] + [v for i in inds for v in (_value(i, u["cells"][i["measure"]]),
                                                                   float(u["cells"][i["measure"]]["points"]))]
               + [float(u["total"]), "是" if u["vetoed"] else "", u["grade"]] for u in rows])
    detail = []
    labels = {i["measure"]: i["label"] for i in res["indicators"]}
    for g in (M.TOWNSHIPS, M.DEPARTMENTS):
        for u in groups.get(g) or []:
            for m, rows in res["rows"].get(u["ref"], {}).items():
                for r in rows:
                    row = M.Row.from_list(r)
                    detail.append([u["name"], labels.get(m, m), row.label, "计入" if row.counted else "不计入", row.why])
    sheet("明细", ["单位", "指标", "记录", "计入", "说明"], detail)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
