"""A generated demo register for a county (built for 玛沁县): enterprises across the plan's
sectors in every township, their people, licences and facilities, risk points assessed by
LEC or the risk matrix, major hazard sources graded by GB 18218-2018, a few diagnoses and
the gathering places of the external safety distance check.

Demo data is generated, never real people (DESIGN.md §5): every name is a random pairing
from short lists of common surnames and given names, every phone is 1390000xxxx, every
credit code is ``91`` + the county code + ``DM`` (demo) + random characters with a valid
GB 32100 check character. Everything is written through the services, so history,
validation and each enterprise's colour are as if an officer had entered it.

:func:`generate` is deterministic (``random.Random(seed)``; dates are relative to today) and
idempotent: enterprises are recognised by their credit code, so running it again creates
nothing and an interrupted run is completed.
"""

from __future__ import annotations

import datetime
import itertools
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from worksafe.core.services import save_as
from worksafe.enterprises.models import Enterprise, Facility, GatheringPlace, Licence, SafetyManager
from worksafe.org.models import Division
from worksafe.standards import gb32100, hazchem_diagnosis, lec, risk_matrix
from worksafe.standards.levels import Level

REASON = "演示数据(生成)"
CODE_MARK = "DM"  # characters 9–10 of a generated credit code: "demo"

# ---------------------------------------------------------------- fake people and words

HAN_SURNAMES = "王李张刘陈杨赵周吴马韩孙朱徐何罗郭胡"
HAN_GIVEN = ["建国", "海燕", "文华", "志强", "秀英", "晓东", "丽娟", "永福", "学军", "春梅", "国庆", "玉兰",
             "明", "伟", "芳", "强", "军", "静", "磊", "洋", "海龙", "红霞"]
TIBETAN_PARTS = ["才让", "扎西", "多杰", "卓玛", "索南", "拉毛", "旦增", "尼玛", "东主", "加措", "公保", "德吉",
                 "更登", "桑杰", "措毛", "华旦", "完德", "吉先"]
WORDS = ["雪域", "格桑", "吉祥", "玛域", "高原", "昆仑", "德吉", "扎西", "祥云", "瑞丰", "鑫源", "宏达", "恒通",
         "金诺", "顺达", "安康", "康宁", "福源", "兴隆", "兴旺", "腾达", "华瑞", "宏泰", "昌盛", "通达", "远航",
         "天路", "雪莲", "草原", "牧歌", "青藏", "金河", "三江源", "雪峰", "岭国", "隆达", "吉美", "圣湖",
         "金鹰", "晨光", "瑞祥", "永昌", "源泉", "北辰", "银河", "黄河源", "宏基", "惠民", "利民", "安达"]
ROADS = ["团结路", "建设路", "幸福路", "雪山路", "黄河路", "民主路", "东环路", "西环路", "滨河路", "文化路"]
VILLAGE_PARTS = ["德吉", "格桑", "扎西", "曲哇", "赛日", "尕玛", "达让", "塔秀", "阳曲", "龙恩"]
INSURERS = ["中国人民财产保险股份有限公司果洛州分公司", "中国平安财产保险股份有限公司果洛中心支公司",
            "中华联合财产保险股份有限公司果洛中心支公司"]

#: township → weight of the random fill (the county seat has the most)
TOWN_WEIGHTS = {"大武镇": 50, "拉加镇": 12, "大武乡": 10, "东倾沟乡": 8, "雪山乡": 8, "下大武乡": 7,
                "优云乡": 7, "当洛乡": 8}


def fake_name(rng: random.Random) -> str:
    if rng.random() < 0.55:
        return rng.choice(TIBETAN_PARTS) + rng.choice(TIBETAN_PARTS)
    return rng.choice(HAN_SURNAMES) + rng.choice(HAN_GIVEN)


def fake_phone(rng: random.Random) -> str:
    return f"1390000{rng.randrange(10000):04d}"


# ---------------------------------------------------------------- kinds of enterprise

RP = tuple[str, str, str, str, str]  # name, location, hazards, possible accidents, control measures

_ELECTRIC: RP = ("配电室", "配电室", "电气线路老化、接地不良", "触电、火灾", "定期检测接地电阻,持证电工操作")
_FIRE: RP = ("消防设施及疏散通道", "全场所", "消防设施失效、通道堵塞", "火灾", "每月检查消防器材,保持通道畅通")


@dataclass(frozen=True)
class Kind:
    sectors: tuple[str, ...]  # sector keywords (matched against Sector.name)
    names: tuple[str, ...]  # {p} prefix, {w} word, {t} township
    employees: tuple[int, int]
    risk_points: tuple[RP, ...]
    licences: tuple[tuple[str, str, str], ...] = ()  # kind, issuer, number format ({y}, {n})
    towns: tuple[str, ...] = ()  # preferred townships (random fill)
    high: bool = False  # more severe risk spread, compulsory insurance
    protection: tuple[int, int] | None = None  # external safety distance (m)
    weight: float = 1.0  # share of the random fill


