// The token page's preset texts. None of them is in the default tokenizer's training text (tested:
// tests/test_bpe_analysis.py reads this module with node), so each shows what a tokenizer does to text
// it never saw: the emoji and CJK ones fall back to raw bytes on the default tokenizer.
export const PRESETS = {
  "Seed sentence": "The monster approached with terrifying deliberation.",
  "Victor": "Victor felt overwhelming remorse for his creation.",
  "Landscape": "The desolate landscape stretched endlessly before them.",
  "Gothic": "Beneath the pale moon, the laboratory hummed with forbidden electricity.",
  "Creature": "The creature's eyes glimmered with an unnatural, sorrowful intelligence.",
  "Python": "def fibonacci(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n",
  "Numbers": "In 1818, 3,000 copies sold for £1.50 each; 0.000314% of 95,651,223 is about 300.",
  "URL": "https://www.gutenberg.org/ebooks/84.txt.utf-8?download=1#chapter-5",
  "CJK": "東京は日本の首都です。北京是中国的首都。",
  "Emoji": "Great job! 🎉👍 New: 🦩🥟🫠 Family: 👩‍👩‍👧‍👦 Flags: 🇯🇵🇫🇷",
  "Accents": "café and cafe\u0301 look alike; a\u00a0no-break space, a zero\u200bwidth space",
  "Long rare word": "pneumonoultramicroscopicsilicovolcanoconiosis",
};
