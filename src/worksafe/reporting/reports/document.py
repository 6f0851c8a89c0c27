"""The report's .docx (GB/T 9704-2012 layout, core/official_docx.py) and its tables as .xlsx, both
written from the stored figures only, so a document regenerated from a report's figures is the
same document."""

from __future__ import annotations

import datetime
import io

from worksafe.core.official_docx import OfficialDocument
from worksafe.standards.gbt9704 import document_date

STATUS = {"not_started": "未开始", "in_progress": "推进中", "done": "已完成", "blocked": "受阻"}
KIND = {"random": "双随机抽查", "cross_region": "异地交叉检查", "covert": "明查暗访", "department": "部门检查"}
CATEGORY = {"measure": "现场处理措施", "order": "责令限期整改", "penalty": "行政处罚"}
ACCOUNT = {"interview": "约谈", "circular": "通报", "warning": "警示", "exposure": "曝光"}
AUDIENCE = {"officials": "安全监管干部", "principals": "企业主要负责人", "safety_managers": "安全管理人员"}


def _pct(a, b) -> str:
    return f"{a * 100 / b:.1f}%" if b else "—"


def _d(iso: str) -> str:
    return document_date(datetime.date.fromisoformat(iso))


def _grade_label(code: str) -> str:
    from worksafe.standards.order493 import Grade

    return next((g.label for g in Grade if g.code == code), code)


def title_of(figures: dict, year: int) -> str:
    county = figures["county"]
    if figures["kind"] == "final":
        return f"{county}安全生产专项整治三年行动全面总结评估报告"
    return f"{county}安全生产专项整治三年行动{year}年度工作情况报告"


