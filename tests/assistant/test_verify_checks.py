"""The decision code of generated-answer verification, one check at a time, on real wording."""
import pytest

from assistant.verify import Given, verify_generated
from assistant.verify.actors import actor_problem, actor_role_problem
from assistant.verify.checks import contrast_problem
from assistant.verify.figures import figure_problem
from assistant.verify.polarity import denial_problem, negative, polarity_problem
from assistant.verify.generated import VerifierParams, load_params
from assistant.verify.judge import judge, parse_verdicts

FUNDING = Given(
    "《山西省推进职业教育改革发展行动计划》（晋政发〔2020〕19号） › 七、完善改革发展保障机制 › （二十四）完善经费投入机制 › 责任单位：省财政厅、省教育厅",
    "公办高职院校生均财政拨款水平每年不低于12000元，公办中等职业教育每年达到8000元以上。地方教育附加费用于职业教育的比例不低于30%。",
)
HIRING = Given(
    "《山西省推进职业教育改革发展行动计划》（晋政发〔2020〕19号） › 四、 › （十一）改革教师招聘 › 责任单位：省教育厅、省人社厅",
    "职业院校相关专业教师原则上从具有3年以上企业工作经历并具有高职以上学历的人员中公开招聘，2020年起基本不再从应届毕业生中招聘。特殊高技能人才可适当放宽学历要求。",
)
UNITS = frozenset({"省财政厅", "省教育厅", "省人社厅", "市教育局"})
PARAMS = VerifierParams(grounding=0.4, figure_context=0.5, negation_match=0.5, actor_context=4, citation_margin=0.25, short_claim=10)


def test_figure_is_compared_with_the_one_given_for_the_same_thing():
    assert figure_problem("高职生均拨款不低于一万二千元", [FUNDING], "", PARAMS) is None
    # 30 occurs in the clause, but for another thing: the funding figure is 12000.
    assert "原文为 12000元" in figure_problem("高职生均拨款不低于30元", [FUNDING], "", PARAMS)
    assert "不见于" in figure_problem("每年补助500人", [FUNDING], "", PARAMS)


def test_a_figure_the_source_gives_for_another_class_is_caught():
    staff = Given("《美育意见》 › （六）", "按照小学、初中每周16节课时量、高中每周14节课时量的标准配备体育教师。")
    assert "小学、初中" in figure_problem("高中按每周16节课时量配备体育教师", [staff], "", PARAMS)
    assert figure_problem("高中按每周14节课时量配备体育教师", [staff], "", PARAMS) is None
    assert figure_problem("初中按每周16节课时量配备体育教师", [staff], "", PARAMS) is None
    # the figure given for the claim's class, however the words around it run
    plan = Given("《计划》 › 13.", "运城市建设30门以上职业教育市级精品课程和20门以上省级职业教育精品课程。")
    assert figure_problem("全市要建设30门以上市级职业教育精品课程", [plan], "", PARAMS) is None
    assert figure_problem("全市要建设20门以上市级职业教育精品课程", [plan], "", PARAMS)


def test_a_count_of_the_responsible_units_the_header_lists_is_given():
    task = Given("《方案》 › （五） › 责任单位：省商务厅、省发展改革委、省教育厅", "深化服务贸易合作。")
    assert figure_problem("责任单位是省商务厅、省发展改革委和省教育厅，共三个单位", [task], "", PARAMS) is None
    assert figure_problem("责任单位共有四个", [task], "", PARAMS)
    assert figure_problem("这项合作涉及三个国家", [task], "", PARAMS)


def test_a_count_of_tiers_the_source_lists_is_given_but_not_of_a_list_it_does_not_give():
    funds = Given("《意见》 › （八）", "市、县财政要设立美育专项经费，纳入年度教育经费预算。")
    assert figure_problem("市、县两级财政都要设立美育专项经费", [funds], "", PARAMS) is None
    assert figure_problem("省、市、县三级财政都要设立美育专项经费", [funds], "", PARAMS)


def test_figures_in_the_question_and_header_count_as_given():
    assert figure_problem("2025年的要求仍是不低于12000元", [FUNDING], "2025年高职拨款是多少？", PARAMS) is None
    assert figure_problem("这一要求出自晋政发〔2020〕19号文件", [FUNDING], "", PARAMS) is None


def test_clause_numbers_approximations_and_enumerated_counts():
    law = Given("《中华人民共和国教育法》 › 第五章 › 第四十三条", "受教育者享有下列权利：……")
    rules = Given("《招生工作规定》 › 三、 › 22.因公长期在外", "确需借考的，可以申请借考。")
    assert figure_problem("教育法第43条规定了受教育者的权利", [law], "", PARAMS) is None
    assert "条款编号" in figure_problem("教育法第44条规定了受教育者的权利", [law], "", PARAMS)
    assert figure_problem("按照规定第22条，确需借考的可以申请借考", [rules], "", PARAMS) is None
    assert figure_problem("生均拨款约1.2万元", [FUNDING], "", PARAMS) is None
    assert figure_problem("责任单位共2个：省财政厅、省教育厅", [FUNDING], "", PARAMS) is None
    assert figure_problem("责任单位共3个：省财政厅、省教育厅", [FUNDING], "", PARAMS)


def test_reversed_direction_and_negation_are_caught():
    src = "公办高职院校生均财政拨款水平每年不低于12000元"
    assert polarity_problem("高职生均拨款每年至少12000元", src) is None
    assert polarity_problem("高职生均拨款每年不高于12000元", src)
    assert polarity_problem("特殊高技能人才不得放宽学历要求", "特殊高技能人才可适当放宽学历要求。")
    assert polarity_problem("2020年起可以从应届毕业生中招聘", "2020年起基本不再从应届毕业生中招聘。")
    assert polarity_problem("相关经费纳入财政预算", "相关经费不纳入财政预算。")
    # Denial added or dropped in other words
    src = "积极改善农村教师的工作生活条件，提高农村教师待遇。"
    assert denial_problem("但不再单独提高农村教师待遇", "但不再单独提高农村教师待遇", src, 0.5)
    assert denial_problem("要改善农村教师条件、提高待遇", "要改善农村教师条件", src, 0.5) is None
    rule = "各省级招办对本科层次招生，一律不得在常规录取工作结束后再行组织补录或换录；"
    assert denial_problem("常规录取工作结束后可再行组织补录或换录", "常规录取工作结束后", rule, 0.5)
    assert denial_problem("常规录取结束后，一律不得再行组织补录", "常规录取结束后", rule, 0.5) is None
    # «以下要求» points ahead; «5年以下» bounds
    assert polarity_problem("还应当满足以下要求", "除应当具备以上基本任职条件外") is None


def test_sector_and_tier_swaps_are_caught():
    first = FUNDING.text.split("，")[0]
    assert contrast_problem("民办高职院校拨款不低于12000元", first)
    assert contrast_problem("公办中职拨款不低于12000元", first)
    assert contrast_problem("公办高职院校拨款不低于12000元", first) is None
    assert contrast_problem("学校、教师和学生都可申诉", "学生可以提出申诉") is None


def test_people_townships_universities_and_technical_schools_are_classes_of_their_axes():
    assert contrast_problem("参赛企业职工两万余人", "参与师生2万余人")
    assert contrast_problem("班主任组织学校课外艺术活动", "教师组织学校课外艺术活动")
    assert contrast_problem("每个乡镇办好一所中等职业学校", "每个县（市、区）重点办好一所中等职业学校")
    assert contrast_problem("严禁高等院校组织学生参与商业性庆典", "严禁任何部门和中小学校组织学生参与商业性庆典")
    assert contrast_problem("技工院校开展非学历培训项目499项", "中职院校开展非学历培训项目499项")
    assert contrast_problem("含具有技师以上职业资格人员", "含具有高级工以上职业资格人员")
    assert contrast_problem("技师学院毕业生可报名", "技师学院毕业生可报名应聘") is None
    # the same class in other words, or both named
    assert contrast_problem("职业学校、实习单位、学生家长三方签订协议", "职业学校、实习单位、学生家长三方签订协议") is None
    assert contrast_problem("师生都可参加", "组织师生参与艺术实践活动") is None


def test_actor_must_be_named_by_the_cited_source_or_its_header():
    assert actor_problem("由省财政厅、省教育厅负责", [FUNDING], UNITS) is None
    # a word jieba made of a lookalike and what stands before it names no office
    assert actor_problem("调整布局时要方便低龄学生入学", [FUNDING], UNITS) is None
    # jieba leaves the 委 of «国家发展改革委» a word of its own: still an office
    assert actor_problem("由国家发展改革委牵头", [FUNDING], UNITS)
    assert actor_problem("由省人社厅负责落实", [FUNDING], UNITS)
    assert actor_problem("由市教育局负责落实", [FUNDING], UNITS)


