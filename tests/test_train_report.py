"""What `wordlab train` says before training, its help, --epochs, and prose sentences for wrapped books."""


import pytest

from backend.cli import build_parser, main
from tests.conftest import write_text
from trainer.config import DEFAULT_CORPUS, KINDS, resolve_corpus, settings_schema
from trainer.corpus import read_corpus

WRAPPED = ("The heron waited by the river. Mr. Grey watched the heron\nfrom the old bridge, and the river\n"
           "ran on!\n\n\"Where is the heron?\" asked the child.\nNobody answered the child.\n")


def test_wrapped_prose_is_joined_and_cut_at_sentence_ends(tmp_path):
    path = write_text(tmp_path / "wrapped.txt", WRAPPED)
    assert read_corpus(path, sentences="prose").sentences == [
        ["the", "heron", "waited", "by", "the", "river"],
        ["mr", "grey", "watched", "the", "heron", "from", "the", "old", "bridge", "and", "the", "river", "ran", "on"],
        ["where", "is", "the", "heron"], ["asked", "the", "child"], ["nobody", "answered", "the", "child"]]
    assert read_corpus(path).sentences == read_corpus(path, sentences="prose").sentences
    assert len(read_corpus(path, sentences="lines").sentences) == 5


def test_the_unpunctuated_teaching_corpus_stays_one_sentence_per_line():
    path = resolve_corpus(DEFAULT_CORPUS)
    corpus = read_corpus(path)
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(corpus.sentences) == len(lines) == 570
    assert corpus.sentences == [line.split() for line in lines]   # every word of every line: the same pairs
    assert corpus.summary.mode == "lines" and not corpus.summary.dropped_lines


def test_every_train_flag_has_a_sentence_of_help_with_its_default():
    parser = build_parser()
    for kind in KINDS:
        train = parser._subparsers._group_actions[0].choices["train"]._subparsers._group_actions[0].choices[kind]
        helps = {a.dest: a.help for a in train._actions}
        for knob in settings_schema(kind):
            assert len(helps[knob["name"]]) > 30, (kind, knob["name"])
            assert "(default:" in helps[knob["name"]] or knob["name"] == "corpus", (kind, knob["name"])


def test_the_report_counts_drops_warns_under_one_epoch_and_epochs_set_the_steps(tmp_path, capsys, tokenizers_with_default):
    corpus = write_text(tmp_path / "c.txt", "alpha beta gamma delta the of\nalpha beta gamma epsilon\n" * 20)
    out = tmp_path / "runs"
    args = ["train", "--corpus", str(corpus), "--out", str(out), "--tokenizers", str(tokenizers_with_default), "--quiet",
            "--min-count", "2", "--max-vocab", "3", "--dense-steps", "5", "--chunk-size", "10"]
    assert main([*args, "--name", "short", "--steps", "20"]) == 0
    printed = capsys.readouterr().out
    assert "corpus: 40 sentences, 200 words" in printed
    assert "dropped 40 stopwords" in printed and "past --max-vocab 3" in printed
    assert "warning:" in printed and "do not cover the pairs once" in printed
    assert main([*args, "--name", "two-epochs", "--epochs", "2"]) == 0
    printed = capsys.readouterr().out
    pairs = int(printed.split(" (center, context) pairs")[0].rsplit(None, 1)[-1].replace(",", ""))
    assert f"{2 * pairs:,} steps are 2.00 epochs" in printed and "warning" not in printed


@pytest.mark.parametrize("method", ["softmax", "sgns"])
def test_a_diverging_learning_rate_is_refused_in_one_line_and_writes_nothing(tmp_path, capsys, method):
    out = tmp_path / "runs"
    code = main(["train", "--lr", "5", "--method", method, "--name", "wild", "--out", str(out),
                 "--tokenizers", str(tmp_path / "tok"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "training diverged at step" in err and "--lr 5" in err
    assert "Traceback" not in err and "Warning" not in err
    assert not (out / "wild").exists() and not list(out.glob(".partial-*"))
