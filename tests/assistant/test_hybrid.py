"""The fused ranking over the real index: what each ranker contributes to a clause."""
from __future__ import annotations

import json

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow
DEV = PROJECT_ROOT.parent / "shared" / "evals" / "dev.jsonl"


@pytest.fixture(scope="module")
def assistant(corpus_index):
    from assistant.chain import PolicyAssistant

    return PolicyAssistant(corpus_index)


def test_a_one_sentence_chunk_is_ranked_by_its_own_vector_when_its_bare_sentence_is_not(assistant):
    # «第八十六条本法自1995年9月1日起施行。»: the bare sentence lacks the law's name that the
    # chunk's vector carries, so the sentence ranker may miss what the dense ranker finds.
    r = assistant.retriever
    start = r._chunk_start
    seen = 0
    for line in DEV.read_text(encoding="utf-8").splitlines():
        q = json.loads(line)["question"]
        state = assistant.trace(q)
        for h in r.search(state.standalone, state.info, k=40):
            single = [start[i + 1] - start[i] == 1 for i in (r.snap.chunk_position(c.chunk_id) for c in h.chunks)]
            if h.dense_rank is not None and all(single):
                seen += 1
                assert h.sentence_rank is not None, (q, h.clause.clause_path)
    assert seen > 0  # the corpus has such chunks among the dev questions' results
