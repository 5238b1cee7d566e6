"""The probes a run is scored on and the words the explorer opens with, chosen from the run's own vocabulary.

A probe set fixed in advance fits one corpus: on Frankenstein "none of the built-in probes has all four
words", on the teaching corpus no book probe does. So every run gets, from its vocabulary alone (never
from its vectors: a probe picked because the run gets it right would flatter it):
- the built-in probes (data/probes/*.tsv for books, run_views.ANALOGY_PROBES for the teaching corpus) whose
  words it has;
- pairs of the same relation found in the vocabulary: gender pairs from a fixed list (he/she, his/her,
  king/queen, ...), a word and its -s form (plural or verb), its -ed form, its possessive (names too:
  victor/victor's); analogies pair each such pair with the next two of its relation, as the built-in
  file does, most frequent first;
- the explorer's first query words: the most frequent content words (no stopword, no other function word,
  letters only) among the words of those pairs.

A BPE run's "words" are tokens: a token that is one whole word (" king</w>") stands for that word.
Scores (similarity hit@10: b among a's 10 nearest; analogy accuracy: 3CosAdd's top answer over the whole
vocabulary, a, b and c excluded) are computed here once, for the run writers and bench/sgns.py alike.
"""

import hashlib
import re
from dataclasses import dataclass, field

import numpy as np
import orjson

from trainer.similarity import analogy_scores, unit_rows
from trainer.stopwords import STOPWORDS
from trainer.vocab import Vocab

NEIGHBORS = 10                 # similarity hit@k
QUERY_WORDS = 4                # the explorer's first neighbour query
CONTENT_POOL = 300             # content words offered for queries and the heatmap's themes
PAIRS_PER_RELATION = 8         # pairs found in the vocabulary, per relation, most frequent first
SIMILARITY_PER_RELATION = 4    # of which this many are similarity probes too
MAX_ANALOGIES = 160
BUILT_IN, FOUND = "built-in", "this vocabulary"

# Function words beyond the stopword list that make poor first queries (one → whether, children, good).
FUNCTION_WORDS = frozenset("""
also although another anything ah almost already always among anyone away could either else enough even ever
every everything however indeed less like might many may much must neither never nothing oh one often
perhaps quite rather shall shalt since something still though thus thee thou thy thine till toward towards
unless unto upon us well whether whose within without would ye yes yet hath doth wilt
""".split())
GENDER_PAIRS = [("he", "she"), ("his", "her"), ("him", "her"), ("himself", "herself"), ("man", "woman"),
                ("men", "women"), ("mr", "mrs"), ("sir", "madam"), ("lord", "lady"), ("king", "queen"),
                ("prince", "princess"), ("father", "mother"), ("son", "daughter"), ("brother", "sister"),
                ("husband", "wife"), ("boy", "girl"), ("uncle", "aunt"), ("nephew", "niece"),
                ("gentleman", "lady"), ("master", "mistress"), ("duke", "duchess"), ("boys", "girls")]
WORD_RE = re.compile(r"[^\W\d_]+(?:['’]s)?")
TOKEN_WORD_RE = re.compile(r"^ ([^\W\d_]+(?:['’]s)?)</w>$")   # a BPE token that is one whole word after a space
TOKEN_LETTERS_RE = re.compile(r"^ ?([^\W\d_]+)(?:</w>)?$")         # a BPE token of letters: a word or a piece

Pair = tuple[str, str]
Analogy = tuple[str, str, str, str, str]   # relation, a, b, c, expected


@dataclass(frozen=True)
class RunProbes:
    """What choose_probes found, as vocabulary entries (a BPE run's token texts)."""
    queries: list[str]
    content: list[str]                                  # content words by frequency (≤ CONTENT_POOL)
    similarity: list[tuple[str, str, str]]              # a, b, source
    analogies: list[tuple[str, str, str, str, str, str]]  # relation, a, b, c, expected, source
    by_word: dict[str, str] = field(repr=False, default_factory=dict)  # plain word → vocabulary entry

    def analogy_tuples(self) -> list[tuple[str, str, str, str]]:
        """a, b, c, expected: the shape run_views.analogy_view and analogy_evolution_view take."""
        return [(a, b, c, d) for _, a, b, c, d, _ in self.analogies]


def plain_words(vocab: Vocab, bpe_tokens: bool) -> dict[str, str]:
    """Plain word → its vocabulary entry. Regex words are themselves; a BPE token stands for a word when it is
    one whole word after a space (" king</w>"): "king</w>" may end "making", "ing</w>" ends many. Case is kept."""
    if not bpe_tokens:
        return {w: w for w in vocab.words}
    found: dict[str, str] = {}
    for token in vocab.words:
        match = TOKEN_WORD_RE.match(token)
        if match:
            found[match.group(1)] = token
    return found


def content_tokens(vocab: Vocab) -> list[str]:
    """A BPE run's tokens of letters whose letters are content (" ing</w>", "ation"): what its first queries and
    themes fall back on when few whole words are frequent enough to be in its vocabulary."""
    return [t for t in vocab.words if (m := TOKEN_LETTERS_RE.match(t)) and is_content(m.group(1))]


