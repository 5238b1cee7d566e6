"""Watches a corpus run chunk by chunk: loss curve, progress bar, divergence check, snapshots of the top
words at checkpoints (into a scratch file: trainer/sgns/snapshots.py), and which real steps to record in full
(the engine trains them: trainer/sgns/step.py)."""

import time
from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from trainer.config import CorpusConfig
from trainer.errors import Diverged
from trainer.sgns.corpus_ids import SENTENCE_END, release_pages
from trainer.sgns.sampling import NoiseAlias
from trainer.sgns.schedule import ChunkResult
from trainer.sgns.snapshots import Snapshots
from trainer.sgns.step import sgns_record
from trainer.vocab import Vocab


@dataclass
class Progress:
    """Where training stands after some epochs: what a resumed run carries over (trainer/sgns/resume.py)."""

    epochs_done: int = 0
    pairs: int = 0                      # pairs trained, recorded steps included (the step counter)
    words: int = 0                      # corpus words read, as gensim counts them (before subsampling)
    rng_state: dict | None = None       # the step sampler's generator (numpy PCG64 state)
    curve: dict | None = None           # the loss curve so far (loss_curve.json)
    records: list[dict] = field(default_factory=list)


class TrainingMonitor:
    """words_per_kept: corpus words per vocabulary word (the ids hold vocabulary words only), so that
    words are counted as gensim counts them: every word of the text, out-of-vocabulary ones included."""

    def __init__(self, config: CorpusConfig, vocab: Vocab, ids: np.ndarray, noise: NoiseAlias, engine,
                 chunks_per_epoch: int, words_per_kept: float, progress: bool, start: Progress):
        self.config, self.vocab, self.ids, self.noise, self.engine = config, vocab, ids, noise, engine
        self.start, self.words_per_kept = start, words_per_kept
        self.rng = np.random.default_rng(config.seed)
        if start.rng_state is not None:
            self.rng.bit_generator.state = start.rng_state
        self.top = min(config.snapshot_words, len(vocab))
        self.points: list[tuple[int, int, int, float, float]] = []  # (chunk index, words, pairs, loss, lr)
        self.records: list[dict] = list(start.records)
        self.done_chunks = self.kept_words = 0
        self.pairs = start.pairs
        self.snapshot_steps = [start.pairs]
        self.snapshots = Snapshots(self.top, config.dim)      # in a scratch file, not RAM (snapshots.py)
        self.snapshots.append(engine.W[:self.top])
        chunks = chunks_per_epoch * (config.epochs - start.epochs_done)  # this session's
        self.snapshot_at = set(np.linspace(1, chunks, min(config.checkpoints, chunks)).round().astype(int))
        total_chunks = chunks_per_epoch * config.epochs  # steps are recorded at the same chunks of any session
        self.record_at = np.bincount(np.linspace(0, total_chunks - 1, config.recorded_steps).round().astype(int),
                                     minlength=total_chunks)
        self.started = time.perf_counter()
        self.bar = tqdm(total=round(sum(vocab.counts) * words_per_kept * config.epochs),
                        initial=start.words, unit="word", unit_scale=True, desc="training", disable=not progress,
                        smoothing=0.1)

    @property
    def words(self) -> int:
        """Corpus words read so far, over all sessions."""
        return self.start.words + round(self.kept_words * self.words_per_kept)

    def __call__(self, chunk: ChunkResult) -> None:
        if not np.isfinite(chunk.loss) and chunk.pairs:
            raise self.diverged(f"a loss of {chunk.loss}", chunk.lr)
        self.done_chunks += 1
        self.kept_words += chunk.words
        self.pairs += chunk.pairs
        self.points.append((chunk.index, chunk.words, chunk.pairs, chunk.loss, chunk.lr))
        for _ in range(self.record_at[chunk.index]):
            self.record_step(chunk)
        release_pages(self.ids, chunk.start, chunk.end)  # read until next epoch: out of RSS (corpus_ids.py)
        if self.done_chunks in self.snapshot_at:
            self.snapshot_steps.append(self.pairs)
            self.snapshots.append(self.engine.W[:self.top])
        self.bar.update(round(chunk.words * self.words_per_kept))
        self.bar.set_postfix(loss=f"{chunk.loss:.3f}", lr=f"{chunk.lr:.5f}", refresh=False)

    def diverged(self, what: str, lr: float) -> Diverged:
        self.bar.close()
        return Diverged(f"training diverged ({what}) at learning rate {lr:.6g} (--lr {self.config.lr}); "
                             f"try a smaller --lr. Nothing was written.")

    def record_step(self, chunk: ChunkResult) -> None:
        """One real SGNS step on a pair drawn from this chunk's text: the engine trains it, this records it."""
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
        negatives = self.noise.draw(self.rng, self.config.negative)
        numbers = self.engine.recorded_step(center, context, negatives, chunk.lr)
        self.pairs += 1
        record = sgns_record(self.pairs, center, context, negatives, self.vocab.words, numbers)
        self.records.append({**record, "epoch": chunk.epoch})

    def close(self) -> float:
        """Ends the progress bar; returns training seconds."""
        self.bar.close()
        return time.perf_counter() - self.started

    def loss_curve(self, seconds: float) -> dict:
        """This session's points after the earlier sessions' (a resumed run's curve is the whole run's);
        words/s and seconds are this session's."""
        points = sorted(self.points)
        before = self.start.curve or {"words": [], "pairs": [], "loss": [], "lr": []}
        words_before, pairs_before = (before["words"] or [0])[-1], (before["pairs"] or [0])[-1]
        words = np.cumsum([p[1] for p in points]) * self.words_per_kept + words_before
        # pairs: the trained pairs of the chunks (recorded steps are counted in `steps`, not here)
        pairs = np.cumsum([p[2] for p in points], dtype=np.int64) + pairs_before
        return {
            "every": "a point per chunk (1/64 of the corpus, 2,000-20,000 words): mean loss of its pairs",
            "words": [*before["words"], *np.round(words).astype(np.int64).tolist()],
            "pairs": [*before["pairs"], *pairs.tolist()],
            "loss": np.asarray([*before["loss"], *(p[3] for p in points)], np.float32),
            "lr": np.asarray([*before["lr"], *(p[4] for p in points)], np.float32),
            "words_per_second": round((self.words - self.start.words) / seconds, 1) if seconds else None,
            "seconds": round(seconds, 3),
        }

    def progress(self) -> Progress:
        """What a later session needs to continue from here."""
        return Progress(self.config.epochs, self.pairs, self.words, self.rng.bit_generator.state, None, self.records)
