"""Watches training chunk by chunk: loss curve, progress bar, divergence check, snapshots of the top
words at checkpoints, and a sample of SGNS steps recorded in full (real steps, applied to the model)."""

import time

import numpy as np
from tqdm import tqdm

from trainer.errors import WordlabError
from trainer.sgns.config import SGNSConfig
from trainer.sgns.engine import ChunkResult
from trainer.sgns.step_record import sgns_step
from trainer.sgns.tokenize import SENTENCE_END
from trainer.vocab import Vocab


class DivergedError(WordlabError):
    """The loss became NaN or infinite: the learning rate is too high for this corpus."""


class TrainingRecorder:
    def __init__(self, config: SGNSConfig, vocab: Vocab, ids: np.ndarray, table: np.ndarray, engine,
                 total_chunks: int, total_words: int, progress: bool):
        self.config, self.vocab, self.ids, self.table, self.engine = config, vocab, ids, table, engine
        self.rng = np.random.default_rng(config.seed)
        self.top = min(config.snapshot_words, len(vocab))
        self.points: list[tuple[int, int, int, float, float]] = []  # (chunk index, words, pairs, loss, lr)
        self.records: list[dict] = []
        self.done_chunks = self.words = self.pairs = 0
        self.snapshot_steps = [0]
        self.history = [engine.W[:self.top].copy()]
        self.snapshot_at = set(np.linspace(1, total_chunks, min(config.checkpoints, total_chunks)).round().astype(int))
        self.record_at = np.bincount(np.linspace(0, total_chunks - 1, config.recorded_steps).round().astype(int),
                                     minlength=total_chunks)
        self.started = time.perf_counter()
        self.bar = tqdm(total=total_words, unit="word", unit_scale=True, desc="training", disable=not progress,
                        smoothing=0.1)

    def __call__(self, chunk: ChunkResult) -> None:
        if not np.isfinite(chunk.loss) and chunk.pairs:
            raise self.diverged(f"a loss of {chunk.loss}", chunk.lr)
        self.done_chunks += 1
        self.words += chunk.words
        self.pairs += chunk.pairs
        self.points.append((chunk.index, chunk.words, chunk.pairs, chunk.loss, chunk.lr))
        for _ in range(self.record_at[chunk.index]):
            self.record_step(chunk)
        if self.done_chunks in self.snapshot_at:
            self.snapshot_steps.append(self.pairs)
            self.history.append(self.engine.W[:self.top].copy())
        self.bar.update(chunk.words)
        self.bar.set_postfix(loss=f"{chunk.loss:.3f}", lr=f"{chunk.lr:.5f}", refresh=False)

    def diverged(self, what: str, lr: float) -> DivergedError:
        self.bar.close()
        return DivergedError(f"training diverged ({what}) at learning rate {lr:.6g} (--lr {self.config.lr}); "
                             f"try a smaller --lr. Nothing was written.")

    def record_step(self, chunk: ChunkResult) -> None:
        """One real SGNS step on a pair drawn from this chunk's text, recorded and applied to the weights."""
        ids = np.asarray(self.ids[chunk.start:chunk.end])
        words = np.flatnonzero(ids != SENTENCE_END)
        if len(words) < 2:
            return
        for _ in range(20):
            at = int(self.rng.choice(words))
            offset = int(self.rng.integers(1, self.config.window + 1)) * (1 if self.rng.random() < 0.5 else -1)
            lo, hi = at + offset, at
            if 0 <= lo < len(ids) and ids[min(lo, hi):max(lo, hi) + 1].max() != SENTENCE_END:
                break
        else:
            return
        center, context = int(ids[at]), int(ids[at + offset])
        negatives = self.table[self.rng.integers(0, len(self.table), self.config.negative)].astype(np.int64)
        record = sgns_step(*self.engine.rows(center, context, negatives), chunk.lr)
        self.engine.apply_step(center, context, negatives, record)
        words = self.vocab.words
        self.pairs += 1
        self.records.append({
            "step": self.pairs, "center_id": center, "context_id": context, "center_word": words[center],
            "context_word": words[context], "negative_ids": negatives.tolist(),
            "negative_words": [words[n] for n in negatives], "epoch": chunk.epoch, **record,
        })

    def close(self) -> float:
        """Ends the progress bar; returns training seconds."""
        self.bar.close()
        return time.perf_counter() - self.started

    def loss_curve(self, seconds: float) -> dict:
        points = sorted(self.points)
        return {
            "every": "a point per chunk (1/64 of the corpus, 2,000-20,000 words): mean loss of every 8th pair",
            "words": np.cumsum([p[1] for p in points]).tolist(),
            "pairs": np.cumsum([p[2] for p in points]).tolist(),
            "loss": np.asarray([p[3] for p in points], np.float32),
            "lr": np.asarray([p[4] for p in points], np.float32),
            "words_per_second": round(self.words / seconds, 1) if seconds else None,
            "seconds": round(seconds, 3),
        }
