"""Questions answered from the structure: «省人社厅负责哪些任务？», «市财政局牵头的工作有哪些？»,
«<市>和省里在……方面的规定有什么不同？», «2022年底前要完成哪些目标？»."""
from __future__ import annotations

import re
from itertools import groupby

from ..compose.extractive import citation, key_terms, pick_sentences, split_sentences
from ..retrieve.query import QueryInfo, doc_places
from ..types import Answer, doc_name
from .compare import Pair
from .targets import Target
from .units import Task

UNIT_TASKS = re.compile(r"(负责|牵头|承担|参与)(的)?(哪些|什么|那些)?(任务|工作|事项|条款|事)|(负责|牵头)哪些|有哪些(任务|工作)")
COMPARE = re.compile(r"不同|区别|差异|差别|对比|比较|有何变化|一样吗|相同吗")
TARGETS = re.compile(r"(哪些|什么)(目标|任务)|要完成|到期|截止")


# A chat answer lists at most this many tasks or targets: past a screenful a list is not read,
# and a province's corpus names one office in thousands of clauses. The page's «责任单位» and
# «目标与期限» tabs and `policy-assistant units|targets` give the whole list. A reading limit,
# not a fitted number; above every count in the bundled corpus (26 tasks for one unit).
LISTED_IN_CHAT = 40


def _heading_sentence(clause) -> str:
    first = split_sentences(clause.text)[0] if clause.text else ""
    return first


def wants_unit_tasks(q: str, info: QueryInfo) -> bool:
    return bool(info.units) and bool(UNIT_TASKS.search(q)) and not COMPARE.search(q)


def unit_tasks_answer(question: str, unit: str, tasks: list[Task], lead_only: bool) -> Answer:
    if not tasks:
        return Answer(question, f"已收录的文件中没有{'由' + unit + '牵头' if lead_only else unit + '负责'}的条款。", False)
    role = "牵头" if lead_only else "负责（含参与）"
    lines = [f"{unit}{role}的任务共 {len(tasks)} 项（按文件列出；“牵头”指责任单位中排第一位）："]
    if len(tasks) > LISTED_IN_CHAT:
        docs = len({t.doc.doc_id for t in tasks})
        lines[0] = (f"{unit}{role}的任务共 {len(tasks)} 项，涉及 {docs} 份文件；以下列出前 {LISTED_IN_CHAT} 项"
                    f"（完整清单见页面“责任单位”标签，或命令 policy-assistant units {unit}）：")
        tasks = tasks[:LISTED_IN_CHAT]
    cites = []
    for doc_id, group in groupby(tasks, key=lambda t: t.doc.doc_id):
        group = list(group)
        d = group[0].doc
        lines.append(doc_name(d.title, d.doc_number, d.forwarded_by) + f"：{len(group)} 项")
        for t in group:
            lines.append(f"  · {' › '.join(t.clause.clause_path)}" + ("（牵头）" if t.lead else ""))
            cites.append(citation(t.doc, t.clause, _heading_sentence(t.clause)))
    return Answer(question, "\n".join(lines), True, tuple(cites), mode="structure")


def wants_compare(q: str, info: QueryInfo, city_doc: str, prov_doc: str) -> bool:
    return bool(COMPARE.search(q)) and city_doc in info.doc_ids and (info.level == "province" or prov_doc in info.doc_ids or "省" in q)


def compare_answer(question: str, info: QueryInfo, pair: Pair, idf) -> Answer:
    from dataclasses import replace

    info = replace(info, asks_number=True)  # a comparison is about the figures first
    parts, cites = [], []
    context = info.text
    city_name = next(iter(sorted(doc_places(pair.city.doc), key=len)), "市里") if pair.city else "市里"
    for side, name in ((pair.city, city_name), (pair.province, "省里")):
        if side is None:
            parts.append(f"{name}：没有对应条款。")
            continue
        # The provincial sentence is chosen to match what the city sentence is about.
        terms = key_terms(context, idf)
        picked, _ = pick_sentences(split_sentences(side.clause.text), terms, info, side.clause.clause_path[-1], 1)
        quote = "".join(picked)
        context = f"{info.text} {quote}"
        d = side.doc
        parts.append(f"{name}：{doc_name(d.title, d.doc_number, d.forwarded_by)} › {' › '.join(side.clause.clause_path)}：“{quote}”")
        cites.append(citation(side.doc, side.clause, quote))
    parts.append("主要差别：")
    parts += [f"  · {x}" for x in pair.differences]
    return Answer(question, "\n".join(parts), True, tuple(cites), mode="structure")


def wants_targets(q: str, info: QueryInfo) -> bool:
    return bool(info.years) and bool(TARGETS.search(q))


def targets_answer(question: str, year: int, targets: list[Target]) -> Answer:
    if not targets:
        return Answer(question, f"已收录的文件中没有以{year}年为期限的量化目标。", False)
    lines = [f"以{year}年为期限的目标共 {len(targets)} 项："]
    if len(targets) > LISTED_IN_CHAT:
        lines[0] = (f"以{year}年为期限的目标共 {len(targets)} 项；以下列出前 {LISTED_IN_CHAT} 项"
                    f"（完整清单见页面“目标与期限”标签，或命令 policy-assistant targets --year {year}）：")
        targets = targets[:LISTED_IN_CHAT]
    cites = []
    for i, t in enumerate(targets, 1):
        d = t.doc
        units = f"（责任单位：{'、'.join(t.clause.responsible_units)}）" if t.clause.responsible_units else ""
        lines.append(f"{i}. {doc_name(d.title, d.doc_number, d.forwarded_by)} › {' › '.join(t.clause.clause_path)}：“{t.sentence}”{units}")
        cites.append(citation(t.doc, t.clause, t.sentence))
    return Answer(question, "\n".join(lines), True, tuple(cites), mode="structure")
