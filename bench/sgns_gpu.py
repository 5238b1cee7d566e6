"""Words/s of the torch SGNS engine on a GPU (--engine torch --device cuda), same corpus and settings as
bench/sgns.py. Usage: python bench/sgns_gpu.py [--corpus FILE] [--runs 3] [--epochs 5] [--device cuda|cpu].
Without a CUDA GPU it says so and measures nothing (the goal is ≥ 20M words/s on an H100); --device cpu
runs the same code path on the CPU, to check that the script works where no GPU is lent."""

import argparse
import platform
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.sgns import DEFAULT_CORPUS, SETTINGS  # noqa: E402


def main() -> None:
    import torch

    from trainer.config import CorpusConfig
    from trainer.sgns.export import load_vectors
    from trainer.sgns.probes import score
    from trainer.sgns.run import train_corpus_run

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=SETTINGS["epochs"])
    parser.add_argument("--device", choices=("cuda", "cpu"), default="cuda")
    args = parser.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        print(f"no CUDA GPU on this machine ({platform.node()}): the torch engine's GPU speed was not measured")
        return
    where = torch.cuda.get_device_name() if args.device == "cuda" else f"CPU ({platform.processor() or 'cpu'})"
    settings = {**SETTINGS, "epochs": args.epochs}
    print(f"device: {where}; torch {torch.__version__}, CUDA {torch.version.cuda}, Python {platform.python_version()}; "
          f"corpus {args.corpus}; {settings}")
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as tmp:
            config = CorpusConfig(corpus=args.corpus, engine="torch", device=args.device, **settings)
            summary = train_corpus_run(config, "gpu", Path(tmp), progress=False, log=lambda _: None)
            quality = score(*load_vectors(summary.run_dir))
        print(f"run {run}: {summary.words_per_second:,.0f} words/s, training {summary.train_seconds:.1f} s, "
              f"similarity hit@10 {quality['similarity_hit10']:.3f}, analogies {quality['analogy_accuracy']:.3f}; "
              + ", ".join(f"{phase} {s:.1f} s" for phase, s in summary.phases["seconds"].items())
              + f"; peak RSS {summary.phases['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
