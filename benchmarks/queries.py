"""The search query mix of the benchmarks: the relevance sets' queries, weighted by how often residents would ask
them, drawn in a fixed order so that every path and every run gets the same sequence."""

import random
from collections import Counter

from search import relevance

# No click log yet, so popularity is a judgement: residents mostly type everyday names and short questions (the
# owners' development set is made of such), seldom pinyin, initials or traditional characters.
SHARED_SET_WEIGHT = 4
CATEGORY_WEIGHTS = {"colloquial": 4, "official": 3, "sentence": 3, "lookup": 3}


def weighted_queries() -> Counter[str]:
    """Each distinct query of the relevance sets with its weight in the mix."""
    weights: Counter[str] = Counter()
    if relevance.SHARED_SET.exists():
        for query in relevance.load_queries(relevance.SHARED_SET):
            weights[query.text] += SHARED_SET_WEIGHT
    for query in relevance.load_queries(relevance.OWN_SET):
        weights[query.text] += CATEGORY_WEIGHTS.get(query.category, 1)
    return weights


def query_mix(weights: Counter[str], count: int, seed: int) -> list[str]:
    """A fixed sequence of `count` queries drawn by weight: the same for every path and every run."""
    texts = sorted(weights)
    return random.Random(seed).choices(texts, [weights[t] for t in texts], k=count)
