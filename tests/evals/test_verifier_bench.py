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


def test_the_fitter_scores_grid_points_in_worker_processes_as_it_would_in_its_own():
    from concurrent.futures import ProcessPoolExecutor

    from assistant.verify.generated import load_params
    from evals.fit_verifier import _fit_objective, _start_worker, objective

    items = load_set(split="fit")[:2]
    params = load_params()
    with ProcessPoolExecutor(2, initializer=_start_worker, initargs=(frozenset(), items)) as pool:
        scored = list(pool.map(_fit_objective, [params, params]))
    assert scored == [objective(evaluate(items, frozenset(), params, timed=False))] * 2
