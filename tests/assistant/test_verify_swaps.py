"""Swaps in place: a claim copying its source sentence with a few characters replaced."""
from assistant.verify.swaps import pieces, swap_problem


def test_an_office_replaced_in_a_copied_sentence_is_caught():
    source = "考试内容由用人单位按照“干什么，考什么”的原则设置。"
    assert "县级教育行政部门" in swap_problem("考试内容由县级教育行政部门按照“干什么", source)
    assert swap_problem("报考外语专业的考生应参加由报考高校统一组织的外语口试", "报考外语专业的考生，应参加由省级招办统一组织的外语口试") is not None


def test_a_shorter_writing_of_the_same_office_is_not_a_swap():
    assert swap_problem("由地方政府统筹安排经费", "由地方人民政府统筹安排经费") is None
    assert swap_problem("责任单位为市教育局和市政府教育督导室", "责任单位：市教育局、市政府教育督导室") is None


def test_characters_that_end_office_names_inside_other_words_are_not_offices():
    # 全部, 办法, 委托: 部, 办 and 委 are not office endings there.
    assert swap_problem("营利性民办学校的收入要全部纳入学校开设的银行结算账户", "营利性民办学校的收入应当全部纳入学校开设的银行结算账户") is None
    assert swap_problem("民办学校还要委托会计师事务所审计", "民办学校应当委托会计师事务所审计") is None


def test_a_sector_or_tier_replaced_in_place_is_caught():
    assert swap_problem("引进百余名高职教师", "引进百余名中职教师") is not None
    assert swap_problem("坚持“市级统筹、县级为主”", "坚持“省级统筹、县级为主”") is not None
    assert swap_problem("引进百余名中职教师", "引进百余名中职教师") is None


def test_a_direction_or_negation_replaced_in_place_is_caught():
    assert swap_problem("不断缩小随班就读规模", "不断扩大随班就读规模") is not None
    assert swap_problem("在编制配备等不作优先安排", "在编制配备等给予优先安排") is not None
    assert swap_problem("该教研室未能入选首批名单", "该教研室入选首批名单") is not None
    # A paraphrase of the modal keeps its force: 要 for 应当.
    assert swap_problem("学校要公示收费项目", "学校应当公示收费项目") is None


def test_only_short_pieces_between_shared_runs_are_read_as_swaps():
    assert pieces("甲乙丙丁", "甲乙丙丁") == []
    # One shared character either side is not a copied sentence.
    assert pieces("甲乙丙丁", "甲戊丙己") == []
    [p] = pieces("由省教育厅负责", "由省人社厅负责")
    assert (p.core_mine, p.core_theirs) == ("教育", "人社")
    # A whole clause rewritten is paraphrase, for the wording checks.
    assert pieces("学校应当认真落实各项规定", "学校应当按照国家有关要求全面组织实施各项规定") == []


def test_a_class_whose_name_holds_another_is_read_as_itself():
    from assistant.verify.checks import named_classes

    assert named_classes("非营利性民办学校")["profit"] == {"non_profit"}
    assert swap_problem("非营利性民办学校的收入要全部纳入学校开设的银行结算账户", "营利性民办学校的收入应当全部纳入学校开设的银行结算账户") is not None


def test_an_office_whose_level_changes_in_a_copied_sentence_is_caught():
    assert swap_problem("由市人力资源社会保障部门审批", "由区人力资源社会保障部门审批") is not None
    assert swap_problem("县级教育行政部门要在省级教育行政部门的领导下", "县级教育行政部门要在同级人民政府的领导下") is not None
    # A word before the same office is not another office.
    assert swap_problem("建议市教育局尽快沟通", "各市教育局尽快沟通") is None


def test_a_school_kind_replaced_by_another_is_caught():
    assert swap_problem("城镇职业学校教师评聘高级职务", "城镇中小学教师在评聘高级职务") is not None
    assert swap_problem("对普通高中教师进行全员培训", "对义务教育教师进行全员培训") is not None
    assert swap_problem("对中职学校教师进行全员培训", "对中等职业学校教师进行全员培训") is None


