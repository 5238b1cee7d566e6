"""`wordlab`: the one command-line entry point (train, tokenizer, serve).

Heavy imports (torch, the server) happen inside the subcommand that needs them, so
`wordlab --help` and `wordlab serve` stay fast.
"""

import argparse
import dataclasses
import sys
from pathlib import Path

from trainer.config import DEFAULT_RUNS_DIR, TrainConfig
from trainer.errors import WordlabError

DEFAULT_RUN_NAME = "default"


def add_config_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per TrainConfig field, so the dataclass stays the single source of settings."""
    for field in dataclasses.fields(TrainConfig):
        flag = "--" + field.name.replace("_", "-")
        if field.type in (bool, "bool"):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=field.default,
                                help=f"(default: {field.default})")
        else:
            kind = {"int": int, "float": float, "str": str}.get(field.type, field.type)
            parser.add_argument(flag, type=kind, default=field.default, metavar=field.name.upper(),
                                help=f"(default: {field.default})")


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    return TrainConfig(**{f.name: getattr(args, f.name) for f in dataclasses.fields(TrainConfig)})


def cmd_train(args: argparse.Namespace) -> None:
    from trainer.teaching_run import train_run

    summary = train_run(config_from_args(args), args.name, args.out, encoding=args.encoding,
                        resume_from=args.resume, progress=not args.quiet)
    print(f"wrote {summary.run_dir}: {summary.total_bytes / 1e6:.2f} MB; "
          f"training {summary.train_seconds:.2f} s, writing {summary.write_seconds:.2f} s")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wordlab", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train and record a skip-gram run",
                                description="Train a full-softmax skip-gram model and record every step's "
                                            "state into data/runs/NAME.")
    add_config_flags(train)
    train.add_argument("--name", default=DEFAULT_RUN_NAME, help="run name (default: %(default)s)")
    train.add_argument("--out", type=Path, default=DEFAULT_RUNS_DIR, help="runs directory (default: %(default)s)")
    train.add_argument("--encoding", help="corpus encoding (default: UTF-8, falling back to Windows-1252)")
    train.add_argument("--resume", type=Path, metavar="RUN_DIR",
                       help="continue this run up to --steps total steps")
    train.add_argument("--quiet", action="store_true", help="no progress bars")
    train.set_defaults(handler=cmd_train)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
