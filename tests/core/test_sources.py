"""Location-aware loading: positions for JSON pointers, YAML 1.2-like scalars, one-line errors."""

import glob
from pathlib import Path

import pytest
import yaml

from permwise import sources
from permwise.errors import InputError
from permwise.sources import load_source, parse_text

POLICY = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:Bad"]}\n  ]\n}\n'


def test_json_pointer_positions():
    src = parse_text(POLICY, "p.json")
    assert src.locate("/Version") == (2, 14)
    assert src.locate("/Statement/0/Action/1") == (4, 52)
    # unknown pointers fall back to the nearest ancestor
    assert src.locate("/Statement/0/Nope") == src.locate("/Statement/0") == (4, 5)


def test_pointer_tokens_are_escaped():
    src = parse_text('{"a/b": {"c~d": 1}}', "x.json")
    assert src.locate("/a~1b/c~0d") == (1, 17)


def test_yaml_keeps_dates_and_yes_as_strings():
    src = parse_text("Version: 2012-10-17\nflag: yes\nreal: true\nStatement:\n  - Effect: Allow\n", "p.yaml")
    assert src.data == {"Version": "2012-10-17", "flag": "yes", "real": True, "Statement": [{"Effect": "Allow"}]}
    assert src.locate("/Statement/0/Effect") == (5, 13)


@pytest.mark.parametrize(
    ("text", "fragment", "line"),
    [
        ('{"a": 1,', "truncated", 1),
        ("", "empty", None),
        ("{\n  \"a\": 1,\n}", "trailing comma", 2),
    ],
)
def test_json_errors_name_the_position(text, fragment, line):
    with pytest.raises(InputError) as exc:
        parse_text(text, "bad.json")
    assert fragment in str(exc.value)
    assert exc.value.line == line


def test_yaml_error_names_line_and_column():
    with pytest.raises(InputError) as exc:
        parse_text("a: [1, 2\nb: 3\n", "bad.yaml")
    assert exc.value.file == "bad.yaml" and exc.value.line is not None
    assert "\n" not in str(exc.value)


def test_file_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_source(str(tmp_path / "missing.json"))
    with pytest.raises(InputError, match="directory"):
        load_source(str(tmp_path))
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf{}")
    with pytest.raises(InputError, match="byte order mark"):
        load_source(str(bom))
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2048)
    with pytest.raises(InputError, match="too large"):
        load_source(str(big), max_bytes=1024)
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"a": "\xe9"}')
    with pytest.raises(InputError, match="UTF-8") as exc:
        load_source(str(latin))
    assert (exc.value.line, exc.value.column) == (1, 8)


# --- the libyaml-backed reader (speed, issue 14) must read exactly as the pure-Python one -----




_BUNDLED = sorted(glob.glob(str(Path(sources.__file__).parent / "data" / "**" / "*.yaml"), recursive=True))


def _pure(text):
    loader = sources._GateLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    return sources._Loader("").construct_document(node)


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml: only the pure-Python reader")
@pytest.mark.parametrize("path", _BUNDLED, ids=lambda p: Path(p).name)
def test_libyaml_reader_reads_bundled_files_as_the_python_reader(path):
    text = Path(path).read_text()
    assert sources.parse_text(text, path, "yaml").data == _pure(text)


@pytest.mark.parametrize("text", [
    "k: yes\nv: 2012-10-17\nt: True\nf: false\nn: 1.5e3\ni: 12\nz: ~\nq: '007'\n",
    "- a\n- {b: [1, 2, {c: d}]}\n- |\n  multi\n  line\n",
    "key with spaces: \"quoted: value\"\n? complex\n: value\n",
])
def test_libyaml_reader_keeps_permwise_scalar_rules(text):
    # YAML 1.2-like scalars: no dates, only true/false booleans, as the pure-Python reader
    assert sources.parse_text(text, "x.yaml", "yaml").data == _pure(text)


@pytest.mark.parametrize("text,words", [
    ("a: &x [1]\nb: *x\n", "alias `*x`"),
    ("a:\n\t- 1\n", "indent with spaces"),
    ("a: [1, 2\n", "invalid YAML"),
    ("- " * 70 + "x\n", "nested more than 64 levels deep"),
])
def test_libyaml_reader_errors_are_worded_as_before(text, words):
    # an error on the fast path is re-read by the pure-Python reader, which words it (and its hint)
    with pytest.raises(InputError) as exc:
        sources.parse_text(text, "x.yaml", "yaml")
    assert words in str(exc.value)


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml: only the pure-Python reader")
@pytest.mark.parametrize("path", _BUNDLED[:4], ids=lambda p: Path(p).name)
def test_libyaml_reader_gives_the_same_positions_and_duplicates(path, monkeypatch):
    # line/column of every pointer (findings point at them) and duplicate keys, both readers
    text = Path(path).read_text() + "\nextra: 1\nextra: 2\n"
    fast = (sources._yaml_positions(text), sources.parse_text(text, path, "yaml", duplicates="keep").duplicates)
    monkeypatch.setattr(sources, "_FastGateLoader", None)
    pure = (sources._yaml_positions(text), sources.parse_text(text, path, "yaml", duplicates="keep").duplicates)
    assert fast == pure and fast[1]
