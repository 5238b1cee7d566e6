"""Byte-pair encoding built from scratch: pre-tokenization, training, encoding, analysis. Torch-free."""