def test_faithful_paraphrase_in_both_marker_styles_is_kept_unchanged():
    before = "可以，但有条件[1]。特殊高技能人才可以适当放宽学历要求[1]。一般专业教师要有三年以上企业工作经历[1]。"
    after = "可以，但有条件。[1]特殊高技能人才可以适当放宽学历要求。[1]一般专业教师要有三年以上企业工作经历。[1]"
    for text in (before, after):
        out = verify_generated(text, [HIRING], "厂里的老师傅学历低能招吗？", UNITS, PARAMS)
        assert out.text == text and not out.dropped


def test_wrong_citation_is_repaired_not_removed():
    out = verify_generated("生均拨款不低于12000元[1]。", [HIRING, FUNDING], "高职生均拨款多少？", UNITS, PARAMS)
    assert out.text == "生均拨款不低于12000元[1]。" and out.used == [1] and out.repaired


def test_losing_the_answering_sentence_means_falling_back():
    out = verify_generated("生均拨款不低于15000元[1]。中职每年达到8000元以上[1]。", [FUNDING], "高职生均拨款不低于多少？", UNITS, PARAMS)
    assert out.text == "" and out.dropped


def test_invented_sentence_in_new_words_is_removed():
    out = verify_generated(
        "高职生均拨款每年不低于12000元[1]。此外学校可自行向企业收取实训设备维护费用[1]。", [FUNDING], "高职拨款多少？", UNITS, PARAMS)
    assert "维护费用" not in out.text and "12000元[1]" in out.text


def test_judge_removes_what_it_rejects_and_a_bad_reply_is_no_judgement():
    text = "高职生均拨款每年不低于12000元[1]。中职每年达到8000元以上[1]。"
    out = verify_generated(text, [FUNDING], "高职拨款多少？", UNITS, PARAMS, ask_judge=lambda p: "1：是\n2：否")
    assert "8000" not in out.text and "核查模型" in out.dropped[0]
    same = verify_generated(text, [FUNDING], "高职拨款多少？", UNITS, PARAMS, ask_judge=lambda p: "都对。")
    assert same.text == text


def test_verdict_parsing_needs_every_sentence_once():
    assert parse_verdicts("1：是\n2. 否\n3、**是**", 3) == [True, False, True]
    assert parse_verdicts("1：是", 2) is None
    assert parse_verdicts("1：是\n1：否", 1) is None
    assert judge([], [FUNDING], lambda p: "") == []


def test_offices_in_swapped_roles_are_caught():
    src = Given("《方案》 › 三、", "院校内培训由国务院教育行政部门负责监督考核，院校外培训由国务院人力资源社会保障行政部门负责监督考核。")
    right = "院校外培训由国务院人力资源社会保障行政部门负责监督考核"
    swapped = "院校外培训由国务院教育行政部门负责监督考核"
    assert actor_role_problem(right, [src], UNITS, 4) is None
    assert "原文为" in actor_role_problem(swapped, [src], UNITS, 4)


def test_a_supported_sentence_far_better_said_by_another_source_is_moved_there():
    params = VerifierParams(grounding=0.4, figure_context=0.5, negation_match=0.5, actor_context=4, citation_margin=0.25, short_claim=10)
    text = "生均拨款不低于12000元[1]。原则上从具有3年以上企业工作经历的人员中公开招聘[1]。"
    out = verify_generated(text, [FUNDING, HIRING], "高职拨款和招聘有什么要求？", UNITS, params)
    assert out.text == "生均拨款不低于12000元[1]。原则上从具有3年以上企业工作经历的人员中公开招聘[2]。" and len(out.repaired) == 1


def test_a_comparison_its_own_figures_contradict_is_caught():
    from assistant.verify.comparisons import comparison_problem

    assert comparison_problem("中职为9425元/生，低于高职院校的8339元/生")
    assert comparison_problem("中职为9425元/生，高于高职院校的8339元/生") is None
    assert comparison_problem("高职12所，少于中职的10所")
    # a bound on the second figure compares nothing
    assert comparison_problem("每天开展一次不少于30分钟的大课间活动，实际活动时间不少于15分钟") is None


@pytest.mark.parametrize("source, reversed_, restated", [
    ("在两地试卷相同的前提下，可在工作地借考。", "即使两地试卷不同，也可以借考", "两地试卷一致时，可以借考"),
    # an elective for a required course
    ("职业学校要把美育基础知识课程作为必修课纳入公共基础课教学计划。",
     "职业学校要把美育基础知识课程作为选修课纳入教学计划", "美育基础知识课程是职业学校的必修课"),
    # a record high is a rise
    ("赛事规模和参赛人数均创历史新高。", "赛事规模和参赛人数均较往届有所下降", "赛事规模和参赛人数都创了新高"),
])
def test_opposite_words_reverse_the_source(source, reversed_, restated):
    assert polarity_problem(reversed_, source)
    assert polarity_problem(restated, source) is None


def test_a_denied_object_reverses_a_source_that_states_it_with_another_verb():
    src = "建设一批省级产教融合型企业，并按规定落实有关税收优惠政策。"
    assert polarity_problem("但不再享受有关税收优惠政策。", src)
    assert polarity_problem("则不实行即报即审。", "对符合要求的审批申请实施即报即审。")
    # 的 starts a relative clause: «没有通过的学生» denies 通过, not 学生.
    assert polarity_problem("转段考核没有通过的学生，允许以低段学历毕业", "转段考核不通过的学生，允许以低段学历毕业；") is None


def test_a_direction_is_read_in_the_part_of_the_sentence_the_claim_restates():
    src = "狠抓中等职业学校整合重组，力争“十四五”期间减少100所左右的中职学校，促进内涵提升、集约发展。"
    assert polarity_problem("“十四五”期间力争增加100所左右的中职学校。", src)
    assert polarity_problem("力争“十四五”期间减少100所左右的中职学校。", src) is None
    # A negator jieba fuses with the function word after it still negates (不作, 不随).
    assert polarity_problem("干部教师配备等不作优先安排", "对必要的基本建设、干部教师配备等给予优先考虑，保证按期完成扩招任务。")


def test_a_swap_is_caught_where_the_sentence_names_both_classes():
    src = "2020年起，职业院校、应用型本科高校相关专业教师原则上从具有3年以上企业工作经历并具有高职以上学历的人员中公开招聘。"
    claim = "应用型本科高校相关专业教师原则上从具有三年以上企业工作经历并具有中职以上学历的人员中公开招聘"
    assert contrast_problem(claim, src, claim)
    assert contrast_problem(claim.replace("中职", "高职"), src, claim.replace("中职", "高职")) is None
    assert contrast_problem("城市中小学现代远程教育", "进一步推进农村中小学现代远程教育，不断提高教育信息化的普及水平。")


def test_word_grounding_separates_a_new_sentence_in_the_documents_register_from_a_restatement():
    from assistant.verify.checks import word_grounding

    src = "市政府分管教育工作的副市长担任市级职业教育联席会议召集人，每年定期召开会议，各成员单位就有关工作情况向联席会议报告。"
    invented = "联席会议办公室设在市教育局，负责日常工作。"
    restated = "市级联席会议由分管教育工作的副市长召集，每年定期召开。"
    assert word_grounding(restated, src) == 1.0
    assert word_grounding(invented, src) < 0.5
    assert word_grounding("。", src) == 1.0  # nothing to look for is nothing missing


def test_a_clause_number_in_running_words_must_be_one_the_source_shows():
    from assistant.verify.figures import clause_ref_problem, clause_refs

    assert clause_refs("这部分内容位于纲要第十三章“人才培养体制改革”") == {13}
    assert clause_refs("同属“（十六）开展高质量职业培训”一项") == {16}
    src = Given("《某行动计划》（某政发〔2020〕19号） › 四、提高技术技能人才培养质量 › （十四）开展高质量职业培训", "开展职业技能提升培训。")
    assert clause_ref_problem("这两项工作同属“（十六）开展高质量职业培训”一项。", [src])
    assert clause_ref_problem("这两项工作同属“（十四）开展高质量职业培训”一项。", [src]) is None


