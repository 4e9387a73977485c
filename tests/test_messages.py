"""The message catalogue: English complete, languages fall back, no sentences left in code."""

from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

import pytest

from bot.messages import BUNDLED, Catalogue, CatalogueError, Message, say, speaking

ROOT = Path(__file__).resolve().parent.parent
BASELINE = Path(__file__).with_name("sentence_literals_baseline.json")
#: Three words of prose: what a person reads, as opposed to keys, SQL or identifiers.
SENTENCE = re.compile(r"[A-Za-z][a-z']+ [a-z']+ [a-z']+")
KEY = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+")
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical"}
#: Operator-facing text that is not said to staff or handlers: argparse help (the CLI's own
#: documentation, shown by --help) and log lines. Everything else a person reads is in the
#: catalogue.
CLI_KEYWORDS = {"help", "description", "metavar", "epilog"}
#: A literal handed straight to one of these is a regular-expression pattern: language data
#: the parsers match against, never shown to anyone, so it is not a sentence to move.
REGEX_FUNCTIONS = {"compile", "search", "match", "fullmatch", "sub", "split", "findall",
                   "finditer"}


def _enum_values(tree: ast.AST) -> set[int]:
    """The literal values of enum members: identifiers stored and compared (a status, an
    audit step name), which must stay the same whatever language Probity speaks."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(
                (base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
                 ).endswith("Enum") for base in node.bases):
            found |= {id(item.value) for item in node.body
                      if isinstance(item, ast.Assign) and isinstance(item.value, ast.Constant)}
    return found


def test_bundled_english_loads_and_fills_fields():
    catalogue = Catalogue.load(BUNDLED)
    assert "en" in catalogue.locales
    assert "went wrong" in catalogue.text("common.apology")


def test_a_second_language_is_a_folder_and_falls_back_to_english(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "demo.yaml").write_text(
        "greet: 'Hello {name}'\nbye: 'Goodbye'\n", encoding="utf-8")
    (tmp_path / "cy").mkdir()
    (tmp_path / "cy" / "demo.yaml").write_text("greet: 'Shwmae {name}'\n", encoding="utf-8")
    catalogue = Catalogue.load(tmp_path)
    assert catalogue.text("demo.greet", "cy", name="Lucy") == "Shwmae Lucy"
    assert catalogue.text("demo.bye", "cy") == "Goodbye"  # not yet translated: English
    assert catalogue.text("demo.greet", name="Lucy") == "Hello Lucy"


def test_a_translation_with_a_field_english_lacks_is_refused_at_load(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "demo.yaml").write_text("greet: 'Hello {name}'\n", encoding="utf-8")
    (tmp_path / "cy").mkdir()
    (tmp_path / "cy" / "demo.yaml").write_text("greet: 'Shwmae {enw}'\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="enw"):
        Catalogue.load(tmp_path)


def test_a_message_not_a_string_names_the_file(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "demo.yaml").write_text("greet: [1, 2]\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="demo.yaml"):
        Catalogue.load(tmp_path)


def test_a_catalogue_error_whose_wording_is_unreadable_still_names_the_problem():
    # The catalogue's own errors cannot rely on a working catalogue: without their wording
    # they fall back to the key and the fields, which still say what and where.
    error = CatalogueError("catalogue.no_such_wording", path="messages/en/demo.yaml")
    assert "catalogue.no_such_wording" in str(error) and "demo.yaml" in str(error)
    assert "not valid YAML" in str(CatalogueError("catalogue.not_yaml", path="x.yaml",
                                                  error="ScannerError"))


def test_the_current_language_is_per_context():
    with speaking("en"):
        assert say("common.apology") == Catalogue.load(BUNDLED).text("common.apology")
    assert str(Message("common.apology", {})) == say("common.apology")


def test_a_second_languages_word_lists_are_used_when_present_list_by_list(tmp_path):
    # Welsh is a folder: messages/cy/words/parsing.yaml brings its own "yes" list, with no
    # code change; a list it does not give ("no") is English's, and English stays English.
    from bot.messages import catalogue, install
    from bot.workflows.parsing.answers import parse_yes_no

    shutil.copytree(BUNDLED / "en", tmp_path / "en")
    (tmp_path / "cy" / "words").mkdir(parents=True)
    (tmp_path / "cy" / "words" / "parsing.yaml").write_text('"yes": ["ie", "do"]\n',
                                                           encoding="utf-8")
    (tmp_path / "cy" / "demo.yaml").write_text("greet: 'Shwmae'\n", encoding="utf-8")
    before = catalogue()
    install(Catalogue.load(tmp_path))
    try:
        with speaking("cy"):
            assert parse_yes_no("ie").value is True
            assert parse_yes_no("no").value is False
        assert not parse_yes_no("ie").ok
        assert parse_yes_no("yes").value is True
        install(Catalogue.load(tmp_path, default_locale="cy"))  # PROBITY_LOCALE=cy
        assert parse_yes_no("ie").value is True
    finally:
        install(before)


def test_the_receipt_warning_shows_the_receipt():
    # The one moment a reporter sees their receipt: the wording may change, the receipt may
    # not go missing from it.
    assert "1234" in say("reporting_chat.receipt_shown", receipt="1234")


def test_a_translation_that_drops_a_field_is_refused_at_load(tmp_path):
    # A Welsh receipt warning without {receipt} would file a report and never show its
    # receipt: a translation says everything English fills in.
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "demo.yaml").write_text("shown: 'Your receipt: {receipt}'\n",
                                               encoding="utf-8")
    (tmp_path / "cy").mkdir()
    (tmp_path / "cy" / "demo.yaml").write_text("shown: 'Eich derbynneb'\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="receipt"):
        Catalogue.load(tmp_path)


def _python_files():
    return sorted(p for p in (ROOT / "bot").rglob("*.py") if "migrations" not in p.parts)


def _keys_used(tree: ast.AST):
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                and ((isinstance(node.func, ast.Name) and node.func.id in {"say", "Message"})
                     or (isinstance(node.func, ast.Attribute) and node.func.attr == "say"))
                and KEY.fullmatch(node.args[0].value)):
            yield node.args[0].value


def test_every_key_the_code_says_is_in_the_english_catalogue():
    english = Catalogue.load(BUNDLED).keys("en")
    missing = []
    for path in _python_files():
        for key in _keys_used(ast.parse(path.read_text(encoding="utf-8"))):
            if key not in english:
                missing.append(f"{path.relative_to(ROOT)}: {key}")
    assert not missing, "keys missing from messages/en/: " + ", ".join(missing)


def sentence_literals(path: Path) -> list[str]:
    """Prose string literals in `path` outside docstrings, log calls, argparse help, regular
    expressions and enum members' values."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    identifiers = _enum_values(tree)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    parents = {id(child): node for node in ast.walk(tree)
               for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if id(node) in docstrings or id(node) in identifiers or not SENTENCE.search(node.value):
            continue
        parent = parents.get(id(node))
        while isinstance(parent, (ast.JoinedStr, ast.BinOp, ast.FormattedValue)):
            parent = parents.get(id(parent))
        if (isinstance(parent, ast.Call) and isinstance(parent.func, ast.Attribute)
                and parent.func.attr in LOG_METHODS):
            continue
        if isinstance(parent, ast.keyword) and parent.arg in CLI_KEYWORDS:
            continue
        if (isinstance(parent, ast.Call) and isinstance(parent.func, ast.Attribute)
                and isinstance(parent.func.value, ast.Name) and parent.func.value.id == "re"
                and parent.func.attr in REGEX_FUNCTIONS and parent.args
                and parent.args[0] is node):
            continue
        found.append(node.value)
    return found


def current_counts() -> dict[str, int]:
    counts = {}
    for path in _python_files():
        count = len(sentence_literals(path))
        if count:
            counts[str(path.relative_to(ROOT))] = count
    return counts


def test_no_module_gains_sentences_outside_the_catalogue():
    # A ratchet while wording moves into messages/: a module may only lose prose literals.
    # When the baseline is empty, this is the plain rule "no sentence in Python".
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    grown = {module: (count, baseline.get(module, 0))
             for module, count in current_counts().items() if count > baseline.get(module, 0)}
    assert not grown, ("sentences in Python (now, allowed); move them to messages/: "
                       + ", ".join(f"{m} {c}>{b}" for m, (c, b) in sorted(grown.items())))


if __name__ == "__main__":  # python tests/test_messages.py rewrites the baseline downwards
    old = json.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.exists() else {}
    new = {m: min(c, old.get(m, c)) for m, c in current_counts().items()}
    BASELINE.write_text(json.dumps(new, indent=1, sort_keys=True) + "\n", encoding="utf-8")
