"""Vetoes after the gate (assistant/compose/vetoes.py), on real wording."""
from types import SimpleNamespace

from assistant.compose.vetoes import names_absent
from assistant.retrieve.query import QueryInfo


def _ev(text: str):
    return SimpleNamespace(hit=SimpleNamespace(text=text))


def test_a_question_after_named_schools_is_not_answered_by_a_clause_that_names_none():
    asked = QueryInfo(text="国家建的那100个双师型教师培养培训基地，名单上都有哪些学校？")
    counted = _ev("（十一）实施职业教育“双师型”教师队伍建设计划。依托职业技术师范院校建设100个国家级“双师型”教师培养培训基地。")
    assert names_absent(counted, asked)
    named = _ev("山西工程职业学院、太原城市职业技术学院等6所学校入选国家级“双师型”教师培养培训基地。")
    assert not names_absent(named, asked)


def test_a_question_after_a_company_needs_a_company_named():
    asked = QueryInfo(text="包头数字政府考评委托的第三方评估机构是哪家公司？")
    assert names_absent(_ev("第三方评估：委托第三方机构对考评对象开展评估。"), asked)
    assert not names_absent(_ev("委托包头市大数据发展有限公司开展第三方评估。"), asked)


def test_questions_not_after_names_are_never_vetoed():
    assert not names_absent(_ev("由学术委员会调查认定。"), QueryInfo(text="学术不端由哪个机构来调查认定？"))
    assert not names_absent(_ev("各地推荐数不超过2所。"), QueryInfo(text="每个省最多推几所？"))


def test_an_attribute_of_a_form_the_clause_never_names_is_not_answered_by_it():
    from assistant.compose.vetoes import attribute_absent

    def ev(text, path=()):
        return SimpleNamespace(hit=SimpleNamespace(text=text, clause=SimpleNamespace(clause_path=path)))

    asked = QueryInfo(text="学习大会精神的简报有没有字数限制，要不要用统一模板？")
    brief = ev("请各市教育局及时以简报形式报告本单位学习贯彻情况。简报请以PDF格式发至指定邮箱。")
    assert attribute_absent(brief, asked) == "字数"
    stated = ev("简报每期字数不超过1500字，使用统一模板。")
    assert attribute_absent(stated, asked) is None
    assert attribute_absent(brief, QueryInfo(text="简报要啥格式、发哪个邮箱？")) is None  # asks nothing the list holds
