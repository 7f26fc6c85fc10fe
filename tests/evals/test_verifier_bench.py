"""The verifier benchmark reads the answer sets as the chain's prompt shows the sources."""
from assistant.verify import Given
from evals.verifier_bench import after_style, evaluate, load_set, parse_sources


def test_sources_block_round_trips_the_prompt_format():
    text = "[1] 《甲》（晋政发〔2020〕19号） › 七、 › （二十四）\n第一句。\n第二句。\n\n[2] 《乙》\n第三句。"
    assert parse_sources(text) == [Given("《甲》（晋政发〔2020〕19号） › 七、 › （二十四）", "第一句。\n第二句。"), Given("《乙》", "第三句。")]


def test_after_style_moves_every_marker_behind_its_full_stop():
    assert after_style("甲[1]。乙[1][2]；丙") == "甲。[1]乙；[1][2]丙"


def test_every_answer_set_item_names_its_lie_and_the_bench_counts_it():
    items = load_set(split="test")
    assert len(items) >= 40
    for it in items:
        for lie in it["lies"]:
            assert lie["lie"].strip() and lie["lie"] in lie["answer"], it["id"]
    res = evaluate(items[:3], frozenset())
    assert res["stats"]["faithful_unchanged"][1] == 6 and res["stats"]["polarity"][1] == 6