KINDS: dict[str, Kind] = {
    "gas_station": Kind(
        ("危险化学品",), ("{p}{w}加油站", "{p}{t}{w}加油站", "{p}{w}石油销售有限公司加油站"), (6, 25),
        (("卸油作业区", "卸油口", "油气挥发、静电积聚", "火灾、爆炸", "卸油时静电接地,专人监护,雷雨天停止卸油"),
         ("加油作业区", "加油岛", "油气泄漏、车辆撞击、明火", "火灾、爆炸、车辆伤害", "禁止烟火,熄火加油,设防撞柱"),
         ("埋地储罐区", "罐区", "储罐渗漏、液位超限", "火灾、爆炸、环境污染", "液位仪远传监控,定期检测双层罐"),
         _ELECTRIC),
        (("危险化学品经营许可证", "果洛州应急管理局", "青果危化经字〔{y}〕{n:04d}号"),
         ("成品油零售经营批准证书", "青海省商务厅", "油零售证书第{n:05d}号")),
        high=True, protection=(50, 50), weight=6),
    "lpg_station": Kind(
        ("危险化学品", "城镇建设"), ("{p}{w}液化气有限公司", "{p}{w}燃气有限公司液化气储配站"), (8, 30),
        (("液化石油气储罐区", "罐区", "压力容器超压、泄漏", "火灾、爆炸", "安全阀、紧急切断阀定期校验,可燃气体报警"),
         ("充装间", "充装台", "超装、气瓶泄漏", "火灾、爆炸", "充装前检查气瓶,称重复检,防爆电气"),
         ("槽车装卸台", "装卸区", "软管破裂、静电", "火灾、爆炸", "装卸专人监护,静电接地,拉断阀"), _ELECTRIC),
        (("燃气经营许可证", "玛沁县住房和城乡建设局", "青202600{n:04d}G"),
         ("移动式压力容器/气瓶充装许可证", "青海省市场监督管理局", "TS42630{n:03d}-{y}"),
         ("危险化学品经营许可证", "果洛州应急管理局", "青果危化经字〔{y}〕{n:04d}号")),
        high=True, protection=(150, 300), weight=1),
    "lng_station": Kind(
        ("危险化学品", "城镇建设"), ("{p}{w}天然气有限公司", "{p}{w}能源有限公司"), (10, 40),
        (("LNG储罐区", "罐区", "低温泄漏、超压", "火灾、爆炸、冻伤", "液位压力远传监控,紧急切断,BOG回收"),
         ("气化调压区", "气化器", "调压失效、管道泄漏", "火灾、爆炸", "定期巡检,可燃气体报警联锁"),
         ("槽车卸车区", "卸车台", "软管破裂、静电", "火灾、爆炸", "卸车专人监护,静电接地"), _ELECTRIC),
        (("燃气经营许可证", "玛沁县住房和城乡建设局", "青202600{n:04d}G"),
         ("危险化学品经营许可证", "果洛州应急管理局", "青果危化经字〔{y}〕{n:04d}号")),
        high=True, protection=(200, 400), weight=0.5),
    "oil_depot": Kind(
        ("危险化学品",), ("{p}{w}石油储运有限公司",), (20, 60),
        (("成品油储罐区", "罐区", "储罐泄漏、雷击、静电", "火灾、爆炸", "罐区防雷防静电检测,液位高低位报警"),
         ("油品装车栈台", "装车区", "油气挥发、溢油", "火灾、爆炸", "密闭装车,溢油静电保护器"),
         ("消防泵房", "泵房", "消防泵失效", "火灾扩大", "每周启泵试验"), _ELECTRIC),
        (("危险化学品经营许可证", "果洛州应急管理局", "青果危化经字〔{y}〕{n:04d}号"),
         ("成品油仓储经营批准证书", "青海省商务厅", "油仓储证书第{n:05d}号")),
        high=True, protection=(300, 500), weight=0),
    "gas_plant": Kind(
        ("危险化学品", "特种设备"), ("{p}{w}工业气体有限公司", "{p}{w}工业气体充装站"), (5, 20),
        (("乙炔瓶库", "瓶库", "乙炔泄漏、回火", "火灾、爆炸", "通风,防爆电气,与氧气瓶分开存放"),
         ("氧气充装间", "充装台", "超压、油脂污染", "火灾、爆炸", "禁油,充装前检查"), _ELECTRIC),
        (("气瓶充装许可证", "青海省市场监督管理局", "TS42630{n:03d}-{y}"),
         ("危险化学品经营许可证", "果洛州应急管理局", "青果危化经字〔{y}〕{n:04d}号")),
        high=True, protection=(100, 200), weight=0.5),
    "chem_shop": Kind(
        ("危险化学品",), ("{p}{w}化工商贸有限公司", "{p}{w}危险化学品经营部"), (2, 8),
        (("经营场所", "门店", "样品泄漏", "中毒、火灾", "无仓储经营,样品定量存放"), _FIRE),
        (("危险化学品经营许可证", "果洛州应急管理局", "青果危化经字〔{y}〕{n:04d}号"),),
        high=True, protection=(30, 60), weight=1.5),
    "hazmat_transport": Kind(
        ("道路运输", "危险化学品"), ("果洛{w}危险货物运输有限公司", "{p}{w}危货运输有限公司"), (15, 60),
        (("危险货物运输车辆", "运输途中", "泄漏、追尾、侧翻", "火灾、爆炸、车辆伤害", "卫星定位动态监控,押运员随车"),
         ("停车场", "专用停车场", "车辆泄漏、明火", "火灾、爆炸", "专用停车场,禁止烟火"),
         ("车辆维修车间", "车间", "带料维修、动火", "火灾、机械伤害", "动火作业审批")),
        (("道路运输经营许可证", "果洛州交通运输局", "青交运管许可果字632600{n:06d}号"),),
        towns=("大武镇", "大武乡"), high=True, weight=0.7),
    "mine_sand": Kind(
        ("非煤矿山",), ("{p}{t}{w}砂石料场", "{p}{w}砂石料有限公司", "{p}{t}{w}采石场"), (6, 40),
        (("露天采场边坡", "采场", "边坡失稳、台阶超高", "坍塌、物体打击", "分台阶开采,定期边坡监测"),
         ("破碎筛分车间", "破碎机", "转动部件无防护、粉尘", "机械伤害、尘肺", "防护罩,喷雾降尘"),
         ("矿区运输道路", "运输道路", "车辆超载、路面湿滑", "车辆伤害", "限速,设挡车墙"),
         ("爆破作业", "采场", "盲炮、警戒不严", "放炮、物体打击", "委托专业爆破公司,设警戒")),
        (("安全生产许可证", "青海省应急管理厅", "(青)FM安许证字〔{y}〕{n:04d}号"),
         ("采矿许可证", "玛沁县自然资源局", "C63262120{y}0{n:05d}")),
        towns=("拉加镇", "东倾沟乡", "下大武乡", "大武乡", "雪山乡", "当洛乡", "优云乡"), high=True, weight=6),
    "mine_metal": Kind(
        ("非煤矿山",), ("果洛{w}矿业有限公司", "{p}{w}矿业开发有限公司"), (60, 400),
        (("尾矿库", "尾矿库", "浸润线超高、干滩长度不足", "溃坝", "在线监测,汛期24小时值班"),
         ("露天采场边坡", "采场", "边坡失稳", "坍塌", "边坡雷达监测"),
         ("选矿车间", "选矿厂", "转动设备、药剂", "机械伤害、中毒", "防护罩,药剂专库存放"),
         ("炸药库", "炸药库", "爆炸品储存", "爆炸", "双人双锁,视频监控")),
        (("安全生产许可证", "青海省应急管理厅", "(青)FM安许证字〔{y}〕{n:04d}号"),
         ("采矿许可证", "青海省自然资源厅", "C63000020{y}0{n:05d}")),
        towns=("拉加镇", "下大武乡", "东倾沟乡"), high=True, weight=0),
    "industry": Kind(
        ("工贸",), ("{p}{w}牦牛肉食品有限公司", "{p}{w}乳制品有限公司", "{p}{w}青稞加工厂", "{p}{w}建材有限公司",
                   "{p}{w}机动车维修厂", "{p}{w}木材加工厂", "{p}{w}彩钢制品厂", "{p}{w}水泥制品厂",
                   "{p}{w}藏毯加工有限公司"), (5, 120),
        (("粉尘作业区", "加工车间", "可燃性粉尘积聚", "粉尘爆炸", "定期清扫,除尘系统"),
         ("有限空间", "污水池、储罐", "缺氧、有毒气体", "中毒和窒息", "先通风、再检测、后作业"),
         ("机械加工设备", "生产车间", "转动部位外露", "机械伤害", "安全防护罩,停机检修挂牌"),
         ("冷库", "冷库", "制冷剂泄漏", "中毒和窒息", "氨/氟泄漏报警"), _ELECTRIC),
        (), weight=12),
    "crowded": Kind(
        ("消防",), ("{p}{w}宾馆", "{p}{w}大酒店", "{p}{w}商贸城", "{p}{w}购物中心", "{p}{w}娱乐会所",
                   "{p}{w}网吧", "{p}{w}藏餐厅", "{p}{w}火锅店"), (4, 80),
        (("厨房燃气", "厨房", "燃气泄漏、油烟管道积油", "火灾、爆炸", "安装燃气泄漏报警,定期清洗烟道"),
         ("疏散通道及安全出口", "全场所", "通道堵塞、出口锁闭", "火灾、踩踏", "每日防火巡查"),
         ("电动车充电区", "停车棚", "违规充电", "火灾", "集中充电,定时断电"), _ELECTRIC),
        (("公众聚集场所投入使用、营业前消防安全检查合格证", "玛沁县消防救援大队", "玛消安检字〔{y}〕第{n:04d}号"),),
        weight=20),
    "transport_passenger": Kind(
        ("道路运输",), ("{p}{w}客运有限公司", "{p}{w}出租汽车有限公司", "{p}{w}旅游客运有限公司"), (10, 120),
        (("营运客车", "运输途中", "疲劳驾驶、冰雪路面", "车辆伤害", "动态监控,4小时停车休息"),
         ("客运站", "候车厅", "三品查堵不严", "火灾、爆炸", "安检仪查验"),
         ("车辆维修车间", "车间", "举升设备故障", "机械伤害", "定期检验")),
        (("道路运输经营许可证", "玛沁县交通运输局", "青交运管许可果字632621{n:06d}号"),),
        high=True, weight=4),
    "transport_freight": Kind(
        ("道路运输",), ("{p}{w}物流有限公司", "{p}{w}运输有限公司", "果洛{w}运输有限公司", "{p}{w}驾驶员培训学校"),
        (4, 60),
        (("营运货车", "运输途中", "超载超限、冰雪路面", "车辆伤害", "源头治超,动态监控"),
         ("停车场", "停车场", "车辆溜车", "车辆伤害", "设挡车器"),
         ("装卸作业", "货场", "货物倒塌", "物体打击", "规范码放")),
        (("道路运输经营许可证", "玛沁县交通运输局", "青交运管许可果字632621{n:06d}号"),),
        high=True, weight=8),
    "urban": Kind(
        ("城镇建设",), ("{p}{w}物业服务有限公司", "{p}{w}市政工程有限公司", "{p}{w}供热有限公司", "{p}{w}环卫服务有限公司"),
        (8, 80),
        (("有限空间(窨井)", "市政管网", "缺氧、硫化氢", "中毒和窒息", "作业审批,通风检测"),
         ("供热锅炉房", "锅炉房", "超压、缺水", "锅炉爆炸", "持证司炉,安全附件定期校验"),
         ("高处作业", "楼顶", "无防护", "高处坠落", "系挂安全带"), _ELECTRIC),
        (), weight=6),
    "construction": Kind(
        ("建筑施工",), ("{p}{w}建筑工程有限公司", "青海{w}建设工程有限公司", "{p}{w}路桥工程有限公司",
                       "{p}{w}装饰工程有限公司"), (20, 300),
        (("深基坑", "施工现场", "基坑支护失效", "坍塌", "基坑监测,专项方案论证"),
         ("高处作业", "主体结构", "临边洞口无防护", "高处坠落", "临边防护,安全网"),
         ("塔式起重机", "施工现场", "违章吊装、附着失效", "起重伤害", "持证作业,安装检验"),
         ("施工临时用电", "施工现场", "一闸多机、无漏保", "触电", "三级配电两级保护"),
         ("脚手架", "外立面", "搭设不规范", "坍塌、高处坠落", "验收挂牌")),
        (("安全生产许可证", "青海省住房和城乡建设厅", "(青)JZ安许证字〔{y}〕{n:06d}"),),
        high=True, weight=12),
    "farm_machine": Kind(
        ("农业机械",), ("{p}{t}{w}农机专业合作社", "{p}{w}农机维修部"), (3, 30),
        (("拖拉机作业", "草场", "无证驾驶、超载", "车辆伤害", "驾驶员持证,牌证齐全"),
         ("农机维修车间", "车间", "砂轮、电焊", "机械伤害、触电", "防护罩,持证焊工"),
         ("收割打捆机械", "草场", "缠绕", "机械伤害", "停机清理")),
        (), towns=("当洛乡", "优云乡", "下大武乡", "雪山乡", "东倾沟乡", "大武乡"), weight=6),
    "water": Kind(
        ("水利",), ("{p}{w}水电站", "{p}{t}{w}水库管理所", "{p}{w}供水有限公司"), (5, 40),
        (("大坝", "坝体", "渗漏、超汛限水位", "溃坝、淹溺", "汛期24小时值守,雨水情监测"),
         ("闸门启闭机", "启闭机房", "启闭失灵", "淹溺、机械伤害", "定期试运行"),
         ("发电机组", "厂房", "高压带电、转动部件", "触电、机械伤害", "两票三制"),
         ("水处理加药间", "加药间", "消毒剂泄漏", "中毒", "通风,报警")),
        (("取水许可证", "玛沁县农牧水利和科技局", "取水(青果)字〔{y}〕第{n:03d}号"),),
        towns=("大武乡", "东倾沟乡", "优云乡", "拉加镇"), weight=3),
    "boiler": Kind(
        ("特种设备",), ("{p}{w}锅炉供暖站", "{p}{w}起重设备租赁有限公司", "{p}{w}热力有限公司"), (4, 40),
        (("锅炉房", "锅炉房", "超压、缺水、燃气泄漏", "锅炉爆炸、火灾", "持证司炉,安全阀压力表定期校验"),
         ("起重机械", "作业现场", "钢丝绳断裂、限位失效", "起重伤害", "定期检验,持证操作"), _ELECTRIC),
        (), weight=5),
    "aviation": Kind(
        ("民航",), ("果洛{w}航空服务有限公司", "{p}{w}航空地面服务有限公司"), (20, 80),
        (("航油储存区", "油库", "航油泄漏、静电", "火灾、爆炸", "防静电,油品质量检测"),
         ("站坪作业", "停机坪", "车辆与航空器刮碰", "车辆伤害", "站坪限速,专人指挥")),
        (), towns=("大武镇",), weight=0.4),
    "power": Kind(
        ("电力",), ("{p}{w}水力发电有限公司", "{p}{w}光伏发电有限公司", "{p}{w}电力工程有限公司"), (6, 60),
        (("变电站", "变电站", "高压带电、误操作", "触电、火灾", "两票三制,五防闭锁"),
         ("输电线路", "线路走廊", "登高、感应电", "触电、高处坠落", "验电接地,系安全带"), _ELECTRIC),
        (("电力业务许可证", "国家能源局西北监管局", "1030{y}{n:05d}"),), weight=2.5),
    "tourism": Kind(
        ("文化旅游",), ("{p}{w}旅游开发有限公司", "{p}{w}旅行社有限公司", "{p}{t}{w}民宿", "{p}{w}生态旅游专业合作社"),
        (3, 60),
        (("景区游步道", "景区", "湿滑、落石", "高处坠落、物体打击", "设置护栏与警示标志"),
         ("游客集中区", "游客中心", "人员聚集", "踩踏", "限流预约"),
         ("高原旅游", "景区", "高原反应", "其他伤害", "配备供氧点与急救药品"),
         ("旅游客运", "景区道路", "山区道路、冰雪", "车辆伤害", "旅游包车动态监控")),
        (("旅行社业务经营许可证", "青海省文化和旅游厅", "L-QH-{n:05d}"),), weight=7),
    "express": Kind(
        ("邮政",), ("{p}{w}快递服务部", "{p}{w}速运有限公司", "{p}{w}物流配送中心"), (3, 30),
        (("分拣场地", "分拣区", "传送设备、电动车充电", "机械伤害、火灾", "定时断电,寄递物品安检"),
         ("收寄验视", "营业厅", "禁寄物品", "火灾、中毒", "实名收寄、开箱验视"), _FIRE),
        (("快递业务经营许可证", "青海省邮政管理局", "青邮{y}{n:04d}"),), weight=5),
    "biofuel": Kind(
        ("生物油",), ("{p}{w}醇基燃料经营部", "{p}{w}生物燃油销售有限公司"), (2, 10),
        (("醇基燃料储存间", "储存间", "甲醇挥发、泄漏", "火灾、中毒", "专用储罐,通风,禁火"), _FIRE),
        (), protection=(30, 60), weight=2),
    "hazwaste": Kind(
        ("危险废物",), ("{p}{w}环保科技有限公司", "{p}{w}医疗废物处置中心", "{p}{w}废矿物油回收站"), (5, 30),
        (("危险废物贮存库", "贮存库", "泄漏、混存", "火灾、中毒", "分区贮存,防渗漏,台账管理"),
         ("危险废物转运", "运输途中", "泄漏、撒落", "环境污染、中毒", "专用车辆,转移联单")),
        (("危险废物经营许可证", "青海省生态环境厅", "青危废{y}{n:03d}号"),), towns=("大武镇", "大武乡"), weight=1.5),
}