def test_a_ratio_is_one_figure_in_either_writing():
    from assistant.verify.figures import ratio_problem, ratios

    assert ratios("按小学、初中、高中学校6：3：1的比例") == ratios("按六比三比一的比例") == {(6, 3, 1)}
    assert ratios("附件1：名单") == set() and ratios("生师比为21.58") == set()
    src = Given("《某意见》 › 10.建立体质健康干预机制", "按小学、初中、高中学校6：3：1的比例确定学校样本。")
    assert ratio_problem("按五比三比二的比例确定学校样本。", [src])
    assert ratio_problem("按六比三比一的比例确定学校样本。", [src]) is None


SUPERVISORS = Given(
    "《中华人民共和国民办教育促进法实施条例》（国务院令第741号） › 第三章民办学校的组织与活动 › 第二十七条",
    "理事会、董事会或者其他形式决策机构组成人员及其近亲属不得兼任、担任监督机构组成人员或者监事。",
)


def test_one_denial_covers_the_verbs_joined_to_it():
    sentence = SUPERVISORS.text
    # «不得兼任、担任…监事»: 担任 is denied though the 、 puts it in a part of its own.
    assert denial_problem("其配偶同样不能担任监事", "同样不能担任监事", sentence, 0.4) is None
    assert polarity_problem("其近亲属不能担任监事", sentence) is None
    assert polarity_problem("董事长的近亲属可以担任监事", sentence)


def test_an_office_written_shorter_is_the_same_office():
    law = Given("《中华人民共和国教育法》 › 第一章总则 › 第十四条",
                "中等及中等以下教育在国务院领导下，由地方人民政府管理。高等教育由国务院和省、自治区、直辖市人民政府管理。")
    assert actor_role_problem("中小学主要由地方政府管理，但要在国务院领导下进行", [law], UNITS, 2) is None
    rule = Given("《条例》 › 第三十一条", "符合省、自治区、直辖市人民政府教育行政部门有关规定的可以跨区域招生。"
                                       "县级以上地方人民政府教育行政部门、人力资源社会保障行政部门应当提供平等待遇。")
    assert actor_role_problem("县级以上地方教育行政部门、人力资源社会保障行政部门应当提供平等待遇", [rule], UNITS, 2) is None
    # Shorter, but not of the same name: the characters must be the source name's, in order.
    assert actor_role_problem("中等及中等以下教育由地方教育行政部门管理", [law], UNITS, 2)


def test_an_office_in_parallel_sentences_is_told_apart_by_the_rest_of_its_sentence():
    src = Given("《上海市职业教育条例》 › 第三章职业培训 › 第三十五条",
                "实施自学考试助学及其他文化教育的职业培训机构的设立、变更和终止，由区教育行政部门审批。"
                "实施以职业技能为主的职业培训机构的设立、变更和终止，由区人力资源社会保障部门审批。")
    right = "以职业技能为主的职业培训机构的设立、变更和终止，由区人力资源社会保障部门审批"
    assert actor_role_problem(right, [src], UNITS, 2) is None
    assert actor_role_problem(right.replace("区人力资源社会保障部门", "区教育行政部门"), [src], UNITS, 2)


def test_a_count_in_a_lead_in_is_of_the_list_lines_that_follow():
    src = Given("《方案》 › 三、 › 责任单位：省教育厅", "部署以下重点工作：一是完善课程体系。二是加强师资队伍。三是改善办学条件。")
    ok = "文件部署的重点工作有三个方面[1]：\n1. 完善课程体系；\n2. 加强师资队伍；\n3. 改善办学条件。"
    out = verify_generated(ok, [src], "文件部署了哪些重点工作？", UNITS, PARAMS)
    assert out.text == ok and not out.dropped
    wrong = verify_generated(ok.replace("三个方面", "五个方面"), [src], "文件部署了哪些重点工作？", UNITS, PARAMS)
    assert any("5个" in d for d in wrong.dropped)


def test_words_that_frame_an_answer_are_not_asked_of_the_source():
    from assistant.verify.checks import word_grounding

    src = "公办高职院校生均财政拨款水平每年不低于12000元。"
    # «也就是说», «前提», «明确», «不是» connect and qualify: the source need not contain them.
    assert word_grounding("也就是说，公办高职院校的生均拨款明确不低于12000元，不是上限", src) >= 0.6
    assert word_grounding("民办高职学校可另行申请专项补助资金", src) < 0.6


def test_a_direction_fused_into_one_word_and_a_pace_reversed_are_caught():
    sentence = "各级各类学校要积极创造条件接收残疾人入学，不断扩大随班就读和普通学校特教班规模。"
    assert polarity_problem("不断缩小随班就读和普通学校特教班规模", sentence)
    assert polarity_problem("不断扩大随班就读规模", sentence) is None
    plan = "在重点创新团队建设基础上，加快2所省级优质高等职业院校项目建设。"
    assert polarity_problem("暂缓2所省级优质高等职业院校项目建设", plan)


def test_a_comparison_between_things_the_sentence_gave_figures_for_is_checked():
    from assistant.verify.comparisons import comparison_problem

    assert comparison_problem("其中高职12所、中职10所，中职略多于高职")
    assert comparison_problem("其中高职12所、中职10所，高职略多于中职") is None


def test_an_office_is_a_name_the_source_gives_not_words_found_apart():
    src = Given("《方案》 › 二、 › 责任单位：各县［市、区］人民政府",
                "考试内容由用人单位按照原则设置，财政等有关方面配合。加强县级职教中心建设，由各有关部门支持。")
    # 财政 and 部门 are both in the source, but no office of that name is.
    assert actor_problem("考试内容由财政部门按照原则设置", [src], UNITS)
    # A shorter writing of a name it gives, level qualifier and all, is that office.
    assert actor_problem("职教中心建设主要由县级政府负责", [src], UNITS) is None


def test_a_count_of_items_joined_by_he_is_of_the_list_it_introduces():
    # «两个部门：A和B» counts the two it names; the source's 12000 is another thing.
    assert figure_problem("负责的是两个部门：省财政厅和省教育厅", [FUNDING], "", PARAMS) is None
    assert figure_problem("负责的是三个部门：省财政厅和省教育厅", [FUNDING], "", PARAMS)


def test_every_city_named_with_ge_is_the_office_the_header_lists():
    src = Given("《意见》 › 三、 › 责任单位：省教育厅、市〔州〕人民政府、县〔市、区〕人民政府", "各级教育行政部门要明确管理美育工作的部门。")
    units = UNITS | {"各市"}
    assert actor_problem("责任单位包括省教育厅以及各市（州）、县（市、区）人民政府", [src], units) is None
    assert actor_problem("责任单位包括省教育厅以及各市教育局", [src], units)


def test_a_count_after_a_list_must_match_the_list():
    src = Given("《通知》 › 二、", "确定武昌区、黄石港区、沙市区为实验区，加强艺术素质测评实验工作。")
    assert figure_problem("武昌区、黄石港区和沙市区这三个实验区要加强测评", [src], "", PARAMS) is None
    assert figure_problem("武昌区、黄石港区和沙市区这五个实验区要加强测评", [src], "", PARAMS)


def test_denying_a_listed_responsible_unit_contradicts_the_header():
    from assistant.verify.actors import denied_unit_problem

    src = Given("《计划》 › 四、 › 6.提升县级职教中心服务能力 › 责任单位：各县［市、区］人民政府", "加强县级职教中心建设。")
    assert src.units == ["各县［市、区］人民政府"]
    assert denied_unit_problem("发挥职教中心功能，并不由县级政府负责", [src], UNITS)
    assert denied_unit_problem("发挥职教中心功能，由县级政府负责", [src], UNITS) is None
    assert denied_unit_problem("省教育厅不负责这项工作", [src], UNITS) is None


def test_a_comparison_with_bi_must_agree_with_its_figures():
    from assistant.verify.comparisons import comparison_problem

    assert comparison_problem("中职开展培训499项，比高职的767项要多")
    assert comparison_problem("中职开展培训499项，比高职的767项少") is None


def test_before_and_after_are_opposite_directions():
    assert polarity_problem("办学结余分配可以在年度财务结算前进行", "营利性民办学校的办学结余分配，应当在年度财务结算后进行。")
    assert polarity_problem("办学结余分配要在年度财务结算后进行", "营利性民办学校的办学结余分配，应当在年度财务结算后进行。") is None


def test_an_event_number_is_the_one_the_source_gives():
    src = Given("《行动计划》", "《行动计划》已经市政府92次常务会议研究同意，现印发给你们。")
    assert figure_problem("这份计划经市政府第92次常务会议研究同意", [src], "", PARAMS) is None
    assert figure_problem("这份计划经市政府第93次常务会议研究同意", [src], "", PARAMS)