def sections(f: dict) -> list[tuple[str, list[str]]]:
    """The report's headings and paragraphs, every number from the figures."""
    win = f["window"]
    span = f"{_d(win['start'])}至{_d(win['end'])}"
    areas = f["areas"]
    n_tasks = sum(a["tasks"] for a in areas)
    done = sum(a["done"] for a in areas)
    on_time = sum(a["done_on_time"] for a in areas)
    overdue = sum(a["overdue"] for a in areas)
    doing = sum(a["in_progress"] for a in areas)
    out = []
    late_areas = [f"{a['number']}、{a['title']}({a['overdue']}项)" for a in areas if a["overdue"]]
    out.append(("总体进展", [
        f"方案共明确{len(areas)}个专项、{n_tasks}项任务,涉及{f['plan_units']}个牵头和责任单位。截至{_d(f['as_of'])},"
        f"已完成{done}项(其中按期完成{on_time}项),推进中{doing}项,逾期未完成{overdue}项,"
        f"完成率{_pct(done, n_tasks)}。",
        ("逾期未完成任务集中在:" + ";".join(late_areas) + "。") if late_areas else "没有逾期未完成的任务。",
    ]))
    tg = f["targets"]
    known = [t for t in tg if t["met"] is not None]
    met = [t for t in known if t["met"]]
    unmet = [t for t in known if not t["met"]]
    tparas = [f"方案设定量化目标{len(tg)}项,截至{_d(f['as_of'])}有数据的{len(known)}项中已达到{len(met)}项。"]
    if unmet:
        tparas.append("未达到的目标:" + ";".join(f"{t['text']}(当前{t['current']}{t['unit']})" for t in unmet) + "。")
    if len(known) < len(tg):
        tparas.append(f"另有{len(tg) - len(known)}项目标尚无填报或可回溯的数据。")
    out.append(("目标指标完成情况", tparas))
    h = f["hazards"]
    out.append(("隐患排查治理", [
        f"{span},共排查发现事故隐患{h['found']['total']}项,其中一般事故隐患{h['found']['general']}项、"
        f"重大事故隐患{h['found']['major']}项;整改销号{h['closed']['total']}项"
        f"(重大事故隐患{h['closed']['major']}项)。整改期限届满的{h['due']}项中按期整改{h['rectified_on_time']}项,"
        f"按期整改率{_pct(h['rectified_on_time'], h['due'])}。",
        f"截至{_d(f['as_of'])},尚未销号的隐患{h['open']['total']}项(重大{h['open']['major']}项),"
        f"其中超过整改期限的{h['overdue']['total']}项(重大{h['overdue']['major']}项);"
        f"挂牌督办中的重大事故隐患{h['listed']}项,本期新挂牌{h['listed_in_period']}项。",
    ]))
    i = f["inspections"]
    kinds = "、".join(f"{KIND.get(k, k)}{v}次" for k, v in i["by_kind"].items()) or "无"
    enf = "、".join(f"{CATEGORY.get(k, k)}{v}项" for k, v in i["enforcement"].items()) or "无"
    out.append(("监督检查和执法", [
        f"{span},各部门完成监督检查{i['done']}次,覆盖企业{i['enterprises']}家,其中{kinds}。"
        f"采取执法措施:{enf};作出行政处罚决定{i['penalties']}项,罚款{i['fines']}元。",
    ]))
    t = f["tipoffs"]
    out.append(("举报受理和奖励", [
        f"{span},受理群众举报{t['received']}件,办结{t['closed']}件;办结期限届满的{t['due']}件中按期办结"
        f"{t['closed_on_time']}件。兑现举报奖励{t['rewards_paid']}笔,金额{t['reward_amount']}元。",
    ]))
    a = f["accidents"]
    grades = "、".join(f"{_grade_label(g)}{n}起" for g, n in a["by_grade"].items())
    out.append(("生产安全事故", [
        f"{span},全县发生生产安全事故{a['count']}起、死亡{a['deaths']}人" + (f",其中{grades}" if grades else "") + "。",
    ]))
    c = f["credit"]
    acc = "、".join(f"{ACCOUNT.get(k, k)}{v}次" for k, v in c["accountability"].items()) or "无"
    out.append(("失信惩戒和责任追究", [
        f"{span},新列入安全生产严重失信主体名单{c['listed_in_period']}家,截至{_d(f['as_of'])}在列{c['on_list']}家。"
        f"对责任不落实的单位和企业实施{acc}。",
    ]))
    tr = f["training"]
    out.append(("培训教育", [
        ";".join(f"{AUDIENCE[k]}{v['total']}人,本年度参训{v['trained']}人,覆盖率{v['pct'] + '%' if v['pct'] else '—'}"
                 for k, v in tr.items()) + "。",
    ]))
    s = f.get("summaries")
    if s:
        paras = [f"应报送总结的单位{s['units']}个,报送截止日期{_d(s['due'])};截至{_d(f['as_of'])}已报送{s['submitted']}个。"]
        if s["late"]:
            paras.append("逾期报送的单位:" + "、".join(s["late"]) + "。")
        if s["missing"]:
            paras.append("未报送的单位:" + "、".join(s["missing"]) + "。")
        out.append(("各单位总结报送情况", paras))
    return out


def build_docx(report, figures: dict) -> bytes:
    doc = OfficialDocument(title_of(figures, report.year), addressee="县安全生产委员会")
    basis = "全面总结评估" if figures["kind"] == "final" else f"{report.year}年度工作情况"
    doc.para(f"按照《{figures['plan']}》要求,现将安全生产专项整治三年行动{basis}报告如下。")
    for heading, paras in sections(figures):
        doc.heading(1, heading)
        for p in paras:
            doc.para(p)
    if report.remarks.strip():
        doc.heading(1, "存在的问题和下一步工作")
        for line in report.remarks.splitlines():
            if line.strip():
                doc.para(line.strip())
    doc.para("附件:各专项任务进展、目标、隐患、执法、举报、事故、信用、培训统计表(另附.xlsx)")
    doc.heading(1, "各专项任务进展表")
    doc.table(["专项", "牵头单位", "任务", "已完成", "按期", "逾期"],
              [[f"{a['number']}、{a['title']}", a["lead"], a["tasks"], a["done"], a["done_on_time"], a["overdue"]]
               for a in figures["areas"]])
    doc.signature(f"{figures['county']}安全生产专项整治三年行动工作专班", datetime.date.fromisoformat(figures["as_of"]))
    return doc.to_bytes()


