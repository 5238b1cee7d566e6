"""The reference tokenizers students meet: GPT-2's r50k_base, GPT-4's cl100k_base, GPT-4o's o200k_base.

Their rank files are OpenAI's, as the npm package `tiktoken` (MIT, github.com/dqbd/tiktoken) ships them in
`encoders/NAME.json`; `make setup` fetches that package with npm and `install_references` writes each as
the standard `NAME.tiktoken` file (base64 token, space, rank, a line each) into data/reference_tokenizers/,
checked against the SHA-256 that tiktoken itself expects of OpenAI's file. Nothing is downloaded when the
app runs: a missing file means the tokenizer is not offered, and the page says how to install it.
"""

import base64
import hashlib
import tarfile
from dataclasses import dataclass
from pathlib import Path

import orjson

from trainer.bpe.bytelevel import ByteLevelBPE
from trainer.config import PROJECT_ROOT
from trainer.errors import Broken, NotFound, WordlabError

REFERENCE_DIR = PROJECT_ROOT / "data" / "reference_tokenizers"
REFERENCE_DIR_ENV = "WORDLAB_REFERENCE_DIR"   # another directory for them (the server reads it at start)
NPM_PACKAGE = "tiktoken@1.0.22"
MAX_ENCODER_BYTES = 8 << 20   # o200k_base.json is 2.3 MB


@dataclass(frozen=True)
class Reference:
    name: str
    label: str
    sha256: str          # of OpenAI's NAME.tiktoken, as tiktoken checks it
    ranks: int           # tokens in that file (ids 0 to ranks - 1; special tokens are not shown here)
    pattern: str         # the pre-tokenizer, as tiktoken's package ships it
    pattern_note: str    # how its pieces differ from ours (trainer/bpe/pretokenize.py)


REFERENCES = {r.name: r for r in (
    Reference(
        "r50k_base", "GPT-2 (r50k_base)", "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930", 50256,
        r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""",
        "GPT-2's pieces are ours, but a run of spaces before a word leaves its last space to the word "
        "(\"   x\" is \"  \" + \" x\"), and no piece holds an underscore run of its own."),
    Reference(
        "cl100k_base", "GPT-4 (cl100k_base)",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7", 100256,
        r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|"""
        r"""\s+(?!\S)|\s+""",
        "GPT-4 cuts numbers into groups of at most three digits, lets one punctuation mark start a word "
        "(\"(word\", \".com\"), keeps a line's newlines with the punctuation before them, and reads "
        "contractions in any case (\"'S\")."),
    Reference(
        "o200k_base", "GPT-4o (o200k_base)", "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d", 199998,
        "|".join([
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""\p{N}{1,3}""", r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""", r"""\s*[\r\n]+""", r"""\s+(?!\S)""", r"""\s+""",
        ]),
        "GPT-4o also cuts a word where capitals start (\"CamelCase\" is \"Camel\" + \"Case\"), keeps a "
        "contraction on its word (\"don't\" is one piece), counts combining marks as letters, and groups "
        "digits by three as GPT-4 does."),
)}


def tiktoken_path(name: str, directory: Path = REFERENCE_DIR) -> Path:
    return Path(directory) / f"{name}.tiktoken"


def parse_tiktoken(data: bytes, name: str) -> dict[bytes, int]:
    """A .tiktoken file's ranks; the file must be OpenAI's to the byte (its SHA-256 is checked)."""
    if hashlib.sha256(data).hexdigest() != REFERENCES[name].sha256:
        raise Broken(f"{name}.tiktoken is not OpenAI's {name} rank file (its SHA-256 differs); "
                     f"reinstall it with `make references`")
    ranks = {}
    for line in data.splitlines():
        token, rank = line.split(b" ")
        ranks[base64.b64decode(token)] = int(rank)
    return ranks


def load_reference(name: str, directory: Path = REFERENCE_DIR) -> ByteLevelBPE:
    """The reference tokenizer `name`, from its rank file alone (no network): NotFound when not installed."""
    if name not in REFERENCES:
        raise NotFound(f"no reference tokenizer named {name!r}; there are {', '.join(REFERENCES)}")
    path = tiktoken_path(name, directory)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"the {name} rank file is not installed; run `make references`") from None
    reference = REFERENCES[name]
    return ByteLevelBPE(name, parse_tiktoken(data, name), reference.pattern,
                        {"corpus": f"OpenAI's {reference.label} ranks (no training text published)",
                         "label": reference.label, "pattern_note": reference.pattern_note})


def installed(directory: Path = REFERENCE_DIR) -> list[str]:
    return [name for name in REFERENCES if tiktoken_path(name, directory).is_file()]


def tiktoken_text(encoder_json: bytes) -> bytes:
    """The package's compressed ranks ("! OFFSET TOKEN TOKEN ...", base64 tokens with consecutive ranks)
    as the standard .tiktoken file."""
    ranks = []
    for line in orjson.loads(encoder_json)["bpe_ranks"].split("\n"):
        if line:
            _, offset, *tokens = line.split(" ")
            ranks += [(int(offset) + i, token) for i, token in enumerate(tokens)]
    return "".join(f"{token} {rank}\n" for rank, token in sorted(ranks)).encode("ascii")


def install_references(tarball: Path, directory: Path = REFERENCE_DIR) -> list[Path]:
    """Writes the three rank files from the npm package's tarball, each checked against OpenAI's hash."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    with tarfile.open(tarball, "r:gz") as archive:
        for name in REFERENCES:
            member = archive.getmember(f"package/encoders/{name}.json")
            if not member.isfile() or member.size > MAX_ENCODER_BYTES:
                raise WordlabError(f"{tarball}: encoders/{name}.json is not a rank file")
            data = tiktoken_text(archive.extractfile(member).read())
            parse_tiktoken(data, name)  # refuses anything but OpenAI's file
            target = tiktoken_path(name, directory)
            partial = target.with_suffix(".partial")
            partial.write_bytes(data)
            partial.replace(target)
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> None:
    """`python -m trainer.bpe.gpt_tokenizers TARBALL [DIR]`: what `make references` runs after `npm pack`."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    for path in install_references(Path(args[0]), Path(args[1]) if len(args) > 1 else REFERENCE_DIR):
        print(f"wrote {path} ({path.stat().st_size:,} bytes, SHA-256 checked)")


if __name__ == "__main__":
    main()