def test_a_denial_of_what_the_source_never_says_is_not_a_reversal():
    sentence = "企业发生的公益性捐赠支出，超过年度利润总额12%的部分，准予结转以后三年内在计算应纳税所得额时扣除。"
    assert denial_problem("超过的部分也不会作废", "超过的部分也不会作废", sentence, 0.3) is None
    assert denial_problem("超过年度利润总额12%的部分不准予结转扣除", "超过年度利润总额12%的部分不准予结转扣除", sentence, 0.3)


def test_counts_in_more_measure_words_and_of_the_documents_given():
    assert figure_problem("评为A等的报告共79份", [Given("《年报》", "评为A等的报告共69份。")], "", PARAMS)
    law = Given("《中华人民共和国教育法》 › 第五章 › 第四十三条", "受教育者享有下列权利。")
    assert figure_problem("两份文件都没有列明具体条件", [FUNDING, law], "", PARAMS) is None
    assert figure_problem("三份文件都没有列明具体条件", [FUNDING, law], "", PARAMS)


def test_words_taken_from_other_sentences_of_the_source_are_counted():
    from assistant.verify.checks import imported_words

    src = Given("《计划》 › （二十四）完善经费投入机制", "公办高职院校生均拨款水平每年不低于12000元。地方教育附加费用于职业教育的比例不低于30%。")
    # Restating one sentence imports nothing; joining the subject of one to the predicate of
    # the other imports the other's words.
    assert imported_words("地方教育附加费用于职业教育的比例不低于百分之三十", [src], "") == 0
    assert imported_words("地方教育附加费要用于保障公办高职院校的生均拨款", [src], "") >= 2


def test_a_doc_number_is_the_same_when_only_the_words_before_its_issuer_differ():
    from assistant.verify.checks import same_doc_number

    assert same_doc_number("人民政府要按照国办发〔1993〕71号", "区人民政府要按国办发〔1993〕71号")
    assert same_doc_number("国办发〔1993〕71号", "要按国办发〔1993〕71号") and same_doc_number("国务院令第741号", "国务院令第741号")
    assert not same_doc_number("晋政发〔2020〕19号", "京政发〔2020〕19号")  # another place's issuer
    assert not same_doc_number("国办发〔1993〕71号", "国办发〔1993〕72号") and not same_doc_number("国办发〔1993〕71号", "国办发〔1994〕71号")
    assert not same_doc_number("国务院令第741号", "国务院令第742号")


def test_a_bare_no_needs_a_source_that_denies_binds_or_narrows():
    from assistant.verify.polarity import restricts
    from assistant.verify.generated import unfounded_denial

    q = "学生对处分不服，能不能向有关部门申诉？"
    permits = ["受教育者对学校给予的处分不服，向有关部门提出申诉。"]
    assert unfounded_denial("不可以", q, permits)
    assert not unfounded_denial("可以", q, permits)
    # A «no» drawn from a duty, an «only» or a prohibition in the source is the model's reading of it.
    for source in ("校长必须由具有中华人民共和国国籍的公民担任。", "只能取其中最高的一项分值。", "公办学校不得举办民办学校。"):
        assert not unfounded_denial("不可以", "新加坡籍专家能当校长吗？", [source]), source
    assert restricts("各市要确保在4月底前召开大会。") and not restricts("学校开展了美育活动。")
    # A «no» with the condition that turns it to «yes» is an answer, not a bare denial.
    assert not unfounded_denial("不能直接兼，须先经过专业培训", "语文老师能兼音乐课吗？", permits)
    # A «no» to a case whose figure the source sets otherwise («只排3节» against «每周开设5节»).
    lessons = ["义务教育阶段学校每周开设5节体育与健康课。"]
    assert not unfounded_denial("不可以", "我们小学体育课一周只排3节行不行？", lessons)
    assert unfounded_denial("不可以", "我们是一所小学，能开体育与健康课吗？", lessons)  # «一所» is no figure of the case


def test_a_reversed_verdict_in_a_model_answer_is_removed():
    src = Given("《教育法》 › 第四十三条", "受教育者享有下列权利：对学校给予的处分不服，向有关部门提出申诉。")
    out = verify_generated("不可以[1]。受教育者对学校给予的处分不服，可以向有关部门提出申诉[1]。", [src],
                           question="学生对处分不服，能不能向有关部门申诉？")
    assert "不可以" not in out.text


def test_a_verdict_saying_at_most_one_thing_about_the_topic_is_read_like_a_short_claim():
    src = Given("《某市美育实施意见》 › 8.", "鼓励有艺术特长的教师经培训后兼任美育课教学。")
    q = "语文老师有艺术特长，能不能兼上音乐课？"
    kept = verify_generated("可以，而且这是文件明确鼓励的做法[1]。有艺术特长的教师经培训后可以兼任美育课教学[1]。", [src], question=q)
    assert not kept.dropped
    gone = verify_generated("不可以，而且这是文件明确禁止的做法[1]。有艺术特长的教师经培训后可以兼任美育课教学[1]。", [src], question=q)
    assert gone.dropped


def test_a_verdict_against_its_source_goes_and_is_not_moved_to_another_source():
    permit = Given("《国家职业教育改革实施方案》 › （十）", "试点企业兴办职业教育的投资符合条件的，可按投资额一定比例抵免该企业当年应缴教育费附加。")
    other = Given("《某省实施意见》 › 三、", "各地要加强对职业院校的督导评估。")
    out = verify_generated("不可以[1]。试点企业兴办职业教育的投资符合条件的，可按投资额一定比例抵免教育费附加[1]。", [permit, other],
                           question="我们公司是产教融合型企业，投钱办职业教育能不能抵教育费附加？")
    assert "不可以" not in out.text and not out.repaired


def test_an_ordinal_is_compared_with_the_sources_ordinal_of_the_same_thing():
    from assistant.verify.figures import ordinal_problem

    src = Given("《国家中长期教育改革和发展规划纲要》 › 序言", "这是我国进入21世纪之后的第一个中长期教育规划纲要。")
    assert ordinal_problem("纲要是二十一世纪我国第2个中长期教育规划纲要", [src])
    assert ordinal_problem("纲要是二十一世纪我国第三个中长期教育规划纲要", [src])
    assert ordinal_problem("纲要是二十一世纪我国第1个中长期教育规划纲要", [src]) is None
    assert ordinal_problem("第二批试点在明年开展", [src]) is None  # the source ranks no such thing


def test_an_article_of_a_named_law_must_be_the_one_the_source_cites():
    from assistant.verify.figures import clause_ref_problem

    src = Given("《民办教育促进法实施条例》 › 第八章法律责任 › 第六十五条",
                "违反规定举办、参与举办民办学校的，依照民办教育促进法第六十四条的规定给予处罚。")
    assert clause_ref_problem("依照民办教育促进法第65条给予处罚", [src])
    assert clause_ref_problem("依照民办教育促进法第64条给予处罚", [src]) is None
    assert clause_ref_problem("按实施条例第六十五条给予处罚", [src]) is None  # the clause's own number


def test_a_class_the_clauses_heading_gives_its_sentence_is_checked_too():
    from assistant.verify.generated import header_contrast

    src = Given("《国家中长期教育改革和发展规划纲要》 › 第四章 义务教育 › （九）", "推行小班教学。")
    assert header_contrast("纲要在高等教育部分还提出推行小班教学", "推行小班教学。", "纲要在高等教育部分还提出推行小班教学", [src])
    assert header_contrast("纲要在义务教育部分还提出推行小班教学", "推行小班教学。", "纲要在义务教育部分还提出推行小班教学", [src]) is None
    # A sentence that names its own level is read by itself.
    own = Given("《纲要》 › 第四章 义务教育 › （九）", "高等教育阶段推行小班教学。")
    assert header_contrast("高等教育阶段推行小班教学", "高等教育阶段推行小班教学。", "高等教育阶段推行小班教学", [own]) is None


def test_a_figure_after_the_noun_it_counts_is_bound_to_that_noun():
    src = Given("《年度报告》 › 1.1 办学格局", "山西省51所高职学校中有公办院校44所，企业（集团）举办院校2所，民办院校5所，呈现多元办学格局。")
    # the sentence runs differently, but 5所 is what the source gives for 民办院校
    assert figure_problem("全省51所高职学校中，民办院校有5所，企业（集团）举办的有两所", [src], "", PARAMS) is None
    assert "原文为" in figure_problem("全省51所高职学校中，民办院校有6所", [src], "", PARAMS)
    # a noun alike, but the characters after the unit name another thing
    week = Given("《意见》 › 1.改进体育课程设置", "小学中高段每周3节技能教学课＋1节体能锻炼课；高中每周2节体育与健康课。")
    assert figure_problem("小学中高段每周2节技能教学课", [week], "", PARAMS)


