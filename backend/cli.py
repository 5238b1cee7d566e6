"""`wordlab`: the one command-line entry point (train, export, tokenizer, corpus, runs, serve).

It lives in the backend package, the top of the stack, so that it can import the trainer and the
server without the lower package depending on the higher one.

Heavy imports (torch, the server) happen inside the subcommand that needs them, so
`wordlab --help` and `wordlab serve` stay fast.
"""

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from backend.settings import DEFAULT_WORKERS
from trainer.config import DEFAULT_RUNS_DIR, DEFAULT_TOKENIZERS_DIR, TrainConfig
from trainer.download import DEFAULT_CORPORA_DIR
from trainer.errors import WordlabError

DEFAULT_RUN_NAME = "default"
CORPUS_ONLY_FLAGS = ("sample", "workers", "device", "engine")


def add_config_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per TrainConfig field, its help from the field, so the dataclass stays the single source."""
    for field in dataclasses.fields(TrainConfig):
        flag = "--" + field.name.replace("_", "-")
        default = field.default
        default = "none" if default is None else f"{default:,}" if type(default) is int else default
        help_text = f"{field.metadata.get('help', '')} (default: {default})"
        if field.type in (bool, "bool"):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, help=help_text)
        else:
            kind = float if "float" in str(field.type) else int if "int" in str(field.type) else str
            choices = field.metadata.get("choices")
            parser.add_argument(flag, type=kind, help=help_text, choices=choices,
                                metavar=None if choices else field.name.upper())


def add_corpus_flags(parser: argparse.ArgumentParser) -> None:
    """The SGNS-only flags of --kind corpus; TrainConfig's flags (dim, window, lr, negative, epochs...) are shared."""
    from trainer.sgns.config import SGNSConfig

    group = parser.add_argument_group("corpus runs (--kind corpus): skip-gram with negative sampling, "
                                      "defaults dim 100, window 5, lr 0.025, min-count 5, negative 5, "
                                      "epochs enough for about 3M words of training (40 for a 75,000-word "
                                      "book, 5 from 600,000 words), no max-vocab")
    defaults = {f.name: f.default for f in dataclasses.fields(SGNSConfig)}
    group.add_argument("--sample", type=float, help=f"subsampling threshold, 0 = off (default: {defaults['sample']})")
    group.add_argument("--workers", type=int, help=f"training threads (default: {defaults['workers']})")
    group.add_argument("--device", choices=("cpu", "cuda"), help="cpu (default) or cuda (the torch engine)")
    group.add_argument("--engine", choices=("numba", "torch"),
                       help="numba (compiled CPU kernel, default on cpu) or torch (default on cuda)")


def explicit(args: argparse.Namespace, names) -> dict:
    """The flags the user gave (unset ones are None), so each run kind keeps its own defaults."""
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def run_name(args: argparse.Namespace) -> str:
    """--name if given; else a resume continues the run it resumes, under its own name (never over `default`);
    else a corpus run is named after its corpus file, a teaching run `default`."""
    if args.name is not None:
        return args.name
    if args.resume is not None:
        return args.resume.name
    return Path(args.corpus).stem if args.kind == "corpus" else DEFAULT_RUN_NAME


def runs_dir(args: argparse.Namespace) -> Path:
    """--out if given; else a resume writes beside the run it resumes, a new run into data/runs."""
    if args.out is not None:
        return args.out
    return args.resume.parent if args.resume is not None else DEFAULT_RUNS_DIR


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    return TrainConfig(**explicit(args, (f.name for f in dataclasses.fields(TrainConfig))))


