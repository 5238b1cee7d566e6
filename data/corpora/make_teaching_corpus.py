"""Writes teaching.txt, the built-in teaching corpus, from themed sentence templates.

Why generated: the corpus must make themes (royalty, family, animals, food, places,
weather) and analogy pairs (king/queen, man/woman, paris/france, ...) emerge in a
~100-word vocabulary after stopword removal. Templates give every theme word enough
co-occurrences with its theme and its role (male/female, capital/country, young/adult)
for an 8-dimensional skip-gram to find them. The output is committed; rerun this script
only to change the corpus: `python data/corpora/make_teaching_corpus.py`.
"""

import random
from pathlib import Path

SEED = 7
SENTENCES_PER_THEME = 95

ROYAL_PAIRS = [("king", "queen"), ("prince", "princess")]
FAMILY_PAIRS = [("man", "woman"), ("boy", "girl"), ("father", "mother"),
                ("son", "daughter"), ("brother", "sister"), ("husband", "wife")]
YOUNG_ADULT_ANIMALS = [("puppy", "dog"), ("kitten", "cat"), ("calf", "cow"), ("foal", "horse")]
ANIMAL_SOUNDS = {"dog": "barks", "cat": "meows", "cow": "moos", "horse": "neighs",
                 "puppy": "barks", "kitten": "meows", "calf": "moos", "foal": "neighs"}
FOODS = ["bread", "cheese", "apple", "orange", "soup", "cake", "milk", "rice"]
MEALS = ["breakfast", "lunch", "dinner"]
CAPITALS = [("paris", "france", "french"), ("london", "england", "english"),
            ("rome", "italy", "italian"), ("berlin", "germany", "german"),
            ("madrid", "spain", "spanish")]
SEASONS = [("winter", "cold", "snow"), ("summer", "hot", "sun"),
           ("autumn", "wind", "rain")]


def royalty(rng: random.Random) -> str:
    male, female = rng.choice(ROYAL_PAIRS)
    templates = [
        "the {m} rules the kingdom from the castle",
        "the {f} rules the kingdom from the palace",
        "the {m} wears a golden crown",
        "the {f} wears a golden crown",
        "the royal {m} is a man",
        "the royal {f} is a woman",
        "the {m} sits on the throne",
        "the {f} sits on the throne",
        "a {m} is the son of a king",
        "a {f} is the daughter of a queen",
        "the {m} and the {f} live in the palace",
        "the {m} is a brave man and the {f} is a wise woman",
    ]
    return rng.choice(templates).format(m=male, f=female)


def family(rng: random.Random) -> str:
    male, female = rng.choice(FAMILY_PAIRS)
    templates = [
        "the {m} is a man",
        "the {f} is a woman",
        "my {m} is a kind man",
        "my {f} is a kind woman",
        "the {m} and the {f} live in the house",
        "the {m} talks with his {m2}",
        "the {f} talks with her {f2}",
        "the {m} and his {m2} walk home",
        "the {f} and her {f2} walk home",
        "the {m} loves the family",
        "the {f} loves the family",
    ]
    male2, female2 = rng.choice(FAMILY_PAIRS)
    return rng.choice(templates).format(m=male, f=female, m2=male2, f2=female2)


def animals(rng: random.Random) -> str:
    young, adult = rng.choice(YOUNG_ADULT_ANIMALS)
    templates = [
        "the {y} is a young {a}",
        "the {a} {sa} on the farm",
        "the little {y} {sy} at night",
        "a {y} grows into a {a}",
        "the farmer feeds the {a} and the {y}",
        "the {a} runs across the field",
        "the pet {y} plays in the garden",
    ]
    return rng.choice(templates).format(y=young, a=adult, sa=ANIMAL_SOUNDS[adult],
                                        sy=ANIMAL_SOUNDS[young])


def food(rng: random.Random) -> str:
    first, second = rng.sample(FOODS, 2)
    templates = [
        "we eat {x} and {y} for {meal}",
        "the cook makes {x} in the kitchen",
        "fresh {x} is tasty",
        "she eats {x} with {y}",
        "the kitchen smells of {x} and {y}",
        "he buys {x} and {y} at the market",
        "{meal} is ready in the kitchen",
    ]
    return rng.choice(templates).format(x=first, y=second, meal=rng.choice(MEALS))


def places(rng: random.Random) -> str:
    city, country, language = rng.choice(CAPITALS)
    templates = [
        "{c} is the capital of {n}",
        "the capital of {n} is {c}",
        "people in {c} speak {l}",
        "people in {n} speak {l}",
        "we travel to {c} in {n}",
        "{c} is a big city in {n}",
        "the {l} language is spoken in {n}",
    ]
    return rng.choice(templates).format(c=city, n=country, l=language)


def weather(rng: random.Random) -> str:
    season, feel, sky = rng.choice(SEASONS)
    templates = [
        "{s} is {f}",
        "in {s} the weather is {f}",
        "the {k} falls in {s}",
        "in {s} we see {k} in the sky",
        "the {f} {s} brings {k}",
        "a storm brings {k} and clouds",
        "the sky is grey in {s}",
    ]
    return rng.choice(templates).format(s=season, f=feel, k=sky)


THEMES = [royalty, family, animals, food, places, weather]


def build_sentences(seed: int = SEED) -> list[str]:
    """Deterministic: interleaves the themes so every epoch sees them all."""
    rng = random.Random(seed)
    sentences = [theme(rng) for _ in range(SENTENCES_PER_THEME) for theme in THEMES]
    rng.shuffle(sentences)
    return sentences


if __name__ == "__main__":
    target = Path(__file__).with_name("teaching.txt")
    target.write_text("\n".join(build_sentences()) + "\n", encoding="utf-8")
    print(f"wrote {target}")
