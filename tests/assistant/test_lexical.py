"""The lexical index: bm25s' scores from stored term counts, rebuilt by changed text only."""
from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest

from assistant import lexical
from assistant.lexical import LexicalIndex
from assistant.settings import PROJECT_ROOT
from assistant.zh import add_words, tokenize
from tests.conftest import CORPUS

DEV = PROJECT_ROOT.parent / "shared" / "evals" / "dev.jsonl"


def _passages() -> list[str]:
    """The corpus' paragraphs: real text, a few hundred passages."""
    out = []
    for f in sorted(CORPUS.glob("*.txt")):
        out += [p.strip() for p in f.read_text(encoding="utf-8").split("\n") if len(p.strip()) > 20]
    return out


def test_scores_are_the_ones_bm25s_gives_for_the_same_tokens():
    import bm25s

    texts = _passages()
    ref = bm25s.BM25()
    ref.index([tokenize(t) or [lexical.EMPTY] for t in texts], show_progress=False)
    ours = LexicalIndex.build(texts, [])
    questions = [json.loads(x)["question"] for x in DEV.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(questions) > 20
    for q in questions:
        toks = tokenize(q)
        assert np.allclose(ours.get_scores(toks), ref.get_scores(toks), atol=1e-5), q
    assert not ours.get_scores(["一个语料中没有的词"]).any()


def test_a_rebuild_tokenises_only_new_texts_and_texts_holding_a_changed_unit(monkeypatch):
    texts = _passages()[:200]
    unit = "某某市教育局"  # not in the corpus: only the passage we add it to holds it
    first = LexicalIndex.build(texts, [])
    changed = texts[:150] + [texts[150] + unit + "负责。"] + texts[151:] + ["一段新的文字，各地要加强宣传解读。"]
    seen: list[str] = []
    real = lexical.tokenize
    monkeypatch.setattr(lexical, "tokenize", lambda t: seen.append(t) or real(t))
    add_words([unit])
    second = LexicalIndex.build(changed, [unit], previous=first)
    assert sorted(seen) == sorted([changed[150], changed[-1]])
    monkeypatch.setattr(lexical, "tokenize", real)
    fresh = LexicalIndex.build(changed, [unit])
    for q in (["宣传", "解读"], tokenize(unit + "负责哪些工作"), ["职业", "教育"]):
        assert np.allclose(second.get_scores(q), fresh.get_scores(q), atol=1e-5)
    # A unit that is no longer listed: the texts holding it are tokenised again as well.
    seen.clear()
    monkeypatch.setattr(lexical, "tokenize", lambda t: seen.append(t) or real(t))
    LexicalIndex.build(changed, [], previous=second)
    assert seen == [changed[150]]


def test_a_saved_index_loads_with_the_same_scores_and_bags(tmp_path):
    texts = _passages()[:50]
    idx = LexicalIndex.build(texts, ["省教育厅"])
    idx.save(tmp_path / "lex")
    back = LexicalIndex.load(tmp_path / "lex", with_keys=True)
    assert back.keys == idx.keys and back.units == ["省教育厅"]
    q = tokenize(texts[3][:30])
    assert np.allclose(back.get_scores(q), idx.get_scores(q))
    assert back.bag(3) == Counter(tokenize(texts[3]))
    # The bag a replica receives rebuilds the same row (here as a token list, as pack format 1 sent it).
    again = LexicalIndex.build(texts, ["省教育厅"], given={lexical.text_key(t): list(Counter(back.bag(i)).elements())
                                                         for i, t in enumerate(texts)})
    assert np.allclose(again.get_scores(q), idx.get_scores(q))


def test_a_reader_maps_the_saved_weights_and_scores_as_the_builder_did(tmp_path):
    texts = _passages()[:50]
    idx = LexicalIndex.build(texts, ["省教育厅"])
    idx.save(tmp_path / "lex")
    reader = LexicalIndex.load(tmp_path / "lex")
    assert all(isinstance(a, np.memmap) for a in reader._scores)  # weights read from disk, not computed
    for t in texts[:5]:
        q = tokenize(t[:30])
        assert np.allclose(reader.get_scores(q), idx.get_scores(q))
    assert reader.idf() == idx.idf()


@pytest.mark.parametrize("n", [0, 1])
def test_tiny_indexes_score_without_error(n):
    idx = LexicalIndex.build(["职业教育"] * n, [])
    assert idx.get_scores(["职业"]).shape == (n,)


def test_an_index_saved_before_the_weights_were_kept_still_scores_the_same(tmp_path):
    from assistant.lexical import WEIGHT_FILES

    texts = _passages()[:30]
    idx = LexicalIndex.build(texts, [])
    idx.save(tmp_path / "lex")
    for f in WEIGHT_FILES:
        (tmp_path / "lex" / f).unlink()
    older = LexicalIndex.load(tmp_path / "lex")
    q = tokenize(texts[0][:20])
    assert np.allclose(older.get_scores(q), idx.get_scores(q))


def test_an_index_built_from_given_counts_scores_as_one_tokenised_here(monkeypatch):
    texts = _passages()[:300]
    here = LexicalIndex.build(texts, [])
    given = {lexical.text_key(t): dict(zip(*np.unique(tokenize(t) or [lexical.EMPTY], return_counts=True))) for t in texts}
    monkeypatch.setattr(lexical, "tokenize", lambda t: pytest.fail(f"tokenised {t[:10]}"))
    monkeypatch.setattr(lexical, "add_words", lambda w: pytest.fail("taught jieba with nothing to tokenise"))
    copied = LexicalIndex.build(texts, ["省教育厅"], given=given)
    for q in (["职业", "教育"], ["宣传", "解读"], ["一个语料中没有的词"]):
        assert np.allclose(copied.get_scores(q), here.get_scores(q), atol=1e-5)
    assert sorted(copied.vocab) == sorted(here.vocab)


def test_a_tokens_posting_list_names_the_chunks_that_hold_it():
    lex = LexicalIndex.build(["到2022年底建成10所", "2035年远景目标", "加强组织领导"], [])
    assert sorted(lex.chunks_with("2022").tolist()) == [0] and sorted(lex.chunks_with("2035").tolist()) == [1]
    assert lex.chunks_with("不存在的词").size == 0