def is_content(word: str) -> bool:
    """Letters only (a possessive 's allowed), at least three, and not a stopword or other function word."""
    stem = re.sub(r"['’]s$", "", word).lower()
    return (WORD_RE.fullmatch(word) is not None and len(stem) >= 3
            and stem not in STOPWORDS and stem not in FUNCTION_WORDS and word.lower() not in STOPWORDS)


def derived_forms(word: str) -> dict[str, tuple[str, ...]]:
    """The forms each relation would give a word: its -s form (plural or verb), -ed form and possessive."""
    return {"-s form": (word + "s", word + "es") + ((word[:-1] + "ies",) if word.endswith("y") else ()),
            "-ed form": (word + "ed", word + word[-1] + "ed") + ((word + "d",) if word.endswith("e") else ()),
            "possessive": (word + "'s", word + "’s")}


def ing_forms(word: str) -> tuple[str, ...]:
    """A verb's -ing forms (walk → walking, love → loving, stop → stopping, die → dying): a word with an -ed
    form counts as a verb only if one of them is in the vocabulary too (wretch/wretched is no past tense)."""
    return (word + "ing", word[:-1] + "ing", word + word[-1] + "ing", word[:-2] + "ying")


def relation_pairs(words: dict[str, str], counts: dict[str, int]) -> dict[str, list[Pair]]:
    """Every pair of plain words found in the vocabulary, by relation: the gender list in its order, the
    others the most frequent pair (by its rarer word) first."""
    relations: dict[str, list[Pair]] = {"gender": [p for p in GENDER_PAIRS if p[0] in words and p[1] in words]}
    found: dict[str, list[Pair]] = {}
    for word in words:
        if not is_content(word) or word.endswith(("'s", "’s")):
            continue
        for relation, forms in derived_forms(word).items():
            if relation == "-ed form" and not any(form in words for form in ing_forms(word)):
                continue
            found.setdefault(relation, []).extend((word, form) for form in forms if form in words)
    for relation, pairs in found.items():
        pairs.sort(key=lambda p: (-min(counts[p[0]], counts[p[1]]), p))
        relations[relation] = pairs
    return relations


def chained_analogies(relation: str, pairs: list[Pair]) -> list[Analogy]:
    """Each pair with the next two of its relation: a : b :: c : d for (a, b), (c, d), four different words
    (his/her and him/her share "her": 3CosAdd excludes b, so d could never be found)."""
    return [(relation, *pairs[i], *pairs[j]) for i in range(len(pairs)) for j in (i + 1, i + 2)
            if j < len(pairs) and len({*pairs[i], *pairs[j]}) == 4]


def choose_probes(vocab: Vocab, *, bpe_tokens: bool = False, built_in_similarity: list[Pair] = (),
                  built_in_analogies: list[Analogy] = ()) -> RunProbes:
    """The run's probes and first queries, from its vocabulary and counts alone (module docstring)."""
    words = plain_words(vocab, bpe_tokens)
    counts = {w: vocab.counts[vocab.index[entry]] for w, entry in words.items()}
    content = [w for w in words if is_content(w)]
    found = relation_pairs(words, counts)
    relations = {name: pairs[:PAIRS_PER_RELATION] for name, pairs in found.items()}
    similarity = [(a, b, BUILT_IN) for a, b in built_in_similarity if a in words and b in words]
    similarity += [(a, b, FOUND) for pairs in relations.values() for a, b in pairs[:SIMILARITY_PER_RELATION]]
    analogies = [(*q, BUILT_IN) for q in built_in_analogies if all(w in words for w in q[1:])]
    analogies += [(*q, FOUND) for name, pairs in relations.items() for q in chained_analogies(name, pairs)]
    # First queries: the most frequent content words of the built-in and gender pairs (said, man, day: words a
    # reader would call near something), then those seen with a derived form (a noun's plural, a name's
    # possessive), then any content word: "one", "yet", "upon" and "little" make poor first questions.
    chosen = {w for a, b, source in similarity if source == BUILT_IN for w in (a, b)}
    chosen |= {w for pair in relations["gender"] for w in pair}
    paired = {w for pairs in found.values() for pair in pairs for w in pair}
    queries = list(dict.fromkeys([w for w in content if w in chosen] + [w for w in content if w in paired]))
    entry = words.__getitem__
    entries = [entry(w) for w in content]
    if bpe_tokens:   # then pieces of letters: a token run's lesson is its subwords too
        entries = list(dict.fromkeys(entries + content_tokens(vocab)))
    return RunProbes(
        queries=list(dict.fromkeys([entry(w) for w in queries] + entries))[:QUERY_WORDS],
        content=entries[:CONTENT_POOL],
        similarity=first_of_each([(entry(a), entry(b), source) for a, b, source in similarity], slice(0, 2)),
        analogies=first_of_each([(rel, *map(entry, q), source) for rel, *q, source in analogies],
                                slice(1, 5))[:MAX_ANALOGIES],
        by_word=words)


