"""The answerability model's decision code: its parameters file, probabilities, the signals
that catch a missing figure or name, and the Chinese figure helpers they rest on."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from assistant.answerability import (
    FEATURES, GATE_EXTRA, SENTENCE_FEATURES, Logistic, Model, SentenceSignals, Signals, focus_words, load_model,
    named_entities, named_in,
)
from assistant.zh import asked_quantity, has_quantity


def _signals(**kw) -> Signals:
    base = {f: 0.0 for f in FEATURES}
    base.update(kw)
    return Signals(**base)


def test_shipped_model_is_fitted_and_complete():
    m = load_model()
    assert set(m.rank.features) <= set(FEATURES) and set(m.gate.features) <= set(FEATURES) | set(GATE_EXTRA)
    assert m.sentence is not None and set(m.sentence.features) <= set(SENTENCE_FEATURES)
    assert 0.0 < m.llm_threshold <= m.threshold < 1.0
    # The file records how it was fitted and what it scored on the held-out part.
    assert m.info["banks"] and "roc_auc" in m.info["test_curves"] and m.info["test"]["n"] > 50


def test_model_round_trips_through_json():
    m = load_model()
    again = Model.from_json(json.loads(json.dumps(m.to_json())))
    s = _signals(dense=0.9, sentence=0.92, coverage=0.7, bm25_share=1.0)
    assert again.candidate_probability(s) == pytest.approx(m.candidate_probability(s))
    assert again.answer_probability(s, 0.8, 0.2) == pytest.approx(m.answer_probability(s, 0.8, 0.2))


def test_unknown_feature_in_the_file_is_refused():
    d = load_model().to_json()
    d["gate"]["features"] = ["no_such_signal", *d["gate"]["features"][1:]]
    with pytest.raises(ValueError, match="no_such_signal"):
        Model.from_json(d)


def test_logistic_is_monotone_in_a_positive_weight():
    lr = Logistic(("coverage",), (0.5,), (0.2,), (2.0,), 0.0)
    ps = [lr.probability({"coverage": c}) for c in (0.0, 0.5, 1.0)]
    assert ps[0] < ps[1] < ps[2] and ps[1] == pytest.approx(0.5)


def test_gate_prefers_a_clear_winner_to_a_tie():
    m = load_model()
    s = _signals(dense=0.9, sentence=0.92, coverage=0.8, salient=1.0, bm25_share=1.0, fused_share=1.0, agree=1.0)
    assert m.answer_probability(s, 0.9, 0.1) > m.answer_probability(s, 0.9, 0.85)


@pytest.mark.parametrize("question, kind", [
    ("每人每年的生活费补助标准是多少钱？", "元"), ("要配几名专职教研员？", "人"), ("占比是多少？", "%"),
    ("服务期定的是几年？", "年"), ("一共有多少所？", "所"), ("扩招多少？", ""), ("有什么要求？", None),
    ("补助标准是多少？", "元"), ("每所学校能拿到多少建设经费？", "元"), ("要在多少个工作日内办完？", "天"),
    ("今年招多少学生？", "人"), ("每天要练多长时间？", "duration"), ("多久开一次会？", "frequency"),
    ("投到职业教育上的钱每年平均涨了多少？", ""),
    ("申报截止到哪天？", "day"), ("是从什么时候开始施行的？", "date"),
    ("职教科的联系电话是多少？", "tel"), ("报送邮箱是多少？", "email"),
])
def test_asked_quantity_reads_the_kind_of_figure(question, kind):
    assert asked_quantity(question) == kind


@pytest.mark.parametrize("question", [
    "我们是一所本科院校，想开几个应用技术类的专业，省里是鼓励还是限制？",  # 几: a few, of the asker's case
    "学生还想多考几个证书，省里鼓励不鼓励？", "我们想把几所小中专合并成一所，支持这么干吗？",
    "这件事是哪几个部门负责？", "招生比例是谁来定？",
    "我们是只剩十几个孩子的教学点，能撤吗？",  # 十几/好几/几十: several
    "我们县想把几个村小撤并到镇上，有什么限制没有？",  # «…没有？» ends a yes/no question too
])
def test_a_few_of_the_askers_own_case_or_a_which_question_asks_for_no_figure(question):
    assert asked_quantity(question) is None


def test_a_yes_no_question_naming_a_figure_word_asks_whether_not_how_much():
    assert asked_quantity("高校能自定男女录取比例吗？") is None
    assert asked_quantity("烈士子女能降多少分吗？") == "分"


@pytest.mark.parametrize("question", ["其中专职教师得占多少？", "经费按工资总额的多少提取？", "至少要占美育总课时的多少？"])
def test_a_bare_amount_after_occupy_or_of_asks_for_a_share(question):
    assert asked_quantity(question) == "%"


def test_occupy_inside_a_word_is_not_a_share():
    assert asked_quantity("全省高职院校占地面积一共多少？") == ""
    assert asked_quantity("一共占多少分？") == "分"


def test_a_figure_asked_beside_an_either_or_question_is_still_asked():
    assert asked_quantity("毕业生升学的比例有多少？比上一年是高了还是低了？") == "%"
    assert asked_quantity("省里对一个县该办几所中职有说法没？") == "所"
    assert asked_quantity("政策性加分好几项都符合的话，最多能加几分？") == "分"


def test_has_quantity_binds_the_figure_to_what_it_counts():
    assert has_quantity("每年不低于12000元", "元") and has_quantity("每年一万二千元", "元")
    assert has_quantity("配备1名教研员", "人") and has_quantity("比例不低于15%", "%") and has_quantity("百分之六十", "%")
    assert not has_quantity("分3年落实，扩大到1000所学校", "人")  # figures, but none counts people
    assert not has_quantity("加大经费投入", "")
    assert has_quantity("联系人：张三，电话：0351-3046505", "tel") and not has_quantity("2022年4月底前报送", "tel")
    assert has_quantity("于2019年7月19日前报送", "date") and has_quantity("自一九九八年九月一日起施行", "date")
    assert not has_quantity("按规定时间报送", "date")
    assert has_quantity("每天校内体育活动不少于1小时", "duration") and not has_quantity("每天开展大课间活动", "duration")
    assert has_quantity("每年定期召开会议", "frequency") and has_quantity("每3年评估一次", "frequency")


def test_named_entities_and_focus_words():
    assert named_entities("“1331工程”要建哪些学科？") == ["1331工程"]
    [number] = named_entities("按晋政发〔2021〕7号文件")
    assert number.endswith("晋政发〔2021〕7号")
    assert "机构" in focus_words("第三方评估是委托哪家机构做的？", set())
    assert focus_words("这个怎么办？", set()) == []


def test_shipped_sentence_model_prefers_what_the_asker_was_not_told_yet():
    # Two sentences alike in every respect but one: a follow-up should quote the new one.
    m = load_model()
    base = {f: 0.0 for f in SENTENCE_FEATURES}
    base.update(coverage=0.5, similarity=0.9, length=3.5, turn_coverage=0.5)
    new = SentenceSignals(**base)
    told = replace(new, repeats=0.9)
    assert m.sentence_probability(new) > m.sentence_probability(told)


@pytest.mark.parametrize("level, elsewhere, question, outside", [
    ("province", 1.0, "北京的职业教育条例对中职老师的平均收入有什么要求？", True),  # another province's regulation
    ("city", 1.0, "北京的职业教育条例对中职老师的平均收入有什么要求？", True),
    ("national", 1.0, "北京的职业教育条例对中职老师的平均收入有什么要求？", False),  # may govern (and name) every place
    ("unknown", 1.0, "北京的职业教育条例对中职老师的平均收入有什么要求？", False),  # no issuer read: not known to be local
    ("province", 0.0, "北京的职业教育条例对中职老师的平均收入有什么要求？", False),  # the clause names the place asked about
    ("province", 1.0, "上海和北京对中职老师的平均收入各有什么要求？", False),  # asked of the document's own place too
])
def test_a_local_document_does_not_answer_for_a_place_it_does_not_govern(level, elsewhere, question, outside):
    from types import SimpleNamespace

    from assistant.compose.extractive import Evidence
    from assistant.compose.lookups import outside_jurisdiction

    doc = SimpleNamespace(level=level, issuer="上海市人民代表大会常务委员会", title="上海市职业教育条例")
    ev = Evidence(SimpleNamespace(doc=doc), ["中等职业学校教师的平均收入水平应当与普通高中教师相当。"], 0.9, 0.8,
                  _signals(mentioned_place_elsewhere=elsewhere))
    assert outside_jurisdiction(ev, SimpleNamespace(text=question)) is outside


def _sentence(turn_coverage: float, repeats: float) -> SentenceSignals:
    base = {f: 0.0 for f in SENTENCE_FEATURES}
    return SentenceSignals(**(base | {"turn_coverage": turn_coverage, "repeats": repeats}))


@pytest.mark.parametrize("follows, signals, probs, chosen", [
    # «具体用什么形式监测？» after «…几年搞一次？»: the model's choice is the sentence the asker was
    # just given; the one naming the 形式 the turn asks about is quoted instead.
    (True, [(0.2, 0.9), (0.8, 0.1)], [0.7, 0.4], 1),
    (True, [(0.2, 0.9), (0.1, 0.1)], [0.7, 0.4], 0),  # nothing answers more of the turn: kept
    (True, [(0.5, 0.2), (0.9, 0.1)], [0.7, 0.4], 0),  # not a repeat: the model's choice stands
    (False, [(0.2, 0.9), (0.8, 0.1)], [0.7, 0.4], 0),  # a question that stands alone follows nothing
])
def test_a_follow_up_is_not_answered_with_the_sentence_it_was_just_given(follows, signals, probs, chosen):
    from assistant.compose.extractive import _fresh_choice

    assert _fresh_choice(probs, [_sentence(*s) for s in signals], follows) == chosen


def test_a_doc_number_named_after_a_preposition_is_found_in_the_document_bearing_it():
    assert named_in("按教基一〔2010〕1号", "《意见》（教基一〔2010〕1号）")
    assert not named_in("按教基一〔2011〕1号", "《意见》（教基一〔2010〕1号）")
    assert not named_in("“三队两组”", "组建合唱队")


def test_a_follow_up_asks_for_its_own_figure_and_inherits_one_only_when_it_asks_none():
    from assistant.compose.extractive import asked_of
    from assistant.retrieve.query import QueryInfo

    merged = "每所试点高校要对口帮几所中小学？ 那要给对口学校开几门专项课？"
    assert asked_of(QueryInfo(text=merged, turn="那要给对口学校开几门专项课？")) == "门"
    assert asked_of(QueryInfo(text="高职要保证多少学时？ 那中职呢？", turn="那中职呢？")) == "学时"
    assert asked_of(QueryInfo(text="今年招多少学生？")) == "人"


def test_a_named_article_is_read_with_the_labels_a_clause_of_that_number_bears():
    from assistant.retrieve.query import NUMBERED_LABEL, named_articles

    assert named_articles("教育法第八十七条说的是啥？") == [("第八十七条", ["87.", "（八十七）", "第八十七条"])]
    assert named_articles("第一百零二条呢？")[0][1][2] == "第一百零二条"
    assert named_articles("有什么条件？") == []
    assert NUMBERED_LABEL.match("第四十二条") and NUMBERED_LABEL.match("（十一）") and not NUMBERED_LABEL.match("附则")


def test_a_clause_giving_no_figure_of_the_asked_kind_is_not_quoted_as_the_answer():
    from types import SimpleNamespace

    from assistant.compose.extractive import figure_absent

    def ev(**kw):
        return SimpleNamespace(signals=_signals(**kw))

    assert figure_absent(ev(asks_quantity=1.0, quantity_missing_clause=1.0))
    assert not figure_absent(ev(asks_quantity=1.0, quantity_missing_clause=0.0, quantity_missing=1.0))  # elsewhere in the clause
    assert not figure_absent(ev(asks_quantity=0.0))


def test_an_article_number_is_not_a_count_and_a_figure_the_question_gives_is_not_the_answer():
    from assistant.zh import without_given_figures

    assert not has_quantity("依照本法第五十二条的规定", "条") and has_quantity("共提出12条措施", "条")
    question = "实操不低于50%，那面试要占多少比例？"
    assert not has_quantity(without_given_figures("实际操作能力测试的比重原则上不低于50%。", question), "%")
    assert has_quantity(without_given_figures("面试成绩占30%，实操不低于50%。", question), "%")


def test_a_frequency_may_be_asked_per_edition_and_a_year_is_no_span():
    assert asked_quantity("市里的中小学生艺术展演多久办一届？") == "frequency"
    assert has_quantity("每两年举办一届市级艺术展演", "frequency")
    assert not has_quantity("到2020年，要建设20个艺术特色学校", "duration")  # 2020年 is a date
    assert has_quantity("分3年落实", "duration")


def test_a_yes_no_clause_offering_a_figure_checks_the_ask_before_it():
    assert asked_quantity("个人信息保护法要求学校多久做一次合规审计，一年一次吗？") == "frequency"
    assert asked_quantity("我们想开几个应用型专业，省里支持吗？") is None


def test_who_decides_a_figure_asks_who_but_how_much_and_who_pays_asks_both():
    assert asked_quantity("那收哪些项目、收多少，谁说了算？") is None
    assert asked_quantity("意外综合保险一年保费多少，由谁出？") is not None


def test_a_bare_how_much_needs_a_figure_not_a_list_label_or_a_numeral_inside_a_word():
    assert not has_quantity("3.省级教育行政部门要统一标准，加强对义务教育均衡发展状况的监测", "")
    assert has_quantity("校际差异系数小学不高于0.65", "") and has_quantity("配备1名教研员", "")


def test_a_follow_up_with_its_own_question_word_does_not_inherit_the_figure_asked_before():
    from assistant.compose.extractive import asked_of
    from assistant.retrieve.query import QueryInfo

    inherits = QueryInfo(text="西藏兼职艺术老师要培训多久才能上岗？ 那中职呢？", turn="那中职呢？")
    own = QueryInfo(text="西藏兼职艺术老师要培训多久才能上岗？ 那贵州呢？对兼职美育老师有什么要求？",
                    turn="那贵州呢？对兼职美育老师有什么要求？")
    assert asked_of(inherits) == "duration"
    assert asked_of(own) is None


def test_a_day_asked_needs_a_month_not_a_year_alone():
    assert asked_quantity("2023年山西职业教育活动周是几月几号办的？") == "day"
    assert asked_quantity("活动周一般是每年几月份办？") == "day"
    assert asked_quantity("是从什么时候开始施行的？") == "date"
    assert not has_quantity("开展2023年职业院校系列教育活动", "day") and has_quantity("2023年5月举办活动周", "day")
    assert has_quantity("于4月1日前上传", "day") and has_quantity("2023年举办", "date")


def test_ge_asks_a_count_of_the_noun_after_it_in_whatever_measure_the_text_counts():
    assert asked_quantity("去年的全国职业院校技能大赛，咱省学生一共拿了几个一等奖？") == "个"  # not 人 for 学生
    assert has_quantity("获一等奖8项，二等奖28项", "个") and has_quantity("设46个比赛项目", "个")
    assert not has_quantity("补助500元", "个") and not has_quantity("每半年考评一次", "个")
