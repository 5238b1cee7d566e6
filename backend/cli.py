"""`wordlab`: the one command-line entry point (train, export, tokenizer, corpus, runs, serve).

It lives in the backend package, the top of the stack, so that it can import the trainer and the
server without the lower package depending on the higher one.

Heavy imports (torch, the server) happen inside the subcommand that needs them, so
`wordlab --help` and `wordlab serve` stay fast.
"""

import argparse
import os
import sys
from pathlib import Path

from backend.settings import DEFAULT_WORKERS
from trainer.config import (
    DEFAULT_RUNS_DIR,
    DEFAULT_TOKENIZERS_DIR,
    KINDS,
    TeachingConfig,
    absent_settings,
    settings_schema,
)
from trainer.download import DEFAULT_CORPORA_DIR
from trainer.errors import WordlabError

DEFAULT_RUN_NAME = "default"
OTHER_KIND = {"teaching": "corpus", "corpus": "teaching"}
# What a resumed run may change: the rest are the run's own settings.
RESUME_CHANGES = {"teaching": ("steps",), "corpus": ("epochs", "workers", "device", "engine")}


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


class Refused(argparse.Action):
    """A flag of the other kind of run: refused with why, never silently ignored."""

    def __init__(self, option_strings, dest, reason: str, **kwargs):
        super().__init__(option_strings, dest, help=argparse.SUPPRESS, **kwargs)
        self.reason = reason

    def __call__(self, parser, namespace, values, option_string=None):
        raise WordlabError(self.reason)


def add_config_flags(parser: argparse.ArgumentParser, kind: str) -> None:
    """One flag per setting of this kind (trainer/config.py's field metadata: help, default, range), and each
    setting of the other kind refused with the reason, so one source says what every flag means."""
    for knob in settings_schema(kind):
        default = knob["default"]
        shown = "none" if default is None else f"{default:,}" if knob["type"] == "int" else default
        suffix = "" if knob["name"] == "corpus" and default is None else f" (default: {shown})"
        help_text = knob["help"] + suffix
        if knob["type"] == "bool":
            parser.add_argument(flag(knob["name"]), action=argparse.BooleanOptionalAction, help=help_text)
            continue
        parser.add_argument(flag(knob["name"]), type={"int": int, "float": float, "str": str}[knob["type"]],
                            choices=knob["choices"], help=help_text,
                            metavar=None if knob["choices"] else knob["name"].upper())
    other = OTHER_KIND[kind]
    for name, why in absent_settings(kind).items():
        names = [flag(name)]
        if name == "remove_stopwords":
            names.append("--no-remove-stopwords")
        reason = f"{why}; {flag(name)} applies to {other} runs (wordlab train {other})"
        parser.add_argument(*names, dest=f"refused_{name}", action=Refused, reason=reason,
                            nargs=0 if name == "remove_stopwords" else "?")


def explicit(args: argparse.Namespace, names) -> dict:
    """The flags the user gave (unset ones are None), so each run kind keeps its own defaults."""
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def run_name(args: argparse.Namespace) -> str:
    """--name if given (`default` too, for either kind); else a resume continues the run it resumes, under its
    own name; else a corpus run is named after its corpus file, a teaching run `default`."""
    if args.name is not None:
        return args.name
    if args.resume is not None:
        return args.resume.name
    return Path(args.corpus).stem if args.kind == "corpus" and args.corpus else DEFAULT_RUN_NAME


def runs_dir(args: argparse.Namespace) -> Path:
    """--out if given; else a resume writes beside the run it resumes, a new run into data/runs."""
    if args.out is not None:
        return args.out
    return args.resume.parent if args.resume is not None else DEFAULT_RUNS_DIR


def settings_given(args: argparse.Namespace) -> dict:
    return explicit(args, (knob["name"] for knob in settings_schema(args.kind)))


def check_resume(args: argparse.Namespace, settings: dict) -> None:
    """A resumed run is continued with its own settings and kind: anything else given is refused."""
    from trainer.run_format import read_manifest

    kind = read_manifest(args.resume)["kind"]
    if kind != args.kind:
        raise WordlabError(f"{args.resume.name} is a {kind} run: resume it with `wordlab train {kind} --resume "
                           f"{args.resume}`")
    fixed = [flag(name) for name in settings if name not in RESUME_CHANGES[kind]]
    if fixed:
        allowed = ", ".join(flag(name) for name in RESUME_CHANGES[kind])
        raise WordlabError(f"a resumed {kind} run keeps its own settings: {', '.join(fixed)} cannot change "
                           f"(only {allowed})")