def test_levels_and_kinds_named_in_place_of_others_are_caught():
    # The claim's segments are read between its commas and 、 (市财政… against 县财政…).
    assert swap_problem("市财政加大专项投入", "要通过市、县财政加大专项投入") is not None
    assert swap_problem("定期组织选派应用型本科高校专业骨干教师赴国外研修", "定期组织选派职业院校专业骨干教师赴国外研修") is not None
    assert swap_problem("来自10个中央企业的代表队", "来自10个省属企业的代表队") is not None
    # Another writing of the same kind is not a swap.
    assert swap_problem("组织选派高职院校专业骨干教师", "组织选派高等职业学校专业骨干教师") is None


def test_a_thing_the_sources_name_elsewhere_put_in_place_of_this_sentences_is_a_swap():
    from assistant.verify.swaps import swap_problem

    sentence = "职业教育培训经费必须专款专用，用于一线职工职业教育培训的比例不低于百分之六十。"
    elsewhere = "企业应当加强对管理人员的培训。" + sentence
    claim = "用于管理人员职业教育培训的比例不低于百分之六十"
    assert swap_problem(claim, sentence, elsewhere)
    assert not swap_problem("用于一线职工职业教育培训的比例不低于百分之六十", sentence, elsewhere)
    # A word in place of the source's that the sources do not use elsewhere is paraphrase: not judged here.
    assert not swap_problem("用于一线员工职业教育培训的比例不低于百分之六十", sentence, elsewhere)


def test_a_subject_replaced_at_the_start_of_a_restated_clause_is_a_swap():
    from assistant.verify.swaps import swap_problem

    sentence = "对肢体残疾、生活能够自理的考生，高校不能仅因其残疾而不予录取。"
    assert swap_problem("省级招办不能仅因其残疾而不予录取", sentence)
    assert not swap_problem("高校不能仅因其残疾而不予录取", sentence)
    # One of a list the sentence names as the subject is not another subject.
    listed = "请各市教育局、各高等职业学校、各省属中等职业学校及时以简报形式报告情况。"
    assert not swap_problem("通知要求各高等职业学校及时以简报形式报告情况", listed)


def test_a_word_put_into_an_institutions_name_makes_it_another_institution():
    from assistant.verify.swaps import swap_problem

    sentence = "其中，山西职业技术学院独立开发的职业标准已通过认证。"
    assert swap_problem("山西水利职业技术学院独立开发的职业标准已通过认证", sentence, sentence)
    assert not swap_problem("山西职业技术学院独立开发的职业标准已通过认证", sentence, sentence)
    # A scope before a name says whose, not which.
    scoped = "中等职业学校占地面积1838.92万平方米。"
    assert not swap_problem("全省中等职业学校占地面积1838.92万平方米", scoped, scoped)


def test_one_character_for_a_level_inside_a_name_is_another_body():
    from assistant.verify.swaps import swap_problem

    sentence = "在服役期间荣立二等功以上或被大军区以上单位授予荣誉称号的退役军人，可增加20分投档。"
    assert swap_problem("在服役期间荣立二等功以上或被省军区以上单位授予荣誉称号的退役军人", sentence)
    assert not swap_problem("在服役期间荣立二等功以上或被大军区以上单位授予荣誉称号的退役军人", sentence)


def test_a_bound_after_a_figure_and_its_measure_word_is_a_direction():
    # jieba keeps «30|门|以上» apart: the bound still bounds the quantity
    source = "全市建设30门以上市级精品课程和20门以上省级精品课程。"
    assert swap_problem("全市要建设30门以下市级精品课程", source) is not None
    assert swap_problem("全市要建设30门以上市级精品课程", source) is None
    # «以下几门课程» points ahead, as before
    assert swap_problem("全市要建设以下几门市级精品课程", "全市要建设以上几门市级精品课程") is None


def test_the_province_named_shorter_or_as_its_scope_is_the_same_place():
    sentence = "市教育局转发山西省教育厅《关于学习宣传贯彻会议精神的通知》，请各县认真贯彻落实。"
    assert swap_problem("市教育局转发的是省教育厅《关于学习宣传贯彻会议精神的通知》", sentence, "其他文字", "") is None
    stock = "山西省51所高职学校中有公办院校44所，民办院校5所。"
    assert swap_problem("全省51所高职学校中公办院校44所", stock, "全省各市的学校", "") is None
    assert swap_problem("市教育局转发的是省财政厅《关于学习宣传贯彻会议精神的通知》", sentence, "其他文字", "")