def cmd_train(args: argparse.Namespace) -> None:
    if args.resume is not None and resumes_a_corpus_run(args.resume):
        return cmd_resume_corpus(args)
    if args.kind == "corpus":
        return cmd_train_corpus(args)
    corpus_only = explicit(args, CORPUS_ONLY_FLAGS)
    if corpus_only:
        flags = ", ".join("--" + name.replace("_", "-") for name in corpus_only)
        raise WordlabError(f"{flags} apply to --kind corpus only")
    if args.tokenizer and args.remove_stopwords:
        raise WordlabError("--remove-stopwords applies to regex words; a run on --tokenizer tokens keeps every token")
    from trainer.teaching_run import train_run

    summary = train_run(config_from_args(args), run_name(args), runs_dir(args), encoding=args.encoding,
                        resume_from=args.resume, progress=not args.quiet)
    print(f"wrote {summary.run_dir}: {summary.total_bytes / 1e6:.2f} MB; "
          f"training {summary.train_seconds:.2f} s, writing {summary.write_seconds:.2f} s")
    from trainer.bpe.build import ensure_default_tokenizer

    ensure_default_tokenizer(args.tokenizers, progress=not args.quiet)


def cmd_train_corpus(args: argparse.Namespace) -> None:
    from trainer.sgns.config import SGNSConfig
    from trainer.sgns.run import train_corpus_run

    if args.corpus is None:
        raise WordlabError("--kind corpus needs --corpus FILE (a plain-text book or corpus)")
    names = [f.name for f in dataclasses.fields(SGNSConfig) if f.name != "method"]
    settings = explicit(args, names)
    if "epochs" in settings:
        if settings["epochs"] != int(settings["epochs"]):
            raise WordlabError(f"--kind corpus trains whole epochs (got --epochs {settings['epochs']})")
        settings["epochs"] = int(settings["epochs"])
    if settings.get("device") == "cuda":
        settings.setdefault("engine", "torch")
    summary = train_corpus_run(SGNSConfig(**settings), run_name(args), runs_dir(args), encoding=args.encoding,
                               progress=not args.quiet)
    print(f"wrote {summary.run_dir}: {summary.total_bytes / 1e6:.2f} MB; training {summary.train_seconds:.2f} s, "
          f"{summary.words_per_second:,.0f} words/s")


def resumes_a_corpus_run(run_dir: Path) -> bool:
    from trainer.run_format import read_manifest

    return read_manifest(run_dir)["kind"] == "corpus"


def cmd_resume_corpus(args: argparse.Namespace) -> None:
    """--resume RUN --epochs TOTAL: the run's own settings; --workers, --device and --engine may change."""
    from trainer.sgns.run import resume_corpus_run

    if args.epochs is None or args.epochs != int(args.epochs):
        raise WordlabError("resuming a corpus run needs --epochs TOTAL, a whole number of epochs in all")
    changes = explicit(args, ("workers", "device", "engine"))
    if changes.get("device") == "cuda":
        changes.setdefault("engine", "torch")
    summary = resume_corpus_run(args.resume, int(args.epochs), run_name(args), runs_dir(args), changes=changes,
                                encoding=args.encoding, progress=not args.quiet)
    print(f"wrote {summary.run_dir}: {summary.total_bytes / 1e6:.2f} MB; training {summary.train_seconds:.2f} s, "
          f"{summary.words_per_second:,.0f} words/s")


def cmd_export(args: argparse.Namespace) -> None:
    from trainer.sgns.export import export_run

    run_dir = args.run if args.run.is_dir() else args.runs / args.run
    for path in export_run(run_dir, args.format, args.output):
        print(f"wrote {path}")


def cmd_tokenizer_train(args: argparse.Namespace) -> None:
    from trainer.bpe.analysis import cross_domain
    from trainer.bpe.build import build_tokenizer

    built = build_tokenizer(args.corpus, args.vocab_size, args.name, args.out, args.encoding, not args.quiet)
    if built.warning:
        print(f"warning: {built.warning}", file=sys.stderr)
    tok = built.tokenizer
    print(f"trained {len(tok.merges)} merges in {built.seconds:.2f} s: vocabulary {tok.vocab_size} "
          f"({tok.base_size} base symbols incl. 256 byte tokens); saved {built.path}")
    if tok.vocab_size < args.vocab_size:
        print(f"note: the corpus had no pair left to merge, so the vocabulary is {tok.vocab_size}, "
              f"not {args.vocab_size}")
    print("first merges:")
    for rank in range(min(args.show, len(tok.merges))):
        m = tok.merge_record(rank)
        print(f"  {m['rank']:>4}  {m['left']!r} + {m['right']!r} -> {m['token']!r}  ({m['count']:,} times)")
    for row in tok.meta["vocab_efficiency"]:
        print(f"  {row['merges']:>6} merges: {row['tokens_per_sentence']:.2f} tokens per held-out line")
    for row in cross_domain(tok):
        print(f"  {row['domain']:<14} {row['tokens_per_100_chars']:6.2f} tokens per 100 characters")


