"""What a student may set when training from the page: each knob's range (the server's limits) and its
help sentence, read from the trainer's own config fields so the CLI's --help and the page say the same.

`settings_schema(kind)` is the ONE adapter onto the trainer's config (trainer/config.py's settings_schema, which
the CLI's flags and --help are built from too): the page narrows each range to the server's limits."""

from trainer.config import TeachingConfig
from trainer.config import settings_schema as trainer_settings

KINDS = ("teaching", "corpus")
TEACHING_METHODS = ("softmax", "sgns")
# The server's limits for runs started from the browser (a class shares one machine): narrower than the CLI's.
LIMITS = {
    "teaching": {"dim": (2, 50), "window": (1, 10), "negative": (2, 20), "steps": (100, 50_000),
                 "lr": (0.001, 5.0), "min_count": (1, 10), "max_vocab": (20, 2000)},
    "corpus": {"dim": (2, 300), "window": (1, 10), "negative": (2, 20), "epochs": (1, 50),
               "lr": (0.001, 1.0), "min_count": (1, 50), "max_vocab": (100, 50_000)},
}
INTEGER_KNOBS = frozenset({"dim", "window", "negative", "steps", "epochs", "min_count", "max_vocab"})


def settings_schema(kind: str) -> list[dict]:
    """Each knob of this kind of run: name, default, lowest, highest, integer or not, and the CLI's help sentence."""
    trainer = {setting["name"]: setting for setting in trainer_settings(kind)}
    knobs = []
    for name, (low, high) in LIMITS[kind].items():
        default = trainer[name]["default"]
        if kind == "corpus" and name == "epochs" and default is None:
            default = 5  # the page asks for a number; the CLI's "auto" picks more for a small book
        if kind == "corpus" and name == "max_vocab" and default is None:
            default = 10_000
        knobs.append({"name": name, "default": default, "min": low, "max": high,
                      "integer": name in INTEGER_KNOBS, "help": trainer[name]["help"]})
    return knobs


def knob_problems(kind: str, knobs: dict) -> list[str]:
    """Every knob that is unknown or out of its range, each as a sentence: all of them, not the first."""
    if kind not in KINDS:
        return [f"kind must be one of {', '.join(KINDS)} (got {str(kind)[:40]!r})"]
    limits = LIMITS[kind]
    problems = [f"{str(name)[:40]}: not a knob of a {kind} run" for name in knobs if name not in limits]
    for name, value in knobs.items():
        if name not in limits:
            continue
        low, high = limits[name]
        integer = name in INTEGER_KNOBS
        if isinstance(value, bool) or not isinstance(value, int | float) or (integer and not float(value).is_integer()):
            problems.append(f"{name}: must be {'an integer' if integer else 'a number'} (got {str(value)[:40]!r})")
        elif not low <= value <= high:
            problems.append(f"{name}: must be from {low} to {high} (got {value})")
    return problems


def with_defaults(kind: str, knobs: dict) -> dict:
    """The knobs a run will get: the student's, and the schema's default for each one not given."""
    chosen = {k["name"]: knobs.get(k["name"], k["default"]) for k in settings_schema(kind)}
    return {name: int(value) if name in INTEGER_KNOBS and value is not None else value
            for name, value in chosen.items()}  # 3.0 is 3: the trainer counts with integers


def teaching_cost(knobs: dict) -> dict:
    """Steps and an upper bound on the size on disk of a teaching run: each recorded step holds W and W'
    (V × d float32 each, V at most max_vocab), as trainer/recorder.py writes them."""
    config = TeachingConfig(**{k: knobs[k] for k in ("steps", "dim", "window", "min_count", "max_vocab", "lr",
                                                 "negative")})
    recorded = len(config.recorded_steps())
    return {"steps": config.steps, "recorded_steps": recorded,
            "max_bytes": recorded * 2 * config.max_vocab * config.dim * 4}
