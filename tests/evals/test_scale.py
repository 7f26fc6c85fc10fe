"""The scale benchmark's corpus copies and its stand-in embedder, on the real corpus."""
import numpy as np

from assistant.embed import make_embedder
from assistant.settings import PROJECT_ROOT
from evals.scale import _places, variant
from ingest.meta import doc_numbers


def test_a_copy_names_other_places_other_numbers_and_other_figures():
    src = next((PROJECT_ROOT / "docs_corpus").glob("*晋政发*"))
    text = src.read_text(encoding="utf-8")
    places = _places()
    assert variant(text, 0, places) == text
    copy = variant(text, 3, places)
    assert copy != text and len(copy.splitlines()) == len(text.splitlines())  # same structure
    assert doc_numbers(copy) and not set(doc_numbers(copy)) & set(doc_numbers(text))
    assert "2020年10月27日" in text and "2020年10月27日" in copy  # dates stay dates
    assert variant(text, 3, places) == copy  # the same copy every run


def test_the_stand_in_embedder_is_deterministic_and_lexical():
    e = make_embedder("hash")
    a, b, c = e.embed_passages(["公办高职院校生均拨款", "公办高职院校生均财政拨款", "学生个人信息保护"])
    assert np.allclose(e.embed_query("公办高职院校生均拨款"), a)
    assert float(a @ b) > float(a @ c)


def test_top_indices_is_a_partial_sort_with_the_full_sort_order():
    from assistant.embed import top_indices

    rng = np.random.default_rng(3)
    s = rng.normal(size=5000)
    assert list(top_indices(s, 25)) == list(np.argsort(-s, kind="stable")[:25])
    assert list(top_indices(s[:10], 25)) == list(np.argsort(-s[:10], kind="stable"))