# ---------------------------------------------------------------- fixed enterprises

S = dict  # a substance: name, q (t), classes


@dataclass(frozen=True)
class Core:
    """An enterprise placed on purpose (major hazard sources, ponds, reservoir …)."""

    kind: str
    town: str
    name: str = ""
    sources: tuple = ()  # (unit name, unit kind, people within 500 m, record no., (substances…))
    findings: dict | None = None  # diagnosis: deduction line → count, and "bonuses"
    ponds: tuple = ()  # (name, grade, capacity, in service)
    reservoir: tuple | None = None  # (name, capacity, flood-limit level)
    substations: tuple = ()
    scenic: str = ""
    protection: int | None = None
    licence_state: str = ""  # "expired" / "expiring": the first licence
    extra: dict = field(default_factory=dict)


CORE: tuple[Core, ...] = (
    Core("lng_station", "大武镇", "玛沁县雪域天然气有限公司",
         sources=(("LNG储罐区", "storage", 150, "青果危备〔2021〕001号",
                   (S(name="天然气", q=1800, classes="W2"),)),),
         findings={"1.1.a": True, "1.4.a": 2, "2.a": True, "5.d": 2, "6.d": True, "bonuses": ["9.g"]},
         protection=600),
    Core("oil_depot", "大武乡", "果洛昆仑石油储运有限公司",
         sources=(("成品油储罐区", "storage", 120, "青果危备〔2021〕002号",
                   (S(name="汽油", q=5200, classes="W5.3"), S(name="柴油", q=2000, classes="W5.4"))),),
         findings={"1.1.b": True, "1.4.a": 3, "2.a": True, "2.b": True, "5.c": True, "5.d": 3, "6.a": 1},
         protection=500),
    Core("lpg_station", "大武镇", "玛沁县格桑液化气有限公司",
         sources=(("液化石油气储罐区", "storage", 130, "青果危备〔2022〕003号",
                   (S(name="液化石油气", q=200, classes="W2"),)),),
         findings={"1.1.c": True, "1.4.a": 1, "2.a": True, "bonuses": ["9.c", "9.g"]}, protection=300),
    Core("lpg_station", "拉加镇", "玛沁县拉加镇吉祥液化气充装站",
         sources=(("液化石油气储罐区", "storage", 20, "青果危备〔2022〕004号",
                   (S(name="液化石油气", q=60, classes="W2"),)),), protection=150),
    Core("lng_station", "大武镇", "玛沁县通达天然气加气站",
         sources=(("LNG加气站储罐区", "storage", 60, "青果危备〔2023〕005号",
                   (S(name="天然气", q=55, classes="W2"),)),), protection=200),
    Core("gas_plant", "大武乡", "玛沁县昆仑工业气体充装站",
         sources=(("气瓶储存库", "storage", 45, "青果危备〔2023〕006号",
                   (S(name="乙炔", q=3, classes="W2"), S(name="氧", q=20, classes="W4"))),), protection=150),
    Core("gas_station", "大武镇", "玛沁县雪莲加油站", licence_state="expiring",
         sources=(("油罐区", "storage", 300, "", (S(name="汽油", q=70, classes="W5.3"),
                                                S(name="柴油", q=60, classes="W5.4"))),)),
    Core("gas_station", "拉加镇", "玛沁县拉加镇黄河源加油站",
         sources=(("油罐区", "storage", 80, "", (S(name="汽油", q=45, classes="W5.3"),
                                               S(name="柴油", q=50, classes="W5.4"))),)),
    Core("gas_station", "当洛乡", "玛沁县当洛乡草原加油站", licence_state="expired"),
    Core("gas_station", "雪山乡"),
    Core("mine_metal", "拉加镇", "果洛金河矿业有限公司", licence_state="expired",
         ponds=(("金河沟尾矿库", "4", "总库容约420万m³,坝高36m", True),
                ("老尾矿库(已闭库)", "5", "总库容约60万m³,坝高14m", False))),
    Core("mine_metal", "下大武乡", "果洛雪峰矿业开发有限公司",
         ponds=(("雪峰沟尾矿库", "3", "总库容约1500万m³,坝高62m", True),)),
    Core("mine_sand", "东倾沟乡"),
    Core("water", "大武乡", "玛沁县格曲水库管理所",
         reservoir=("格曲水库", "总库容约860万m³,小(1)型", Decimal("3765.50"))),
    Core("water", "优云乡"),
    Core("power", "大武镇", "玛沁县昆仑电力工程有限公司",
         substations=(("110kV格桑变电站", "2×31.5MVA"), ("35kV雪域变电站", "2×10MVA"))),
    Core("power", "拉加镇", "玛沁县黄河源水力发电有限公司", substations=(("35kV拉加升压站", "1×8MVA"),)),
    Core("tourism", "雪山乡", "玛沁县圣湖旅游开发有限公司", scenic="雪山生态旅游景区"),
    Core("boiler", "大武镇", "玛沁县瑞丰锅炉供暖站"),
    Core("crowded", "大武镇", "玛沁县格萨尔大酒店"),
    Core("crowded", "大武镇", "玛沁县恒通商贸城"),
    Core("aviation", "大武镇"),
    Core("construction", "大武镇"),
    Core("transport_passenger", "大武镇"),
    Core("transport_freight", "下大武乡"),
    Core("hazmat_transport", "大武乡"),
    Core("urban", "大武镇"),
    Core("farm_machine", "当洛乡"),
    Core("farm_machine", "优云乡"),
    Core("industry", "东倾沟乡"),
    Core("express", "大武镇"),
    Core("biofuel", "大武镇"),
    Core("hazwaste", "大武乡"),
    Core("chem_shop", "大武镇"),
)

