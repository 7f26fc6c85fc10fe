"""How an answer is shown: the reading of a follow-up is named wherever the answer is."""
from __future__ import annotations

from assistant.present import as_text
from assistant.types import Answer, Citation
from assistant.web.render import chat_markdown


def _cite() -> Citation:
    return Citation(doc_title="某市行动计划", doc_number="某政发〔2021〕8号", issuer="某市人民政府", date="2021-05-01",
                    clause_path=("五、保障机制", "（一）加强组织领导"), responsible_units=(), quote="由副市长担任召集人。",
                    source="x.txt", page=None)


def test_a_follow_up_read_with_the_history_names_that_reading():
    ans = Answer("谁当召集人？", "由副市长担任召集人。", True, (_cite(),),
                 rewritten_question="联席会议由哪些单位组成？ 谁当召集人")
    assert ans.read_as == "联席会议由哪些单位组成？ 谁当召集人"
    assert ans.to_json()["read_as"] == ans.read_as
    assert as_text(ans).startswith("【结合上文理解为】联席会议由哪些单位组成？")
    assert chat_markdown(ans).startswith("> 结合上文理解为：联席会议由哪些单位组成？")


def test_a_question_read_as_asked_shows_no_reading():
    for rewritten in (None, "谁当召集人？", "谁当召集人", " 谁当召集人？ "):
        ans = Answer("谁当召集人？", "由副市长担任召集人。", True, (_cite(),), rewritten_question=rewritten)
        assert ans.read_as is None and "read_as" not in ans.to_json()
        assert "结合上文" not in as_text(ans) and "结合上文" not in chat_markdown(ans)


def test_a_refusal_after_a_merged_reading_names_it_too():
    ans = Answer("那中职呢？", "已收录的文件中没有找到与这个问题相关的规定。", False,
                 rewritten_question="中职生均拨款不低于多少？")
    md = chat_markdown(ans)
    assert md.startswith("> 结合上文理解为：中职生均拨款不低于多少？") and "未找到" in md
