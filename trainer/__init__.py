"""wordlab trainer: corpus → tokens → vocabulary → skip-gram pairs → training → recorded run.

Importing this package does not import torch: the backend reuses the torch-free modules
(corpus loading, BPE tokenizer, run format) without paying for it.
"""