def test_ge_counts_whatever_the_source_counts_in_its_own_measure_word():
    src = Given("《年度报告》 › 1.5.3 社会培训", "全省高职院校举办非学历培训项目767项，时长合计98112.6学时。")
    assert figure_problem("这767个项目的总时长合计98112.6学时", [src], "", PARAMS) is None
    assert figure_problem("这768个项目的总时长合计98112.6学时", [src], "", PARAMS)


def test_an_office_the_asker_named_may_be_denied_but_not_asserted():
    src = Given("《行动计划》 › 22.培养工匠后备人才 › 责任单位：市教育局、市人社局", "培养一大批富有工匠精神的后备人才。")
    question = "团市委是不是这项工作的责任单位？"
    units = frozenset({"市教育局", "市人社局", "团市委"})
    denial = "其责任单位为市教育局、市人社局，并未列入团市委"
    assert actor_problem(denial, [src], units, question) is None
    assert actor_problem("其责任单位为市教育局、市人社局和团市委", [src], units, "")  # asserted: not in the source
    assert actor_problem(denial, [src], units, "")  # not named by the asker: still checked


def test_two_things_related_the_other_way_round_are_caught_but_a_list_in_another_order_is_not():
    from assistant.verify.polarity import order_problem

    src = "以教育信息化带动教育现代化，把教育信息化纳入经济社会信息化的总体部署。"
    assert order_problem("核心是以教育现代化带动教育信息化", src)
    assert order_problem("核心是以教育信息化带动教育现代化", src) is None
    assert order_problem("推进教育信息化和教育现代化", "推进教育现代化和教育信息化。") is None


def test_a_change_stated_the_other_way_round_is_caught():
    from assistant.verify.polarity import order_problem

    src = "推动教育服务由被动响应向主动服务转变，助力院校跨部门协作。"
    assert order_problem("学校的服务正由主动服务向被动响应转变", src)
    assert order_problem("学校的服务正由被动响应向主动服务转变", src) is None


def test_cancelling_what_the_source_sets_up_is_a_reversal_but_a_list_of_steps_is_not():
    assert polarity_problem("并取消教师资格证书定期登记制度", "建立教师资格证书定期登记制度。")
    assert polarity_problem("并建立教师资格证书定期登记制度", "建立教师资格证书定期登记制度。") is None
    steps = "职业培训机构的设立、变更和终止，由区人力资源社会保障部门审批。"
    assert polarity_problem("变更和终止都由区人社部门审批", steps) is None
    # 予以 grants: «不予» reverses it
    assert polarity_problem("评审中不单设美育专项课题，也不予倾斜", "评审中增加美育专项课题并予以一定倾斜。")




def test_a_bare_verdict_before_its_condition_is_checked_against_the_rule():
    from assistant.verify.checks import segments

    src = Given("《民办教育促进法实施条例》 › 第十条",
                "民办学校及其举办者不得以赞助费等名目向学生、学生家长收取或者变相收取与入学关联的费用。")
    question = "我们是民办中学，新生入学的时候能不能让家长另外交一笔赞助费？"
    assert segments("可以，但须家长自愿。")[0] == "可以"
    lie = verify_generated("可以，但须家长自愿[1]。", [src], question)
    assert not lie.kept
    ok = verify_generated("不可以，民办学校不得以赞助费等名目收取与入学关联的费用[1]。", [src], question)
    assert ok.kept and not ok.dropped


def test_an_industry_association_is_an_actor_the_source_must_name():
    src = Given("《国家职业教育改革实施方案》 › （十九）", "对培训评价组织的监管由人力资源社会保障行政部门负责，防止出现乱培训、滥发证现象。")
    assert actor_problem("对培训评价组织的监管由行业协会负责", [src], UNITS)
    assert actor_problem("对培训评价组织的监管由人力资源社会保障行政部门负责", [src], UNITS) is None


def test_a_post_put_in_charge_must_be_one_the_sources_name():
    from assistant.verify.actors import title_problem

    src = Given("《行动计划》 › 联席会议 › 责任单位：市教育局", "市级职业教育联席会议由市政府分管教育工作的副市长担任召集人。")
    assert title_problem("市级联席会议的召集人是市教育局局长", [src])
    assert title_problem("召集人由分管教育工作的副市长担任", [src]) is None
    assert title_problem("局长能不能当召集人？文件写的是副市长", [src], "教育局局长能当召集人吗？") is None
    # a caveat naming the post the sources leave out puts no one in charge
    plan = Given("《行动计划》 › 保障机制", "建立职业教育工作联席会议制度。")
    assert title_problem("需要说明的是，省级文件没有写明联席会议的召集人", [plan]) is None
    assert title_problem("联席会议的召集人是副市长", [plan])


@pytest.mark.parametrize("src, reversed_, faithful", [
    # keeping what the source cancels
    ("考生因招生工作人员的徇私舞弊行为取得录取资格的，取消其当年的考试资格或录取资格。",
     "其当年的考试资格和录取资格仍予保留", "其当年的考试资格和录取资格将被取消"),
    # rising where the source falls
    ("毕业去向落实率从2022年的89.28%下降到了2023年的87.65%。", "毕业去向落实率比上年有所上升", "毕业去向落实率比上年有所下降"),
    # capping what the source permits
    ("进一步完善中等职业学校生均拨款制度，各地中等职业学校生均财政拨款水平可适当高于当地普通高中。",
     "各地中等职业学校生均财政拨款水平不得高于当地普通高中", "各地中职生均拨款可以适当高于当地普通高中"),
])
def test_a_reversal_in_other_words_is_caught(src, reversed_, faithful):
    assert polarity_problem(reversed_, src)
    assert polarity_problem(faithful, src) is None


def test_a_denial_with_bu_shi_of_what_the_source_says_is_a_reversal():
    src = "举办第四届全省职业技能大赛暨第二届全国技能大赛山西选拔赛，围绕高端装备制造等6大产业设定46个省级决赛项目。"
    assert denial_problem("这届大赛并不是全国技能大赛的山西选拔赛", "这届大赛并不是全国技能大赛的山西选拔赛", src, 0.3)
    assert denial_problem("这届大赛也是全国技能大赛的山西选拔赛", "这届大赛也是全国技能大赛的山西选拔赛", src, 0.3) is None


def test_an_office_that_receives_is_not_the_one_acting_around_it():
    src = Given("《通知》 › 五、 › 2.省级推荐",
                "2.省级推荐。省级教育行政部门统筹本地高校的推荐报送工作，组织专家进行审核，向教育部报送所推荐高校的《申报书》，"
                "各地推荐数不超过2所。3.遴选认定。教育部体育卫生与艺术教育司组织专家进行遴选。")
    units = frozenset({"省级教育行政部门", "教育部"})
    assert actor_role_problem("报送前，省级教育行政部门需组织专家对高校材料进行审核", [src], units, 3) is None
    assert actor_role_problem("报送前，教育部需统筹本地高校的推荐报送工作", [src], units, 3)


def test_a_conclusion_the_answer_draws_is_not_asked_word_by_word_of_the_source():
    src = Given("《山西省推进职业教育改革发展行动计划》 › （二）实施省级高水平中等职业学校建设计划",
                "遴选建设60所基础能力强、校企合作深入、办学质量高的省级高水平中等职业学校（含技工学校，下同）。")
    question = "技工学校能不能参评省级高水平中职学校？还是只限教育部门管的中职？"
    drawn = verify_generated("所以这项计划并不只限于教育部门管理的中职[1]。", [src], question)
    assert drawn.kept and not drawn.dropped
    bare = verify_generated("这项计划并不只限于教育部门管理的中职，还要求学校通过第三方认证[1]。", [src], question)
    assert not bare.kept  # the same words without drawing a conclusion, and one more thing: not in the source