def first_of_each(rows: list[tuple], key: slice) -> list[tuple]:
    """The rows in order, each key (the words of a probe) once: a built-in probe found again is kept once."""
    seen: dict[tuple, tuple] = {}
    for row in rows:
        seen.setdefault(row[key], row)
    return list(seen.values())


def score(words: list[str], vectors: np.ndarray, similarity: list[Pair], analogies: list[tuple]) -> dict:
    """Each probe's result over the whole vocabulary and the totals: similarity hit@10 (b among a's 10
    nearest words, a excluded) and analogy accuracy (3CosAdd's best word, a, b, c excluded, is d).
    `analogies` rows end with (a, b, c, d); probes with a word outside `words` are skipped."""
    index = {w: i for i, w in enumerate(words)}
    unit = unit_rows(np.asarray(vectors, dtype=np.float32))
    pairs = np.array([(index[a], index[b]) for a, b in similarity if a in index and b in index], int).reshape(-1, 2)
    sims = unit[pairs[:, 0]] @ unit.T
    sims[np.arange(len(pairs)), pairs[:, 0]] = -np.inf
    similarity_rank = (sims > sims[np.arange(len(pairs)), pairs[:, 1]][:, None]).sum(axis=1) + 1
    questions = np.array([[index[w] for w in q[-4:]] for q in analogies if all(w in index for w in q[-4:])],
                         int).reshape(-1, 4)
    if len(questions):
        scores = analogy_scores(unit, questions)
        answers = scores.argmax(axis=1)
        expected_rank = (scores > scores[np.arange(len(questions)), questions[:, 3]][:, None]).sum(axis=1) + 1
    else:
        answers = expected_rank = np.zeros(0, int)
    hits, correct = similarity_rank <= NEIGHBORS, answers == questions[:, 3]
    return {
        "similarity_pairs": len(pairs), "similarity_hit10": float(hits.mean()) if len(pairs) else None,
        "analogies": len(questions), "analogy_accuracy": float(correct.mean()) if len(questions) else None,
        "similarity_results": [{"a": words[a], "b": words[b], "rank": int(r), "hit": bool(h)}
                               for (a, b), r, h in zip(pairs, similarity_rank, hits, strict=True)],
        "analogy_results": [{"a": words[q[0]], "b": words[q[1]], "c": words[q[2]], "expected": words[q[3]],
                             "answer": words[int(x)], "expected_rank": int(r), "correct": bool(c)}
                            for q, x, r, c in zip(questions, answers, expected_rank, correct, strict=True)],
    }


def probes_view(vocab: Vocab, W: np.ndarray, probes: RunProbes) -> dict:
    """explorer/probes.json: the probe set, each probe's result over the final W and the run's two scores.
    `probe_set` hashes the probes, so a page compares scores only across runs scored on the same probes."""
    scored = score(vocab.words, W, [p[:2] for p in probes.similarity], [p[1:5] for p in probes.analogies])
    similarity = [{**r, "source": p[2]} for p, r in zip(probes.similarity, scored["similarity_results"], strict=True)]
    analogies = [{"relation": p[0], **r, "source": p[5]}
                 for p, r in zip(probes.analogies, scored["analogy_results"], strict=True)]
    probe_set = hashlib.sha256(orjson.dumps([probes.similarity, probes.analogies])).hexdigest()
    plain = {entry: word for word, entry in probes.by_word.items()}

    def shown_first(results: list[dict], right: str, keys: str) -> dict | None:
        """The first probe of content words only (no stopword) that the run gets right, else the first of
        content words: what the explorer's analogy and pair boxes open with."""
        readable = [r for r in results if all(is_content(plain.get(r[k], "")) for k in keys)]
        return next((r for r in readable if r[right]), readable[0] if readable else None)

    return {"queries": probes.queries, "content_words": probes.content, "neighbors": NEIGHBORS,
            "method": "3CosAdd", "probe_set": probe_set,
            "first_analogy": shown_first(analogies, "correct", ("a", "b", "c", "expected")),
            "first_pair": shown_first(similarity, "hit", ("a", "b")),
            "scores": {k: scored[k] for k in ("similarity_pairs", "similarity_hit10", "analogies", "analogy_accuracy")},
            "similarity": similarity, "analogies": analogies}


def report_lines(view: dict) -> list[str]:
    """What the CLI prints about the probes when a run ends."""
    s = view["scores"]
    if not s["similarity_pairs"] and not s["analogies"]:
        return ["probes: none of the probes' words are in this vocabulary"]
    parts = []
    if s["similarity_pairs"]:
        parts.append(f"similarity hit@{NEIGHBORS} {s['similarity_hit10']:.3f} on {s['similarity_pairs']} pairs")
    if s["analogies"]:
        parts.append(f"analogies {s['analogy_accuracy']:.3f} on {s['analogies']}")
    return [f"probes: {', '.join(parts)} (explorer, corpus panel); first queries: {', '.join(view['queries'])}"]