def cmd_corpus_get(args: argparse.Namespace) -> None:
    from trainer.download import get_corpus

    got = get_corpus(args.book, args.out)
    state = "downloaded" if got.downloaded else "already here (checksum verified)"
    print(f"{got.path}: {got.bytes:,} bytes, sha256 {got.sha256[:16]}…, {state}")
    print(f"next: wordlab train --corpus {got.path} --name {got.path.stem}")


def cmd_runs_list(args: argparse.Namespace) -> None:
    from backend.run_admin import list_runs

    listings = list_runs(args.runs)
    if not listings:
        print(f"no runs in {args.runs} (`wordlab train` writes one)")
    for listing in listings:
        print(listing.describe())


def cmd_runs_delete(args: argparse.Namespace) -> None:
    from backend.run_admin import delete_run

    if not args.yes and sys.stdin.isatty():
        if input(f"delete run {args.name!r} from {args.runs}? [y/N] ").strip().lower() not in ("y", "yes"):
            print("nothing deleted")
            return
    freed = delete_run(args.runs, args.name)
    print(f"deleted {args.name} ({freed / 1e6:.1f} MB)")


def cmd_serve(args: argparse.Namespace) -> None:
    from backend.serve import serve

    serve(args.host, args.port, args.runs, args.tokenizers, args.workers)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wordlab", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train and record a skip-gram run",
                                description="Train a full-softmax skip-gram model and record every step's "
                                            "state into data/runs/NAME.")
    train.add_argument("--kind", choices=("teaching", "corpus"), default="teaching",
                       help="teaching: full softmax on a small corpus, every step recorded; corpus: skip-gram "
                            "with negative sampling on a real book or corpus (default: %(default)s)")
    add_config_flags(train)
    add_corpus_flags(train)
    train.add_argument("--name", help=f"run name (default: {DEFAULT_RUN_NAME} for a teaching run, the corpus file's "
                                      "name for a corpus run, the resumed run's own name with --resume)")
    train.add_argument("--out", type=Path, help=f"runs directory (default: {DEFAULT_RUNS_DIR}; with --resume, "
                                                "the directory of the resumed run)")
    train.add_argument("--encoding", help="corpus encoding (default: UTF-8, falling back to Windows-1252)")
    train.add_argument("--resume", type=Path, metavar="RUN_DIR",
                       help="continue this run: a teaching run up to --steps total steps, a corpus run up to "
                            "--epochs total epochs")
    train.add_argument("--tokenizers", type=Path, default=DEFAULT_TOKENIZERS_DIR,
                       help="where the default tokenizer is written if absent (default: %(default)s)")
    train.add_argument("--quiet", action="store_true", help="no progress bars")
    train.set_defaults(handler=cmd_train)

    tokenizer = commands.add_parser("tokenizer", help="BPE tokenizers").add_subparsers(dest="action", required=True)
    tok_train = tokenizer.add_parser("train", help="train a BPE tokenizer on a text file",
                                     description="Train a byte-level-fallback BPE tokenizer and save it as "
                                                 "data/tokenizers/NAME.json (every 20th line held out).")
    tok_train.add_argument("--corpus", type=Path, required=True)
    tok_train.add_argument("--vocab-size", type=int, required=True,
                           help="total vocabulary: 256 byte tokens + characters seen + merges")
    tok_train.add_argument("--name", required=True)
    tok_train.add_argument("--out", type=Path, default=DEFAULT_TOKENIZERS_DIR,
                           help="tokenizers directory (default: %(default)s)")
    tok_train.add_argument("--encoding", help="corpus encoding (default: UTF-8, falling back to Windows-1252)")
    tok_train.add_argument("--show", type=int, default=15, help="how many first merges to print")
    tok_train.add_argument("--quiet", action="store_true", help="no progress bar")
    tok_train.set_defaults(handler=cmd_tokenizer_train)

    corpus = commands.add_parser("corpus", help="corpora").add_subparsers(dest="action", required=True)
    corpus_get = corpus.add_parser("get", help="download a public-domain book from Project Gutenberg",
                                   description="Download a Project Gutenberg book into data/corpora/NAME.txt "
                                               "(once; its checksum is recorded in NAME.source.json).")
    corpus_get.add_argument("book", help="a Gutenberg number (84) or a name (frankenstein, alice, dracula, ...)")
    corpus_get.add_argument("--out", type=Path, default=DEFAULT_CORPORA_DIR,
                            help="corpora directory (default: %(default)s)")
    corpus_get.set_defaults(handler=cmd_corpus_get)

    export = commands.add_parser("export", help="export a run's word vectors for other tools",
                                 description="Write a run's input vectors W as word2vec text or binary, or as "
                                             "TensorBoard Embedding Projector TSV files (vectors + metadata).")
    export.add_argument("run", type=Path, help="run name in --runs, or a run directory")
    export.add_argument("--format", choices=("word2vec", "word2vec-binary", "projector"), default="word2vec")
    export.add_argument("--output", type=Path, help="file (or folder for projector); default: next to the run")
    export.add_argument("--runs", type=Path, default=DEFAULT_RUNS_DIR)
    export.set_defaults(handler=cmd_export)

    runs = commands.add_parser("runs", help="list or delete recorded runs").add_subparsers(dest="action", required=True)
    runs_list = runs.add_parser("list", help="every run: kind, corpus, vocabulary, steps, epochs, size, created; "
                                            "broken runs with the reason")
    runs_list.add_argument("--runs", type=Path, default=DEFAULT_RUNS_DIR, help="Runs directory. Default: %(default)s.")
    runs_list.set_defaults(handler=cmd_runs_list)
    runs_delete = runs.add_parser("delete", help="delete one run by name (asks first on a terminal)")
    runs_delete.add_argument("name", help="the run's name, as `wordlab runs list` shows it")
    runs_delete.add_argument("--runs", type=Path, default=DEFAULT_RUNS_DIR,
                             help="Runs directory. Default: %(default)s.")
    runs_delete.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
    runs_delete.set_defaults(handler=cmd_runs_delete)


    serve = commands.add_parser("serve", help="serve the app (trains the default runs first if absent)",
                                description="Serve the API and the pages. Trains the default teaching runs "
                                            "(softmax and negative sampling) first when either is absent or broken.")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on; 0.0.0.0 serves a classroom LAN (default: %(default)s)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                       help="worker processes, one per core up to 4 (default here: %(default)s)")
    serve.add_argument("--runs", type=Path, default=DEFAULT_RUNS_DIR)
    serve.add_argument("--tokenizers", type=Path, default=DEFAULT_TOKENIZERS_DIR)
    serve.set_defaults(handler=cmd_serve)
    worker = commands.add_parser("worker", help="train the runs students queue from the Train page",
                                 description="Take training jobs from the queue (SQLite under data/state/, or the "
                                             "Redis that WORDLAB_STATE names, for workers on other machines).")
    worker.add_argument("--jobs", type=int, default=1, help="jobs trained at once (default: %(default)s)")
    worker.set_defaults(handler=cmd_worker)
    return parser


def cmd_worker(args: argparse.Namespace) -> None:
    from backend.statestore import state_config
    from backend.train_queue import work

    work(state_config(), args.jobs)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except WordlabError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: nothing was written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # stdout went to a reader that stopped early (`| head`): stop quietly, as the Python docs advise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