@pytest.mark.parametrize("src, restated, invented", [
    # a date in Chinese numerals is the source's date; the numerals are the figure check's to judge
    ("2021年12月21日，全省职业教育大会召开，省委书记、省长对我省职业教育工作做出批示。",
     "全省职业教育大会是在二〇二一年十二月二十一日召开的", "全省科技创新大会是在二〇二一年十二月二十一日闭幕的"),
    # 至少 is the source's 不少于 in other words: the polarity check reads it, by class
    ("专职艺术教师不足的学校，可由具有艺术特长的教师经不少于一学年的专业培训后担任兼职艺术教师。",
     "但前提是要经过至少一学年的专业培训", "但前提是要通过至少一学年的岗位考核"),
])
def test_word_grounding_reads_figures_as_values_and_leaves_direction_words_aside(src, restated, invented):
    from assistant.verify.checks import word_grounding

    assert word_grounding(restated, src) >= 0.6
    assert word_grounding(invented, src) < 0.6


def test_a_conclusion_after_its_premise_is_read_against_the_rule_the_premise_names():
    src = Given("《中华人民共和国民办教育促进法实施条例》 › 第五条",
                "第五条国家机构以外的社会组织或者个人可以单独或者联合举办民办学校。"
                "外商投资企业以及外方为实际控制人的社会组织不得举办、参与举办或者实际控制实施义务教育的民办学校。")
    question = "我们是外资企业，能不能办一所民办小学？"
    ok = verify_generated("民办小学实施的是义务教育，因此不在允许之列[1]。", [src], question)
    assert ok.kept and not ok.dropped
    lie = verify_generated("民办小学实施的是义务教育，因此可以举办[1]。", [src], question)
    assert not lie.kept


def test_a_figure_glued_to_the_next_character_is_not_taken_for_a_new_word():
    from assistant.verify.checks import word_grounding

    src = "以1995年实招人数1445名为基数，从1996年开始逐年扩招，分3年落实，至1998年达到2000名的招生规模。"
    # Read with its figures, «1445名为基数» segments into 人为 and «1996年起分» into 起分: words no source holds.
    assert word_grounding("以1995年实招1445名为基数，从1996年起分三年逐年扩招", src) >= 0.75
    assert word_grounding("扩招名额优先分配给边远地区学生", src) < 0.5


def test_the_year_of_a_sources_doc_number_is_given_for_its_issue_not_for_a_date():
    plan = Given("《国家职业教育改革实施方案》（国发〔2019〕4号） › 三、",
                 "校企合作中，学校可从中获得智力、专利、教育、劳务等报酬，具体分配由学校按规定自行处理。")
    assert figure_problem("按照2019年印发的《国家职业教育改革实施方案》，学校可以获得劳务报酬", [plan], "", PARAMS) is None
    notice = Given("《关于学习大会精神的通知》（晋教职成〔2022〕1号） › 一、", "2021年12月21日，全省职业教育大会召开。")
    assert figure_problem("全省职业教育大会于2022年12月21日召开", [notice], "", PARAMS) is not None


def test_a_table_cell_is_read_with_its_row_labels():
    table = Given("《某年度报告》 › 附表2 满意度调查",
                  "指标：在校生满意度；单位：%；2023年：85.15；调查人次：90012\n"
                  "指标：其中：课堂育人满意度；单位：%；2023年：84.60；调查人次：90012\n"
                  "指标：课外育人满意度；单位：%；2023年：82.92；调查人次：90012")
    assert figure_problem("其中课堂育人满意度为84.60%", [table], "", PARAMS) is None
    assert figure_problem("其中课堂育人满意度为82.92%", [table], "", PARAMS) is not None


def test_a_figure_may_borrow_the_words_around_another_in_the_part_it_restates():
    law = Given("《某市职业教育条例》 › 第四十四条",
                "企业按照职工工资总额的百分之一点五足额提取职业教育培训经费；从业人员技能要求高、培训任务重、"
                "经济效益较好的企业可以按照百分之二点五提取，列入成本开支。")
    said = "从业人员技能要求高、培训任务重、经济效益较好的企业，可以按照职工工资总额的{}提取职业教育培训经费"
    assert figure_problem(said.format("2.5%"), [law], "", PARAMS) is None
    assert figure_problem(said.format("3.5%"), [law], "", PARAMS) is not None


def test_a_caveat_about_what_the_sources_leave_open_is_kept_but_a_reversal_is_not():
    swim = Given("《某实施意见》 › 三、 › 2.改进体育考试", "将游泳纳入初中学业水平体育考试必考或选考项目。")
    q = "游泳是不是中考必考？"
    caveat = "游泳纳入了体育考试必考或选考项目[1]。需要注意的是，文件的表述是“必考或选考”，并没有明确游泳一定是必考项目[1]。"
    fitted = load_params()  # the wording shares as fitted: a caveat's framing words share little with any source
    out = verify_generated(caveat, [swim], q, UNITS, fitted)
    assert out.text == caveat and not out.dropped
    reversed_ = "游泳纳入了体育考试必考或选考项目[1]。游泳不再纳入初中学业水平体育考试[1]。"
    assert "不再纳入" not in verify_generated(reversed_, [swim], q, UNITS, fitted).text


def test_a_bare_verdict_keeps_its_marker():
    # «可以。» is worded by no source: another given source holding the word 可以 says it no better.
    out = verify_generated("可以[2]。特殊高技能人才可以适当放宽学历要求[1]。", [HIRING, FUNDING], "厂里的老师傅学历低能招吗？", UNITS, PARAMS)
    assert not out.repaired
    assert out.text.startswith("可以[")


def test_a_count_of_a_list_the_source_gives_without_counting_is_the_lists():
    src = Given("《某意见》 › （二十）探索建立学校美育的评价制度",
                "甲市东湖区、乙市西湖区、丙市南湖区、丁市北湖区、戊市和己市作为中小学生艺术素质测评实验区，要加强有关实验工作。")
    assert figure_problem("东湖区等6个实验区要加强艺术素质测评实验工作", [src], "", PARAMS) is None
    assert figure_problem("东湖区等8个实验区要加强艺术素质测评实验工作", [src], "", PARAMS) is not None


def test_a_word_about_the_document_is_not_a_name_put_into_the_sentence():
    from assistant.verify.swaps import swap_problem

    sentence = "鼓励企业与学校共建生产与教学功能兼备的公共实训基地。"
    assert swap_problem("文件鼓励企业与学校共建生产与教学功能兼备的公共实训基地", sentence, "其他文字", "") is None


def test_offices_referred_back_to_or_joined_by_he_are_not_new_offices():
    src = Given("《某省实施意见》 › （八）加大美育投入力度 › 责任单位：省财政厅、省教育厅、市（州）人民政府、新区管委会、县（市、区）人民政府",
                "加大美育投入力度。")
    units = UNITS | {"市（州）人民政府", "新区管委会", "县（市、区）人民政府"}
    assert actor_problem("除上述省级部门外，责任单位还包括新区管委会和县（市、区）人民政府", [src], units) is None
    assert actor_problem("责任单位还包括省人社厅", [src], units) is not None


def test_a_caveat_that_the_sources_are_silent_on_a_point_is_kept_but_not_what_it_slips_in():
    src = Given("《某实施意见》 › （十二）建立学生意外伤害保险机制", "建立学生体育运动意外伤害保险机制，完善学校体育安全保障。")
    q = "学生上体育课受伤了，保险怎么赔？"
    fitted = load_params()
    caveat = "文件要求建立学生体育运动意外伤害保险机制[1]。需要注意的是，文件只提出要建立这一机制，具体怎么投保、怎么理赔，这里没有写明[1]。"
    out = verify_generated(caveat, [src], q, UNITS, fitted)
    assert out.text == caveat and not out.dropped
    slipped = "文件要求建立学生体育运动意外伤害保险机制[1]。需要注意的是，理赔由商业保险公司按每人五万元限额承担，这里没有写明细则[1]。"
    assert "理赔由商业保险公司" not in verify_generated(slipped, [src], q, UNITS, fitted).text


def test_a_lead_in_is_read_against_its_own_classes_not_the_cases_listed_after_its_colon():
    sentence = "义务教育阶段学校每周开设5节体育与健康课：小学低段每周3节技能教学课＋2节身体活动课；"
    assert contrast_problem("初中同样是每周5节体育与健康课", sentence) is None
    assert contrast_problem("高职院校每周开设5节体育与健康课", "中职学校每周开设5节体育与健康课：一年级……") is not None


def test_a_province_government_written_short_is_the_one_the_header_names():
    src = Given("《湖北省人民政府办公厅关于全面加强和改进学校美育工作的实施意见》（鄂政办发〔2016〕32号） › （二十）",
                "武汉市武昌区、黄石市黄石港区作为中小学生艺术素质测评实验区。")
    assert actor_problem("湖北省政府2016年印发的美育实施意见（鄂政办发〔2016〕32号）列了实验区", [src], UNITS) is None
    assert figure_problem("湖北省政府2016年印发的美育实施意见（鄂政办发〔2016〕32号）列了实验区", [src], "", PARAMS) is None
    assert actor_problem("湖南省政府印发的意见列了实验区", [src], UNITS) is not None


