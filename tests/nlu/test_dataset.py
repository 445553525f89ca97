from __future__ import annotations

from pathlib import Path

import pytest

from batondesk.nlu import DatasetError, load_dataset
from batondesk.nlu.dataset import Dataset, save_dataset


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_csv_with_label_or_category_column(tmp_path: Path) -> None:
    a = load_dataset(write(tmp_path, "a.csv", 'text,label\n"hello, there",greet\nbye,leave\n'))
    b = load_dataset(write(tmp_path, "b.csv", "text,category\nhello,greet\n"))
    assert a.texts == ["hello, there", "bye"] and a.labels == ["greet", "leave"]
    assert b.labels == ["greet"]


def test_jsonl(tmp_path: Path) -> None:
    data = load_dataset(
        write(
            tmp_path,
            "d.jsonl",
            '{"text": "hi", "intent": "greet"}\n\n{"text": "bye", "intent": "leave"}\n',
        )
    )
    assert data.texts == ["hi", "bye"] and data.labels == ["greet", "leave"]


def test_rasa_yaml_strips_entity_annotations(tmp_path: Path) -> None:
    content = (
        'version: "3.1"\nnlu:\n- intent: transfer\n  examples: |\n'
        "    - send [50 euros](amount) to mum\n    - transfer money\n"
        "- synonym: mum\n  examples: |\n    - mom\n"
        "- intent: greet\n  examples: |\n    - hello\n"
    )
    data = load_dataset(write(tmp_path, "nlu.yml", content))
    assert data.texts == ["send 50 euros to mum", "transfer money", "hello"]
    assert data.labels == ["transfer", "transfer", "greet"]


def test_fingerprint_identifies_the_data(tmp_path: Path) -> None:
    a = load_dataset(write(tmp_path, "a.csv", "text,label\nhi,greet\n"))
    b = load_dataset(write(tmp_path, "b.csv", "text,label\nhi,other\n"))
    assert a.fingerprint() != b.fingerprint() and len(a.fingerprint()) == 64


def test_oos_label_is_split_out(tmp_path: Path) -> None:
    data = load_dataset(write(tmp_path, "a.csv", "text,label\nhi,greet\nweather?,oos\n"))
    in_scope, oos = data.split_out_of_scope()
    assert in_scope.texts == ["hi"] and oos == ["weather?"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", "words,label\nhi,greet\n", r"a\.csv, line 1: header must name a 'text' column"),
        ("a.csv", "text,label\nhi,greet\n,greet\n", r"a\.csv, line 3: empty text"),
        ("a.csv", "text,label\nhi,greet,extra\n", r"a\.csv, line 2: expected 2 columns"),
        ("a.csv", "", r"a\.csv: empty file"),
        ("a.csv", "text,label\n", r"a\.csv: no examples found"),
        (
            "d.jsonl",
            '{"text": "hi", "intent": "greet"}\n{"text": "hi"\n',
            r"d\.jsonl, line 2: invalid JSON",
        ),
        (
            "d.jsonl",
            '{"text": "hi"}\n',
            r"d\.jsonl, line 1: needs string fields 'text' and 'intent'",
        ),
        (
            "n.yml",
            "nlu:\n- intent: greet\n  examples: [hi]\n",
            r"n\.yml: nlu entry 1 .*examples: \|",
        ),
        ("n.yml", "rules: []\n", r"n\.yml: a Rasa NLU file needs a top-level 'nlu:' list"),
        ("n.yml", "nlu:\n- intent: greet\n  examples: |\n    hi\n", r"must start with '- '"),
        ("n.yml", "nlu: [\n", r"n\.yml, line \d+: invalid YAML"),
        ("a.xlsx", "x", r"unknown format '\.xlsx'"),
    ],
)
def test_bad_files_give_clear_errors(tmp_path: Path, name: str, content: str, message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        load_dataset(write(tmp_path, name, content))


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no such file"):
        load_dataset(tmp_path / "missing.csv")
    path = tmp_path / "latin.csv"
    path.write_bytes("text,label\ncaf\xe9,x\n".encode("latin-1"))
    with pytest.raises(DatasetError, match="not UTF-8"):
        load_dataset(path)


def test_each_example_knows_its_line(tmp_path: Path) -> None:
    csv_data = load_dataset(
        write(tmp_path, "a.csv", 'text,label\nhi,greet\n"two\nlines",greet\n\nbye,leave\n')
    )
    jsonl_data = load_dataset(
        write(
            tmp_path,
            "d.jsonl",
            '{"text": "hi", "intent": "greet"}\n\n{"text": "bye", "intent": "x"}\n',
        )
    )
    yaml_data = load_dataset(
        write(
            tmp_path,
            "nlu.yml",
            'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hello\n\n    - hi\n'
            "- intent: leave\n  examples: |\n    - bye\n",
        )
    )
    assert csv_data.lines == [2, 3, 6]
    assert jsonl_data.lines == [1, 3]
    assert yaml_data.lines == [5, 7, 10] and yaml_data.line_of(2) == 10


@pytest.mark.parametrize("name", ["out.csv", "out.tsv", "out.jsonl", "out.yml"])
def test_saved_dataset_reads_back_the_same(tmp_path: Path, name: str) -> None:
    original = Dataset(
        ['hello, "you"', "bye: now", "- not a list item", "ça va ?"],
        ["greet", "leave", "x", "greet"],
    )
    again = load_dataset(save_dataset(original, tmp_path / name))
    if name != "out.yml":  # Rasa files group examples by intent
        assert again.texts == original.texts and again.labels == original.labels
    assert sorted(zip(again.texts, again.labels, strict=True)) == sorted(
        zip(original.texts, original.labels, strict=True)
    )