def build_xlsx(report, figures: dict) -> bytes:
    from openpyxl import Workbook

    from worksafe.core.export import cell_value, print_ready

    wb = Workbook()
    wb.remove(wb.active)
    title = title_of(figures, report.year)

    def sheet(name, headers, rows):
        ws = wb.create_sheet(name)
        ws.append([f"{title}·{name}"])
        ws.append([f"数据截至{_d(figures['as_of'])};统计期{_d(figures['window']['start'])}至{_d(figures['window']['end'])};"
                   f"校验值{report.checksum}"])
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(1, len(headers)))
        ws.append(headers)
        for r in rows:
            ws.append([cell_value(v) for v in r])
        print_ready(ws, header_row=3, n_cols=len(headers), widths=[max(10, min(60, len(h) * 3)) for h in headers])

    sheet("专项进展", ["序号", "专项", "牵头单位", "任务数", "已完成", "按期完成", "推进中", "逾期未完成"],
          [[a["number"], a["title"], a["lead"], a["tasks"], a["done"], a["done_on_time"], a["in_progress"],
            a["overdue"]] for a in figures["areas"]])
    sheet("任务", ["专项", "序号", "任务", "完成时限", "状态", "按期完成", "逾期"],
          [[t["area"], t["order"], t["text"], t["due"], STATUS.get(t["status"], t["status"]),
            "是" if t["done_on_time"] else "", "是" if t["overdue"] else ""] for t in figures["tasks"]])
    sheet("目标", ["专项", "目标", "目标值", "单位", "时限", "当前值", "达到"],
          [[t["area"], t["text"], t["value"], t["unit"], t["deadline"], t["current"],
            {True: "是", False: "否", None: "无数据"}[t["met"]]] for t in figures["targets"]])
    h = figures["hazards"]
    sheet("隐患", ["项目", "合计", "一般", "重大"],
          [[label, h[k]["total"], h[k]["general"], h[k]["major"]]
           for k, label in (("found", "排查发现"), ("closed", "整改销号"), ("open", "未销号(期末)"),
                            ("overdue", "超期未整改(期末)"))]
          + [["整改期限届满", h["due"], "", ""], ["按期整改", h["rectified_on_time"], "", ""],
             ["挂牌督办中(期末)", h["listed"], "", ""], ["本期新挂牌", h["listed_in_period"], "", ""]])
    i = figures["inspections"]
    sheet("检查执法", ["项目", "数量"],
          [["监督检查(次)", i["done"]], ["覆盖企业(家)", i["enterprises"]]]
          + [[KIND.get(k, k), v] for k, v in i["by_kind"].items()]
          + [[CATEGORY.get(k, k), v] for k, v in i["enforcement"].items()]
          + [["行政处罚决定(项)", i["penalties"]], ["罚款(元)", i["fines"]]])
    t = figures["tipoffs"]
    sheet("举报奖励", ["项目", "数量"],
          [["受理举报(件)", t["received"]], ["办结(件)", t["closed"]], ["办结期限届满(件)", t["due"]],
           ["按期办结(件)", t["closed_on_time"]], ["兑现奖励(笔)", t["rewards_paid"]], ["奖励金额(元)", t["reward_amount"]]])
    a = figures["accidents"]
    sheet("事故", ["项目", "数量"], [["事故(起)", a["count"]], ["死亡(人)", a["deaths"]]]
          + [[_grade_label(g), n] for g, n in a["by_grade"].items()])
    c = figures["credit"]
    sheet("信用问责", ["项目", "数量"], [["新列入严重失信主体名单(家)", c["listed_in_period"]], ["期末在列(家)", c["on_list"]]]
          + [[ACCOUNT.get(k, k), v] for k, v in c["accountability"].items()])
    sheet("培训", ["培训对象", "人数", "参训", "覆盖率(%)"],
          [[AUDIENCE[k], v["total"], v["trained"], v["pct"]] for k, v in figures["training"].items()])
    s = figures.get("summaries")
    if s:
        sheet("总结报送", ["项目", "内容"],
              [["应报送单位", s["units"]], ["截止日期", s["due"]], ["已报送", s["submitted"]],
               ["逾期报送", "、".join(s["late"])], ["未报送", "、".join(s["missing"])]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