def test_a_caveat_deferring_the_point_to_what_the_sources_do_not_hold_is_kept():
    src = Given("《某实施意见》 › （九）推进课程互选", "推动中等职业学校与应用型大学课程互选、学分互认。")
    q = "我们中职的课能和本科互认学分吗？"
    caveat = ("可以，这正是实施意见鼓励的方向[1]。需要注意的是，材料里是“推动”课程互选和学分互认的原则性表述，"
              "具体哪些课程可以互认、怎么操作，还要看后续配套细则[1]。")
    out = verify_generated(caveat, [src], q, UNITS, load_params())
    assert out.text == caveat and not out.dropped


def test_negations_read_as_models_write_them():
    from assistant.verify.polarity import polarity

    source = "城市教育费附加应当安排不低于百分之十的比例用于支持职业教育。"
    assert polarity_problem("不能低于10%", source) is None
    assert polarity_problem("不能高于10%", source) is not None
    # A negation before a phrase of time denies the verb after it.
    assert polarity("不在常规录取工作结束后组织补录")[1] >= {"组织"}
    rule = "各省级招办对所有高校的本科层次招生，一律不得在常规录取工作结束后再行组织补录或换录；"
    joined = "各省级招办对所有高校的本科层次招生一律不得再行组织补录或换录"
    assert denial_problem(joined, joined, rule, 0.3) is None
    assert denial_problem("各省级招办对所有高校的本科层次招生一律不得录取", "各省级招办对所有高校的本科层次招生一律不得录取",
                          "各省级招办对所有高校的本科层次招生，可以在常规录取工作结束后组织补录；", 0.3) is not None


def test_leaving_out_a_negated_modifier_is_not_a_reversal():
    source = "每所试点高校对口支持服务1-2所尚未开齐开足体育美育课程的农村中小学校。"
    claim = "每所试点高校对口支持服务1-2所中小学"
    assert denial_problem(claim, claim, source, 0.3) is None
    assert denial_problem("试点高校可以开设课程", "试点高校可以开设课程", "试点高校不得开设课程。", 0.3) is not None


def test_not_only_adds_rather_than_denies():
    from assistant.verify.polarity import negative

    assert not negative("这项工作不只是省教育厅的事")
    assert negative("这项工作不是省教育厅的事")
    assert negative("所以这项计划并不只限于教育部门管理的中职")


def test_the_office_put_in_the_lead_must_lead_in_the_source():
    from assistant.verify.actors import lead_problem

    listed = Given("《某行动计划》 › 15.助推精准扶贫 › 责任单位：市教育局、市扶贫办、市人社局", "实施职业教育精准扶贫。")
    assert lead_problem("这项任务由市教育局牵头", [listed]) is None
    assert lead_problem("职业教育精准扶贫由市扶贫办单独牵头负责", [listed]) is not None
    said = Given("《某通知》 › 二、", "“高本贯通”试点由本科院校牵头，与相关高职院校、行业企业共同组成专业教学指导委员会。")
    assert lead_problem("“高本贯通”试点由本科院校牵头", [said]) is None
    assert lead_problem("“高本贯通”试点由高职院校牵头", [said]) is not None
    assert lead_problem("共同体由三家单位牵头：甲公司、乙大学和丙学校", [said]) is None


def test_a_tier_written_as_this_citys_own_is_the_same_tier():
    from assistant.verify.swaps import swap_problem

    sentence = "各市教育局要确保在2022年4月底前召开本市职业教育大会。"
    heading = "三要开好市级职业教育大会。"
    assert swap_problem("各市教育局要确保在2022年4月底前开好市级职业教育大会", sentence, heading, "") is None
    assert swap_problem("各市教育局要确保在2022年4月底前开好县级职业教育大会", sentence, "三要开好县级职业教育大会。", "") is not None


def test_a_denied_alternative_after_what_the_claim_states_is_no_reversal():
    from assistant.verify.generated import problem

    fees = Given("《条例》 › 第五十六条",
                 "中等职业学校学历教育和公办高等职业学校学历教育收费实行政府指导价；民办高等职业学校学历教育、职业培训收费实行市场调节价。")
    params = load_params()
    assert problem("民办高职学历教育收费实行市场调节价，不是政府指导价", [fees], "民办高职收费怎么定价？", frozenset(), params) is None
    # the part stating is still checked: the alternative it denies does not excuse it
    assert problem("民办高职学历教育收费实行政府指导价，不是市场调节价", [fees], "民办高职收费怎么定价？", frozenset(), params)


def test_offices_of_one_list_share_its_role_unless_they_bear_it_together():
    rule = Given("《条例》 › 第六十四条", "对所举办的民办学校疏于管理，造成恶劣影响的，由县级以上教育行政部门、人力资源社会保障行政部门"
                 "或者其他有关部门依据职责分工责令限期整顿。学校的审批由教育行政部门负责。")
    units = frozenset({"教育行政部门", "人力资源社会保障行政部门"})
    assert actor_role_problem("由人力资源社会保障行政部门依据职责分工责令限期整顿", [rule], units, 3) is None
    funds = Given("《通知》 › （三）", "行动计划所需费用由教育部、省级教育行政部门及试点高校共同承担。省级教育行政部门负责组织申报。")
    assert actor_role_problem("行动计划所需费用由省级教育行政部门全额承担", [funds], frozenset({"教育部", "省级教育行政部门"}), 3)
    assert actor_role_problem("行动计划所需费用由省级教育行政部门等共同承担", [funds], frozenset({"教育部", "省级教育行政部门"}), 3) is None


def test_quoted_words_must_be_the_sources_own():
    from assistant.verify.checks import quote_problem

    src = Given("《通知》 › 二、做好“十四五”职业教育改革发展各项工作", "推进“1+X”证书制度试点工作，实施“五大行动”，建成一批高水平职业院校和品牌专业。")
    assert quote_problem("要在“十五五”期间取得大发展", [src], "")
    assert quote_problem("实施“八大行动”", [src], "")
    # inner quotes, an ellipsis, a count label the answer gives, a denied term: not asked of the source
    assert quote_problem("这写在“推进‘1+X’证书制度试点工作”一项", [src], "") is None
    assert quote_problem("对应“建成一批……职业院校和品牌专业”的要求", [src], "") is None
    assert quote_problem("概括起来是“五大行动”，即“五个行动”", [src], "") is None
    assert quote_problem("文件没有单独写明“牵头单位”", [src], "") is None
    assert quote_problem("你问的“牵头单位”是谁", [src], "谁是“牵头单位”？") is None


def test_a_quoted_title_must_be_a_given_title_or_its_short_form():
    from assistant.verify.checks import quote_problem

    law = Given("《河南省实施《中华人民共和国职业教育法》办法》 › 第十四条", "城市教育费附加应当安排不低于百分之十的比例用于支持职业教育。")
    plan = Given("《国家中长期教育改革和发展规划纲要（2010-2020年）》 › 实施", "贯彻实施纲要是各级党委和政府的重要职责。")
    assert quote_problem("按《河南省实施〈中华人民共和国职业教育法〉办法》第十四条", [law], "") is None
    assert quote_problem("《教育规划纲要》要求各级党委和政府落实", [plan], "") is None
    assert quote_problem("修订后的《实施意见》还要求", [law], "")
    assert quote_problem("《国家职业教育改革实施方案》也提出", [law, plan], "")


def test_a_bare_verdict_follows_the_rule_for_the_askers_kind_of_school():
    from assistant.verify.generated import problem

    law = Given("《条例》 › 第七条", "第七条实施义务教育的公办学校不得举办或者参与举办民办学校。但是，实施职业教育的公办学校可以吸引企业的"
                "资本、技术、管理等要素，举办或者参与举办实施职业教育的营利性民办学校。")
    question = "我们是一所公办初中，想和一家企业合作再办一个民办学校，可以吗？"
    assert problem("不可以", [law], question, frozenset(), load_params()) is None
    assert problem("可以", [law], question, frozenset(), load_params())