#: gathering places inside a protection distance: (name, kind, people, core enterprise name, metres, bearing°)
NEAR_PLACES = (
    ("玛沁县第三寄宿制小学", "school", 820, "玛沁县雪域天然气有限公司", 380, 40),
    ("大武镇团结农贸市场", "market", 300, "玛沁县雪莲加油站", 40, 200),
    ("大武镇格桑幼儿园", "school", 160, "玛沁县格桑液化气有限公司", 220, 120),
)


# ---------------------------------------------------------------- planning (no database)


@dataclass
class Spec:
    index: int
    kind: str
    town: str
    name: str
    code: str
    core: Core | None


def _offset(lat: float, lon: float, metres: float, bearing_deg: float) -> tuple[float, float]:
    b = math.radians(bearing_deg)
    dlat = metres * math.cos(b) / 111_195.0
    dlon = metres * math.sin(b) / (111_195.0 * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def _jitter(rng: random.Random, lat: float, lon: float, max_m: float = 3000) -> tuple[float, float]:
    return _offset(lat, lon, max_m * math.sqrt(rng.random()), rng.uniform(0, 360))


def _d(x: float) -> Decimal:
    return Decimal(f"{x:.6f}")


def plan(n: int, seed: int, county_code: str, towns: list[str]) -> list[Spec]:
    """The enterprises to generate: the fixed ones first, then a weighted random fill."""
    rng = random.Random(seed)
    prefix = "91" + county_code[:6] + CODE_MARK
    codes: set[str] = set()
    names: set[str] = set()
    weights = [TOWN_WEIGHTS.get(t, 5) for t in towns]

    def town_for(kind: Kind) -> str:
        preferred = [t for t in kind.towns if t in towns]
        if preferred:
            return rng.choice(preferred)
        return rng.choices(towns, weights)[0]

    def new_code() -> str:
        while True:
            code = gb32100.complete(prefix + "".join(rng.choice(gb32100.CHARSET) for _ in range(7)))
            if code not in codes:
                codes.add(code)
                return code

    def new_name(kind: Kind, town: str) -> str:
        for attempt in range(60):
            pattern = rng.choice(kind.names)
            p = "玛沁县" if "{t}" in pattern else rng.choices(["玛沁县", "果洛", "青海"], [6, 2, 1])[0]
            name = pattern.format(p=p, w=rng.choice(WORDS), t=town)
            if attempt > 40:
                name = name.replace(p, f"{p}{town}", 1)
            if name not in names:
                names.add(name)
                return name
        raise RuntimeError("could not find a free demo name")  # pragma: no cover

    names.update(c.name for c in CORE if c.name)
    kinds = [k for k, v in KINDS.items() if v.weight > 0]
    kind_weights = [KINDS[k].weight for k in kinds]
    specs = []
    for i in range(n):
        if i < len(CORE):
            core = CORE[i]
            town = core.town if core.town in towns else rng.choice(towns)
            kind = core.kind
            name = core.name or new_name(KINDS[kind], town)
        else:
            core = None
            kind = rng.choices(kinds, kind_weights)[0]
            town = town_for(KINDS[kind])
            name = new_name(KINDS[kind], town)
        specs.append(Spec(i, kind, town, name, new_code(), core))
    return specs


# ---------------------------------------------------------------- writing (through the services)


class _Writer:
    def __init__(self, county: Division, user, seed: int):
        from worksafe.org.models import Sector

        from . import services as risk_services

        self.county, self.user, self.seed = county, user, seed
        self.today = timezone.localdate()
        self.sectors = list(Sector.objects.all())
        self.risks = risk_services
        self.counts = dict.fromkeys(["enterprises", "safety_managers", "licences", "facilities", "risk_points",
                                     "assessments", "sources", "major_sources", "diagnoses", "places"], 0)
        self.lec_groups = self._groups("lec")
        self.matrix_groups = self._groups("matrix")

    # -- helpers

    def _groups(self, method: str) -> dict[Level, list[tuple]]:
        """Factor combinations per level under the rules in force, the plausible ones first."""
        out: dict[Level, list[tuple]] = {lv: [] for lv in Level}
        if method == "lec":
            rules = self.risks.lec_rules()
            for lc, ec, cc in itertools.product(lec.L_TABLE, lec.E_TABLE, lec.C_TABLE):
                level = lec.assess(lc.value, ec.value, cc.value, rules).level
                plausible = lc.value >= 1 and cc.value <= (40 if level >= Level.ORANGE else 15)
                if plausible:
                    out[level].append((lc.value, ec.value, cc.value))
        else:
            rules = self.risks.matrix_rules()
            for lc, sc in itertools.product(risk_matrix.L_TABLE, risk_matrix.S_TABLE):
                out[risk_matrix.assess(lc.value, sc.value, rules).level].append((lc.value, None, sc.value))
        return out

    def _create(self, model, **fields):
        """create_as with the model's validation first."""
        obj = model(**fields)
        obj.full_clean()
        self.counts_for(model)
        return save_as(obj, self.user, REASON)

    def counts_for(self, model):
        key = {SafetyManager: "safety_managers", Licence: "licences", Facility: "facilities",
               GatheringPlace: "places"}.get(model)
        if key:
            self.counts[key] += 1

    def _sectors(self, kind: Kind, extra=()):
        found = []
        for word in (*kind.sectors, *extra):
            s = next((s for s in self.sectors if word in s.name), None)
            if s and s not in found:
                found.append(s)
        return found

    def _date(self, rng, state: str) -> datetime.date:
        offsets = {"expired": (-200, -1), "expiring": (1, 59), "valid": (61, 1000)}
        return self.today + datetime.timedelta(days=rng.randint(*offsets[state]))

    def _inspection(self, rng) -> datetime.date:
        r = rng.random()
        state = "expired" if r < 0.12 else "due" if r < 0.22 else "ok"
        lo, hi = {"expired": (-120, -1), "due": (1, 30), "ok": (31, 360)}[state]
        return self.today + datetime.timedelta(days=rng.randint(lo, hi))

    # -- one enterprise

    def enterprise(self, spec: Spec, town: Division, seat: tuple[float, float]) -> Enterprise:
        from worksafe.enterprises.services import save_enterprise

        rng = random.Random(f"{self.seed}:{spec.index}")
        kind = KINDS[spec.kind]
        core = spec.core
        lat, lon = _jitter(rng, *seat, max_m=2500 if core else 3000)
        employees = rng.randint(*kind.employees)
        scale = ("micro" if employees < 10 else "small" if employees < 100 else "medium" if employees < 500
                 else "large")
        r = rng.random()
        status = "operating" if core or r < 0.88 else "suspended" if r < 0.96 else "closed"
        grades = (["3", "2", "small", ""], [45, 15, 15, 25]) if kind.high else (["small", "3", ""], [30, 15, 55])
        insured = expiry = None
        r = rng.random()
        if kind.high:
            insured = r < 0.90
            expiry = self._date(rng, "expired" if r > 0.82 else "valid") if insured else None
        else:
            insured = r < 0.35
            expiry = self._date(rng, "valid") if insured else None
        legal = fake_name(rng)
        principal = legal if rng.random() < 0.6 else fake_name(rng)
        if spec.town.endswith("镇") and rng.random() < 0.7:
            address = f"{spec.town}{rng.choice(ROADS)}{rng.randint(1, 300)}号"
        else:
            address = f"{spec.town}{rng.choice(VILLAGE_PARTS)}村"
        protection = core.protection if core and core.protection else \
            (rng.randint(*kind.protection) if kind.protection else None)
        extra = ("特种设备",) if spec.kind in ("crowded", "boiler") or (spec.kind == "urban" and "供热" in spec.name) \
            else ()
        ent = Enterprise(
            name=spec.name, credit_code=spec.code, township=town, address=address,
            latitude=_d(lat), longitude=_d(lon), legal_representative=legal, principal=principal,
            principal_phone=fake_phone(rng), employees=employees, scale=scale, status=status,
            standard_grade=rng.choices(*grades)[0], has_safety_team=rng.random() < (0.7 if employees >= 20 else 0.35),
            insured=bool(insured), insurer=rng.choice(INSURERS) if insured else "", insurance_expiry=expiry,
            protection_distance_m=protection)
        ent.full_clean(exclude=["sectors", "credit_code"])  # the code is checked by save_enterprise
        ent = save_enterprise(self.user, ent, sectors=self._sectors(kind, extra), reason=REASON)
        self.counts["enterprises"] += 1

        for _ in range(1 if employees < 10 else rng.randint(1, 2)):
            self._create(SafetyManager, enterprise=ent, name=fake_name(rng), phone=fake_phone(rng),
                         certificate=f"青安管{rng.randint(2019, 2025)}{rng.randrange(100000):06d}",
                         full_time=employees >= 30)
        for i, (lkind, issuer, fmt) in enumerate(kind.licences):
            state = core.licence_state if core and core.licence_state and i == 0 else \
                rng.choices(["expired", "expiring", "valid"], [8, 10, 82])[0]
            valid_to = self._date(rng, state)
            self._create(Licence, enterprise=ent, kind=lkind, issued_by=issuer,
                         number=fmt.format(y=valid_to.year - 3, n=rng.randrange(1, 9999)),
                         valid_from=valid_to - datetime.timedelta(days=3 * 365), valid_to=valid_to)
        self.facilities(ent, spec, rng, lat, lon)
        if status != "closed":
            self.risk_points(ent, kind, rng, status)
        if core and core.sources:
            self.sources(ent, core, rng)
        if core and core.findings:
            findings = dict(core.findings)
            bonuses = findings.pop("bonuses", [])
            self.risks.diagnose(ent, self.user, deductions=hazchem_diagnosis.deductions_from_findings(findings),
                                bonuses=bonuses)
            self.counts["diagnoses"] += 1
        return ent

    def facilities(self, ent, spec: Spec, rng, lat, lon):
        core, F, E = spec.core, Facility.Kind, Facility.Equipment

        def tank(name, capacity, chemical):
            self._create(Facility, enterprise=ent, kind=F.TANK, name=name, capacity=capacity, chemical=chemical,
                         latitude=_d(lat), longitude=_d(lon))

        def equipment(name, eq, capacity=""):
            mark = {E.BOILER: "锅", E.PRESSURE_VESSEL: "容", E.GAS_CYLINDER: "瓶", E.LIFT: "梯", E.CRANE: "起",
                    E.VEHICLE: "车"}[eq]
            self._create(Facility, enterprise=ent, kind=F.SPECIAL_EQUIPMENT, name=name, equipment_kind=eq,
                         capacity=capacity, registration_no=f"{mark}11青F{rng.randrange(10000, 99999)}",
                         next_inspection=self._inspection(rng))

        k = spec.kind
        if k == "gas_station":
            for i, (oil, cap) in enumerate([("汽油(92#)", "30m³"), ("汽油(95#)", "30m³"), ("柴油(-10#)", "30m³"),
                                            ("柴油(-35#)", "20m³")][:rng.randint(3, 4)], 1):
                tank(f"{i}#{oil[:2]}储罐", cap, oil)
        elif k == "lpg_station":
            for i in range(1, rng.randint(2, 3) + 1):
                tank(f"{i}#液化石油气储罐", "50m³", "液化石油气")
            equipment("液化石油气钢瓶(YSP35.5)", E.GAS_CYLINDER, f"约{rng.randint(3, 9) * 100}只")
        elif k == "lng_station":
            for i in range(1, rng.randint(2, 4) + 1):
                tank(f"{i}#LNG储罐", "60m³" if "加气" in ent.name else "150m³", "液化天然气")
            equipment("BOG缓冲罐", E.PRESSURE_VESSEL, "10m³")
        elif k == "oil_depot":
            for i, (oil, cap) in enumerate([("汽油", "2000m³"), ("汽油", "2000m³"), ("汽油", "3000m³"),
                                            ("柴油", "2000m³")], 1):
                tank(f"{i}#{oil}储罐", cap, oil)
        elif k == "gas_plant":
            equipment("溶解乙炔气瓶", E.GAS_CYLINDER, "约600只")
            equipment("工业氧气瓶", E.GAS_CYLINDER, "约1200只")
            equipment("液氧储罐", E.PRESSURE_VESSEL, "20m³")
        elif k == "biofuel":
            tank("醇基燃料储罐", "10m³", "醇基燃料(甲醇)")
        elif k == "hazwaste":
            self._create(Facility, enterprise=ent, kind=F.WAREHOUSE, name="危险废物贮存库", capacity="200m²")
        elif k == "express":
            self._create(Facility, enterprise=ent, kind=F.WAREHOUSE, name="分拣仓库",
                         capacity=f"{rng.randint(2, 8) * 100}m²")
        elif k in ("crowded", "boiler", "urban", "industry", "construction", "aviation"):
            if k == "crowded" and any(w in ent.name for w in ("酒店", "宾馆", "商贸城", "购物中心")):
                for i in range(1, rng.randint(1, 3) + 1):
                    equipment(f"{i}#乘客电梯", E.LIFT, "1000kg")
            if k == "boiler" or (k == "urban" and "供热" in ent.name) or (k == "crowded" and "酒店" in ent.name):
                for i in range(1, rng.randint(1, 3) + 1):
                    equipment(f"{i}#燃气热水锅炉", E.BOILER, rng.choice(["2.8MW", "4.2MW", "7MW"]))
            if k == "boiler" and "起重" in ent.name:
                equipment("1#汽车起重机", E.CRANE, "25t")
            if k == "construction" and rng.random() < 0.5:
                equipment("1#塔式起重机", E.CRANE, "QTZ80")
            if k == "industry" and rng.random() < 0.4:
                equipment("空压机储气罐", E.PRESSURE_VESSEL, "1m³")
                equipment("叉车", E.VEHICLE, "3t")
            if k == "aviation":
                tank("航空煤油储罐", "200m³", "航空煤油")
                equipment("航油加油车", E.VEHICLE, "20m³")
        if core:
            for name, grade, capacity, in_service in core.ponds:
                plat, plon = _jitter(rng, lat, lon, 1500)
                self._create(Facility, enterprise=ent, kind=F.TAILINGS_POND, name=name, pond_grade=grade,
                             capacity=capacity, in_service=in_service, latitude=_d(plat), longitude=_d(plon))
            if core.reservoir:
                name, capacity, flood = core.reservoir
                self._create(Facility, enterprise=ent, kind=F.RESERVOIR, name=name, capacity=capacity,
                             flood_limit_level_m=flood, latitude=_d(lat), longitude=_d(lon),
                             admin_responsible=f"{fake_name(rng)}(副县长)",
                             authority_responsible=f"{fake_name(rng)}(县农牧水利和科技局)",
                             operator_responsible=f"{fake_name(rng)}(水库管理所所长)")
            for name, capacity in core.substations:
                slat, slon = _jitter(rng, lat, lon, 2000)
                self._create(Facility, enterprise=ent, kind=F.SUBSTATION, name=name, capacity=capacity,
                             latitude=_d(slat), longitude=_d(slon))
            if core.scenic:
                self._create(Facility, enterprise=ent, kind=F.SCENIC_SPOT, name=core.scenic,
                             capacity="日最大承载量约3000人", latitude=_d(lat), longitude=_d(lon))

    def risk_points(self, ent, kind: Kind, rng, status: str):
        from worksafe.core.services import create_as

        from .models import RiskPoint

        if status == "suspended":
            count = 1
        else:
            count = 0 if rng.random() < 0.06 else rng.randint(1, min(4, len(kind.risk_points)))
        method = rng.choice(["lec", "matrix"])
        groups = self.lec_groups if method == "lec" else self.matrix_groups
        weights = [46, 36, 15, 3] if kind.high else [60, 32, 7.5, 0.5]
        control = {Level.RED: "company", Level.ORANGE: "company", Level.YELLOW: "workshop", Level.BLUE: "team"}
        for name, location, hazards, accidents, measures in rng.sample(kind.risk_points, count):
            level = rng.choices([Level.BLUE, Level.YELLOW, Level.ORANGE, Level.RED], weights)[0]
            pool = groups[level] or next(g for g in groups.values() if g)
            lv, ev, cv = rng.choice(pool)
            point = create_as(RiskPoint, self.user, REASON, enterprise=ent, name=name, location=location,
                              hazards=hazards, possible_accidents=accidents, control_measures=measures,
                              control_level=control[level], responsible_person=fake_name(rng))
            self.risks.assess_risk_point(point, self.user, method=method, l=lv, e=ev, c=cv, note="演示数据")
            self.counts["risk_points"] += 1
            self.counts["assessments"] += 1

    def sources(self, ent, core: Core, rng):
        from worksafe.core.services import create_as

        from .models import MajorHazardSource

        for name, unit_kind, people, record_no, substances in core.sources:
            src = create_as(MajorHazardSource, self.user, REASON, enterprise=ent, name=name, unit_kind=unit_kind,
                            people_within_500m=people, record_no=record_no)
            for s in substances:
                self.risks.add_substance(src, self.user, name=s["name"], quantity_t=Decimal(str(s["q"])),
                                         hazard_classes=s["classes"])
            result = self.risks.grade_source(src, self.user)
            self.counts["sources"] += 1
            self.counts["major_sources"] += int(result.is_major)

    # -- gathering places

    def places(self, towns: dict[str, Division], seats: dict[str, tuple[float, float]], seed: int):
        rng = random.Random(f"{seed}:places")
        wanted = []
        for town_name, town in towns.items():
            lat, lon = seats[town_name]
            if town_name == "大武镇":
                rows = [("玛沁县第一民族寄宿制小学", "school", 1500), ("玛沁县民族中学", "school", 1800),
                        ("玛沁县人民医院", "hospital", 600), ("玛沁县藏医院", "hospital", 300),
                        ("玛沁县第一幼儿园", "school", 400), ("大武镇综合商场", "market", 800),
                        ("大武镇雪域小区", "residential", 2000), ("大武镇格桑寺", "temple", 500)]
            else:
                rows = [(f"{town_name}寄宿制学校", "school", rng.randint(150, 600)),
                        (f"{town_name}卫生院", "hospital", rng.randint(20, 60))]
                if town_name.endswith("镇"):
                    rows.append((f"{town_name}集贸市场", "market", rng.randint(100, 400)))
                if rng.random() < 0.6:
                    rows.append((f"{town_name}{rng.choice(VILLAGE_PARTS)}寺", "temple", rng.randint(80, 400)))
            for name, kind, people in rows:
                plat, plon = _jitter(rng, lat, lon, 2500)
                wanted.append((name, kind, town, people, plat, plon))
        for name, kind, people, ent_name, metres, bearing in NEAR_PLACES:
            ent = Enterprise.objects.filter(name=ent_name, township__parent=self.county,
                                            credit_code__startswith="91" + self.county.code[:6] + CODE_MARK).first()
            if ent and ent.latitude is not None:
                plat, plon = _offset(float(ent.latitude), float(ent.longitude), metres, bearing)
                wanted.append((name, kind, ent.township, people, plat, plon))
        for name, kind, town, people, plat, plon in wanted:
            if GatheringPlace.objects.filter(name=name, township=town).exists():
                continue
            self._create(GatheringPlace, name=name, kind=kind, township=town, people=people,
                         latitude=_d(plat), longitude=_d(plon))


def _county_user():
    from worksafe.core.scoping import Role
    from worksafe.org.models import Membership

    m = (Membership.objects.filter(role=Role.COUNTY_OFFICE, active=True, user__is_active=True)
         .select_related("user").order_by("pk").first())
    if m is None:
        raise ValueError("生成演示数据需要一个县安委办用户。")
    return m.user


def generate(county: Division, *, n: int = 150, seed: int = 2020, user=None) -> dict[str, int]:
    """Generate a demo register of ``n`` enterprises for ``county`` (its townships must exist;
    sectors are read from the imported plan). ``user``: a county-office user, who is recorded
    in the history (default: the first active one). Returns what this run created: all zeros
    when the county already has ``n`` generated enterprises."""
    user = user or _county_user()
    towns = {d.name: d for d in Division.objects.filter(parent=county, level=Division.Level.TOWNSHIP)}
    if not towns:
        raise ValueError(f"{county}没有乡镇区划,请先加载组织机构数据。")
    prefix = "91" + county.code[:6] + CODE_MARK
    writer = _Writer(county, user, seed)
    existing = set(Enterprise.objects.filter(credit_code__startswith=prefix, township__parent=county)
                   .values_list("credit_code", flat=True))
    if len(existing) >= n:
        return writer.counts
    fallback = (float(county.latitude or 34.4773), float(county.longitude or 100.239))
    seats = {name: (float(d.latitude), float(d.longitude)) if d.latitude is not None and d.longitude is not None
             else fallback for name, d in towns.items()}
    specs = plan(n, seed, county.code, sorted(towns, key=lambda t: towns[t].code))
    with transaction.atomic():
        for spec in specs:
            if spec.code in existing or Enterprise.objects.filter(credit_code=spec.code).exists():
                continue
            writer.enterprise(spec, towns[spec.town], seats[spec.town])
        writer.places(towns, seats, seed)
    return writer.counts
