"""Skip-gram with negative sampling on a real corpus (run kind `corpus`), word2vec-style and fast on a CPU."""