def test_an_office_jieba_keeps_as_one_word_is_found_by_its_characters():
    src = Given("《方案》 › （六）", "国务院人力资源社会保障行政部门、教育行政部门在职责范围内，分别负责管理监督考核院校外、院校内职业技能等级证书的实施。")
    # «教育部门» is one jieba word: no word of it is in the source, but it is «教育行政部门» written shorter.
    assert actor_problem("人社部门和教育部门在职责范围内分别负责管理", [src], UNITS) is None
    assert actor_problem("财政部门在职责范围内负责管理", [src], UNITS)
    # One opening with a level is read word by word: «县级人民政府» is not found in «教育行政部门».
    assert actor_problem("由县级人民政府负责管理", [src], UNITS)


def test_a_negator_jieba_fused_with_the_word_it_denies_reverses_it():
    sentence = "市级联席会议统筹协调全市职业教育工作，每年定期召开会议。"
    assert polarity_problem("市级联席会议不定期召开会议", sentence)  # 不定期 is one jieba word
    assert polarity_problem("市级联席会议每年定期召开会议", sentence) is None
    # One character after the negator makes a word of its own, not a denial: 不断 is «ever more».
    assert polarity_problem("会议不断完善统筹协调", "会议完善统筹协调，断续召开。") is None


# Figures the source gives without writing them: a count of its uncounted list or numbered lines,
# a period's length, the year a clause sets its target by before the sentence restated.
_IMPLIED = [
    ("《办法》 › 三、考评方式", "（一）考评以日常监测、实地调研、民意调查、第三方评估等方式进行。每半年考评一次。",
     "日常监测是四项考评方式里占比最高的", "日常监测是五项考评方式里占比最高的"),
    ("《高等教育法》 › 第四十二条", "第四十二条高等学校设立学术委员会，履行下列职责：\n（一）审议学科建设；\n（二）评定教学成果；\n（三）调查、处理学术纠纷；",
     "学术委员会的三项职责中包括调查、处理学术纠纷", "学术委员会的四项职责中包括调查、处理学术纠纷"),
    # Numbered lines after a lead-in naming something else count nothing here.
    ("《高等教育法》 › 第四十二条", "第四十二条高等学校设立学术委员会，履行下列职责：\n（一）审议学科建设；\n（二）评定教学成果；\n（三）调查、处理学术纠纷；",
     None, "学术委员会有三个委员"),
    ("《意见》 › （一）", "研究制定《学校艺术教育发展规划（2016-2020年）》。", "其中发展规划的规划期为2016—2020年，共五年",
     "其中发展规划的规划期为2016—2020年，共七年"),
    ("《纲要》 › （三）战略目标", "（三）战略目标。到2020年，基本实现教育现代化。\n实现更高水平的普及教育。高等教育大众化水平进一步提高，"
     "毛入学率达到40%；具有高等教育文化程度的人数比2009年翻一番。", "高等教育毛入学率的目标是到2020年达到40%", "高等教育毛入学率的目标是到2025年达到40%"),
    # The sentence restated sets its own year: another of the source's years is not its.
    ("《意见》 › 一、", "到2018年，各级各类学校配齐配足美育教师，开齐开足美育课程。到2020年，初步形成大中小幼美育相互衔接的推进机制。",
     "到2018年各级各类学校要配齐配足美育教师", "到2020年各级各类学校要配齐配足美育教师、开齐开足美育课程"),
]


@pytest.mark.parametrize("header,text,given,wrong", _IMPLIED)
def test_a_figure_the_source_implies_is_given_and_another_is_not(header, text, given, wrong):
    src = Given(header, text)
    if given is not None:
        assert figure_problem(given, [src], "", PARAMS) is None
    assert figure_problem(wrong, [src], "", PARAMS)


def test_a_caveat_that_embeds_a_question_states_no_figure_or_lead_and_its_topic_need_not_be_in_the_sources():
    meeting = Given("《行动计划》 › 五、 › （一）加强组织领导", "建立市、县职业教育联席会议制度，市级联席会议每年定期召开会议。")
    q = "联席会议一年开几次？"
    fitted = load_params()
    for caveat in ("市级联席会议每年定期召开会议[1]。行动计划并没有写明一年具体开几次[1]。",
                   "市级联席会议每年定期召开会议[1]。文件没有列出由哪个部门牵头召集[1]。",
                   "市级联席会议每年定期召开会议[1]。至于具体的议事程序，文件没有细说[1]。"):
        out = verify_generated(caveat, [meeting], q, UNITS, fitted)
        assert out.text == caveat and not out.dropped, caveat
    # A figure stated outside the question is still checked.
    stated = "市级联席会议每年定期召开会议[1]。行动计划并没有写明具体日期，但要求一年开两次[1]。"
    assert "两次" not in verify_generated(stated, [meeting], q, UNITS, fitted).text


def test_a_negation_jieba_joins_to_the_verb_it_denies_is_read_as_a_negation():
    scope = "第二条本办法适用于本省各级各类职业学校教育和职业培训。"
    # jieba cuts «不适|用于» («unwell»): read again, «不|适用» denies what the source states.
    assert polarity_problem("它适用于本省各级各类职业学校教育，但不适用于职业培训", scope) or \
        denial_problem("它适用于本省各级各类职业学校教育，但不适用于职业培训", "但不适用于职业培训", scope, 0.3)
    assert polarity_problem("它适用于本省各级各类职业学校教育和职业培训", scope) is None
    # A cue word stays whole: «不得|以任何方式» forbids; it is no «不|得以».
    assert polarity_problem("行业协会不得以任何方式收取费用", "行业协会不得以任何方式收取费用或干预企业办学行为。") is None


def test_a_comparison_is_checked_against_the_figures_the_sentence_names_by_class_or_an_earlier_sentence_gives():
    from assistant.verify.comparisons import comparison_problem, earlier_comparison_problem

    same = "2023年度中职院校思想政治课教学满意度达94.18%，高职院校为92.58%，中职略{}于高职"
    assert comparison_problem(same.format("低"))
    assert comparison_problem(same.format("高")) is None
    before = "2023年中职学校年生均财政拨款水平为14290.64元。"
    assert earlier_comparison_problem("这一水平低于高职的11211.34元", before)
    assert earlier_comparison_problem("这一水平高于高职的11211.34元", before) is None
    survey = "2023年高职院校在校生满意度为85.15%，通过网络问卷调查得出。"
    assert earlier_comparison_problem("同年中职在校生满意度为91.30%，低于高职", survey)
    assert earlier_comparison_problem("同年中职在校生满意度为91.30%，高于高职", survey) is None
    src = Given("《年报》 › 2.8", "2023年高职在校生满意度为85.15%。中职在校生满意度为91.30%。")
    out = verify_generated("2023年高职在校生满意度为85.15%[1]。同年中职在校生满意度为91.30%，低于高职[1]。", [src], "满意度多少？", UNITS, PARAMS)
    assert "低于高职" not in out.text


def test_a_denial_the_next_source_sentence_makes_is_no_reversal_and_a_title_is_neither_stated_nor_denied():
    law = Given("《实施办法》 › 第十五条", "第十五条企业未按《中华人民共和国职业教育法》第二十条的规定实施职业教育的，由县级以上人民政府责令改正；"
                                       "拒不改正的，按照有关规定收取该企业职工工资总额千分之五的职业教育经费。")
    fitted = load_params()
    claim = "这条规定针对的是未按职业教育法第二十条规定实施职业教育、经县级以上人民政府责令改正后仍拒不改正的企业[1]。"
    assert verify_generated(claim, [law], "企业不实施职业教育怎么办？", UNITS, fitted).text == claim
    reversed_ = "县级以上人民政府不责令改正[1]。"
    assert "不责令" not in verify_generated("企业未按规定实施职业教育的，由县级以上人民政府责令改正[1]。" + reversed_, [law], "怎么办？", UNITS, fitted).text


def test_a_class_the_source_denies_with_a_prefix_is_not_the_class_itself():
    sentence = "有条件的中小学校要着力培养学生特长；其他非城镇学校确保学生每学期至少参加一项艺术活动。"
    assert polarity_problem("对于城镇学校，要确保学生每学期至少参加一项艺术活动", sentence)
    assert polarity_problem("对于非城镇学校，要确保学生每学期至少参加一项艺术活动", sentence) is None
    # Naming the other class for context denies nothing; nor does 对非 («toward Africa») swallow the 非.
    funding = "义务教育全面纳入财政保障范围。非义务教育实行以政府投入为主、受教育者合理分担的投入机制。"
    assert polarity_problem("这也符合纲要对非义务教育的总体安排", funding) is None
    assert not negative("其他非城镇学校确保学生参加艺术活动")