def cmd_train_teaching(args: argparse.Namespace) -> None:
    settings = settings_given(args)
    if args.resume is not None:
        check_resume(args, settings)
    if args.tokenizer and args.remove_stopwords:
        raise WordlabError("--remove-stopwords applies to regex words; a run on --tokenizer tokens keeps every token")
    from trainer.teaching_run import train_run

    summary = train_run(TeachingConfig(**settings), run_name(args), runs_dir(args), encoding=args.encoding,
                        resume_from=args.resume, progress=not args.quiet)
    print(f"wrote {summary.run_dir}: {summary.total_bytes / 1e6:.2f} MB; "
          f"training {summary.train_seconds:.2f} s, writing {summary.write_seconds:.2f} s")
    from trainer.bpe.build import ensure_default_tokenizer

    ensure_default_tokenizer(args.tokenizers, progress=not args.quiet)


def cmd_train_corpus(args: argparse.Namespace) -> None:
    from trainer.config import CorpusConfig
    from trainer.sgns.run import resume_corpus_run, train_corpus_run

    settings = settings_given(args)
    if settings.get("device") == "cuda":
        settings.setdefault("engine", "torch")
    if args.resume is not None:
        check_resume(args, settings)
        if "epochs" not in settings:
            raise WordlabError("resuming a corpus run needs --epochs TOTAL, a whole number of epochs in all")
        epochs = settings.pop("epochs")
        summary = resume_corpus_run(args.resume, epochs, run_name(args), runs_dir(args), changes=settings,
                                    encoding=args.encoding, progress=not args.quiet)
    else:
        summary = train_corpus_run(CorpusConfig(**settings), run_name(args), runs_dir(args), encoding=args.encoding,
                                   progress=not args.quiet)
    print(f"wrote {summary.run_dir}: {summary.total_bytes / 1e6:.2f} MB; training {summary.train_seconds:.2f} s, "
          f"{summary.words_per_second:,.0f} words/s")


def with_train_kind(argv: list[str]) -> list[str]:
    """`wordlab train [--kind K] FLAGS` → `wordlab train K FLAGS`: no kind is a teaching run (what `make serve`
    trains), `--kind` is kept as another spelling, and a resume takes the kind of the run it resumes."""
    if len(argv) < 2 or argv[0] != "train" or argv[1] in (*KINDS, "-h", "--help"):
        return argv
    rest, kind = [], None
    items = iter(argv[1:])
    for item in items:
        if item == "--kind":
            kind = next(items, "")
        elif item.startswith("--kind="):
            kind = item.removeprefix("--kind=")
        else:
            rest.append(item)
    if kind is None and "--resume" in rest and rest.index("--resume") + 1 < len(rest):
        from trainer.run_format import check_run

        manifest, _ = check_run(Path(rest[rest.index("--resume") + 1]))
        kind = manifest["kind"] if manifest else None   # a broken run: the teaching command says why
    return ["train", kind or "teaching", *rest]


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

    train = commands.add_parser(
        "train", help="train and record a skip-gram run: teaching (the default) or corpus",
        description="Train a skip-gram run into data/runs/NAME. `wordlab train teaching` (the default when no kind "
                    "is given) records every step of a small corpus for the walkthrough; `wordlab train corpus` "
                    "trains word2vec's negative sampling on a whole book. `wordlab train KIND --help` shows that "
                    "kind's flags and defaults.")
    kinds = train.add_subparsers(dest="kind", required=True, metavar="{teaching,corpus}")
    for kind, about in (("teaching", "full softmax or negative sampling on a small corpus, every step recorded"),
                        ("corpus", "word2vec's skip-gram with negative sampling on a real book or corpus")):
        parser_ = kinds.add_parser(kind, help=about, description=f"A {kind} run: {about}.")
        add_config_flags(parser_, kind)
        named = "the corpus file's name" if kind == "corpus" else DEFAULT_RUN_NAME
        parser_.add_argument("--name", help=f"run name (default: {named}; with --resume, the resumed run's own name)")
        parser_.add_argument("--out", type=Path, help=f"runs directory (default: {DEFAULT_RUNS_DIR}; with "
                                                      "--resume, the directory of the resumed run)")
        parser_.add_argument("--encoding", help="corpus encoding (default: UTF-8, falling back to Windows-1252)")
        parser_.add_argument("--resume", type=Path, metavar="RUN_DIR",
                             help="continue this run with its own settings up to " +
                                  ("--steps total steps" if kind == "teaching" else
                                   "--epochs total epochs (--workers, --device, --engine may change)"))
        if kind == "teaching":
            parser_.add_argument("--tokenizers", type=Path, default=DEFAULT_TOKENIZERS_DIR,
                                 help="where the default tokenizer is written if absent (default: %(default)s)")
        parser_.add_argument("--quiet", action="store_true", help="no progress bars")
        parser_.set_defaults(handler=cmd_train_teaching if kind == "teaching" else cmd_train_corpus)

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
    try:
        args = build_parser().parse_args(with_train_kind(sys.argv[1:] if argv is None else argv))
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
