"""`wordlab`: the one command-line entry point (train, tokenizer, runs, serve).

It lives in the backend package, the top of the stack, so that it can import the trainer and the
server without the lower package depending on the higher one.

Heavy imports (torch, the server) happen inside the subcommand that needs them, so
`wordlab --help` and `wordlab serve` stay fast.
"""

import argparse
import dataclasses
import os
import sys
import typing
from pathlib import Path

from trainer.config import DEFAULT_RUNS_DIR, DEFAULT_TOKENIZERS_DIR, DEFAULT_WORKERS, TrainConfig
from trainer.errors import WordlabError

DEFAULT_RUN_NAME = "default"


def add_config_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per TrainConfig field, its help from the field's metadata, so the dataclass stays the
    single source of settings and of what they mean."""
    for field in dataclasses.fields(TrainConfig):
        flag = "--" + field.name.replace("_", "-")
        help_text = field.metadata.get("help", f"(default: {field.default})")
        if field.type in (bool, "bool"):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=field.default, help=help_text)
        else:
            parser.add_argument(flag, type=flag_type(field.type), default=field.default,
                                metavar=field.name.upper(), help=help_text)


def flag_type(annotation):
    """int, float or str from a field's annotation (`float | None` → float)."""
    options = [t for t in typing.get_args(annotation) if t is not type(None)] or [annotation]
    kind = options[0]
    return {"int": int, "float": float, "str": str}.get(kind, kind)


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    return TrainConfig(**{f.name: getattr(args, f.name) for f in dataclasses.fields(TrainConfig)})


def cmd_train(args: argparse.Namespace) -> None:
    from trainer.teaching_run import train_run

    summary = train_run(config_from_args(args), args.name, args.out, encoding=args.encoding,
                        resume_from=args.resume, progress=not args.quiet)
    print(f"wrote {summary.run_dir}: {summary.total_bytes / 1e6:.2f} MB; "
          f"training {summary.train_seconds:.2f} s, writing {summary.write_seconds:.2f} s")
    from trainer.bpe.build import ensure_default_tokenizer

    ensure_default_tokenizer(args.tokenizers, progress=not args.quiet)


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
    add_config_flags(train)
    train.add_argument("--name", default=DEFAULT_RUN_NAME, help="Name of the run: it is written to OUT/NAME and listed by that name on the pages. Default: %(default)s; letters, digits, - and _.")
    train.add_argument("--out", type=Path, default=DEFAULT_RUNS_DIR, help="Directory of runs (the one `wordlab serve` reads). Default: %(default)s.")
    train.add_argument("--encoding", help="Encoding of the corpus file, e.g. utf-8, cp1252, latin-1. Default: UTF-8, "
                                          "falling back to Windows-1252 with a warning.")
    train.add_argument("--resume", type=Path, metavar="RUN_DIR",
                       help="Continue this run (its settings and vocabulary) up to --steps (or --epochs) in all. "
                            "Default: start a new run.")
    train.add_argument("--tokenizers", type=Path, default=DEFAULT_TOKENIZERS_DIR,
                       help="Where the default BPE tokenizer is written if absent. Default: %(default)s.")
    train.add_argument("--quiet", action="store_true", help="No progress bars (the report before training is still printed).")
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

    runs = commands.add_parser("runs", help="list or delete recorded runs").add_subparsers(dest="action", required=True)
    runs_list = runs.add_parser("list", help="every run: kind, corpus, vocabulary, steps, epochs, size, created; "
                                            "broken runs with the reason")
    runs_list.add_argument("--runs", type=Path, default=DEFAULT_RUNS_DIR, help="Runs directory. Default: %(default)s.")
    runs_list.set_defaults(handler=cmd_runs_list)
    runs_delete = runs.add_parser("delete", help="delete one run by name (asks first on a terminal)")
    runs_delete.add_argument("name", help="the run's name, as `wordlab runs list` shows it")
    runs_delete.add_argument("--runs", type=Path, default=DEFAULT_RUNS_DIR, help="Runs directory. Default: %(default)s.")
    runs_delete.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
    runs_delete.set_defaults(handler=cmd_runs_delete)

    serve = commands.add_parser("serve", help="serve the app (trains the default run first if there is none)",
                                description="Serve the API and the pages. Trains the default teaching run "
                                            "first when the runs directory holds no valid run.")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on; 0.0.0.0 serves a classroom LAN (default: %(default)s)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                       help="worker processes, one per core up to 4 (default here: %(default)s)")
    serve.add_argument("--runs", type=Path, default=DEFAULT_RUNS_DIR)
    serve.add_argument("--tokenizers", type=Path, default=DEFAULT_TOKENIZERS_DIR)
    serve.set_defaults(handler=cmd_serve)
    return parser


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
