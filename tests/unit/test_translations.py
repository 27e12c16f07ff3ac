"""The zh_CN translation: complete, up to date with the code, compiled into the .qm, and picked by locale.

When a test here fails after you added or changed a UI string: run scripts/update-translations.sh, translate the
new messages in desktop_assistant/resources/translations/desktop_assistant_zh_CN.ts (fill <translation>, drop
type="unfinished"), run the script again to rebuild the .qm, and commit both files.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from desktop_assistant.ui import i18n

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "desktop_assistant"
TS = i18n.TRANSLATIONS_DIR / "desktop_assistant_zh_CN.ts"
QM = i18n.TRANSLATIONS_DIR / "desktop_assistant_zh_CN.qm"
FIX_HINT = "run scripts/update-translations.sh, translate the new messages in the .ts, run it again, commit .ts + .qm"

PLACEHOLDER = re.compile(r"%(?:\d+|L?n)")
MNEMONIC = re.compile(r"&(?!&)\S")  # "&C" marks an accelerator; "&&" is a literal ampersand


@dataclass(frozen=True)
class Message:
    context: str
    source: str
    comment: str
    numerus: bool
    unfinished: bool
    translations: tuple[str, ...]  # one per numerus form, else one
    where: str

    @property
    def key(self) -> tuple[str, str, str]:
        return self.context, self.source, self.comment

    def __str__(self) -> str:
        return f"[{self.context}] {self.source!r} ({self.where})"


def read_ts(path: Path) -> list[Message]:
    messages = []
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None, f"{path}: a message in {name} has no <translation>"
            numerus = message.get("numerus") == "yes"
            if numerus:
                texts = tuple(form.text or "" for form in translation.iter("numerusform"))
            else:
                texts = (translation.text or "",)
            location = message.find("location")
            where = f"{location.get('filename')}:{location.get('line')}" if location is not None else "?"
            messages.append(Message(
                context=name,
                source=message.findtext("source") or "",
                comment=message.findtext("comment") or "",
                numerus=numerus,
                unfinished=translation.get("type") in ("unfinished", "obsolete", "vanished"),
                translations=texts,
                where=where,
            ))
    return messages


@pytest.fixture(scope="module")
def committed() -> list[Message]:
    assert TS.is_file(), f"{TS} is missing: {FIX_HINT}"
    return read_ts(TS)


def find_tool(name: str) -> str:
    """The PySide6 tool installed beside this interpreter (the project's venv), else on PATH."""
    for candidate in (Path(sys.executable).parent / name, shutil.which(name)):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    pytest.fail(f"{name} not found: it ships with PySide6 (pip install -e '.[test]')")


# --- (a) the .ts itself ------------------------------------------------------------------------------------
def test_ts_is_for_zh_cn(committed):
    root = ET.parse(TS).getroot()
    assert root.get("language") == "zh_CN"
    assert len(committed) > 50  # sanity: the scan found the UI


def test_every_message_is_translated(committed):
    problems = [f"unfinished: {m}" for m in committed if m.unfinished]
    problems += [f"empty: {m}" for m in committed if not m.translations or not all(t.strip() for t in m.translations)]
    # Chinese has a single plural form: one <numerusform>.
    problems += [f"needs exactly one <numerusform>: {m}" for m in committed if m.numerus and len(m.translations) != 1]
    assert not problems, f"{len(problems)} message(s) not translated ({FIX_HINT}):\n" + "\n".join(problems)


def test_placeholders_survive_translation(committed):
    problems = []
    for m in committed:
        wanted = sorted(PLACEHOLDER.findall(m.source))
        for text in m.translations:
            if sorted(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"{m}: placeholders {wanted} but translation {text!r}")
        if m.numerus and "%n" not in m.source and "%Ln" not in m.source:  # %Ln: the number in locale format
            problems.append(f"{m}: a plural message without %n")
    assert not problems, "\n".join(problems)


def test_line_breaks_and_typed_escapes_survive_translation(committed):
    """A hint telling the user to type a literal \\n keeps it as typed text; a translation breaks its line only
    where the English does (an editor once turned the shown "\\n" into a line break)."""
    problems = []
    for m in committed:
        for text in m.translations:
            if text.count("\\n") != m.source.count("\\n"):
                problems.append(f"{m}: the typed \\n changed in {text!r}")
            if text.count("\n") != m.source.count("\n"):
                problems.append(f"{m}: line breaks changed in {text!r}")
    assert not problems, "\n".join(problems)


def test_accelerators_survive_translation(committed):
    """A menu label with "&X" keeps one accelerator in Chinese, as "对话(&C)"; "&&" is a literal "&"."""
    problems = []
    for m in committed:
        wanted = len(MNEMONIC.findall(m.source))
        for text in m.translations:
            found = MNEMONIC.findall(text)
            if len(found) != wanted:
                problems.append(f"{m}: {wanted} accelerator(s) in the source, {text!r} has {len(found)}")
            elif wanted and found[0][1].upper() != MNEMONIC.findall(m.source)[0][1].upper():
                problems.append(f"{m}: accelerator {found[0]!r} differs from the source's")
    assert not problems, "\n".join(problems)


def test_chinese_sentences_use_full_width_punctuation(committed):
    """No ASCII comma, colon, semicolon, question or exclamation mark right after a Chinese character."""
    bad = re.compile(r"[\u4e00-\u9fff][,:;?!]")
    problems = [f"{m}: {t!r}" for m in committed for t in m.translations if bad.search(t)]
    assert not problems, "\n".join(problems)


# --- (b) the .ts is up to date with the code ---------------------------------------------------------------
def test_ts_has_every_string_in_the_code(committed, tmp_path):
    fresh = tmp_path / "fresh_zh_CN.ts"
    sources = sorted(str(p) for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
    result = subprocess.run([find_tool("pyside6-lupdate"), "-silent", "-no-obsolete", *sources, "-ts", str(fresh)],
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    in_code = read_ts(fresh)
    assert len(in_code) > 50, "lupdate found almost nothing: " + result.stdout + result.stderr
    known = {m.key for m in committed}

    def place(m: Message) -> str:  # lupdate writes paths relative to the .ts: show them relative to the repo
        filename, _, line = m.where.rpartition(":")
        path = (fresh.parent / filename).resolve()
        return f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{line}"

    missing = [f"[{m.context}] {m.source!r} ({place(m)})" for m in in_code if m.key not in known]
    assert not missing, (f"{len(missing)} UI string(s) in the code are not in {TS.name} ({FIX_HINT}):\n"
                         + "\n".join(missing))
    # A message whose kind changed (tr(text) <-> tr(text, "", n)) needs a new translation too.
    committed_numerus = {m.key: m.numerus for m in committed}
    changed = [f"[{m.context}] {m.source!r} ({place(m)})" for m in in_code if committed_numerus[m.key] != m.numerus]
    assert not changed, "plural and non-plural use changed:\n" + "\n".join(changed)


def _literal_string(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def parse_source(path: Path) -> ast.Module:
    """ast.parse, once more on a spurious SystemError ("AST constructor recursion depth mismatch", CPython
    gh-106905): Python 3.11.7 shares that count between threads, and its tracebacks parse source lines to place
    their carets, so a traceback formatted meanwhile on a leftover thread of an earlier test can trip it (seen
    once in CI)."""
    source = path.read_text(encoding="utf-8")
    try:
        return ast.parse(source, filename=str(path))
    except SystemError:
        return ast.parse(source, filename=str(path))


def test_every_translated_string_is_visible_to_lupdate():
    """lupdate only extracts literals passed straight to tr(text) / translate(context, text).

    A helper such as `def _t(text): return QCoreApplication.translate("Errors", text)` compiles and runs, but
    its strings never reach the .ts, so they stay English and the test above cannot notice. Write the
    literal context and text at each call instead.
    """
    hidden = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = parse_source(path)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name == "tr":
                literals = node.args[:1]
            elif name == "translate" and len(node.args) >= 2:  # not str.translate(table)
                literals = node.args[:2]
            else:
                continue
            if not literals or not all(_literal_string(arg) for arg in literals):
                call = ast.get_source_segment(path.read_text(encoding="utf-8"), node) or name
                hidden.append(f"{path.relative_to(ROOT)}:{node.lineno}: {call.splitlines()[0]}")
    assert not hidden, ("lupdate cannot extract these calls (non-literal context or text); pass string literals "
                        "directly, e.g. QCoreApplication.translate(\"Errors\", \"No API key\"):\n" + "\n".join(hidden))


# --- (c) the compiled .qm ----------------------------------------------------------------------------------
@pytest.fixture
def zh_app(qapp):
    translators = i18n.install(qapp, "zh_CN")
    assert translators, f"could not load {QM}"
    yield qapp
    for translator in translators:
        qapp.removeTranslator(translator)


def test_known_strings_translate(zh_app):
    translate = QCoreApplication.translate
    assert translate("EmptyState", "What can I help with?") == "有什么可以帮你的？"
    assert translate("MainWindow", "&Chat") == "对话(&C)"
    assert translate("ConversationList", "New chat") == "新建对话"
    assert translate("AssistantMessageWidget", "Regenerate") == "重新生成"
    assert translate("AssistantMessageWidget", "%n tokens", "", 1234) == "1234 个 token"
    assert translate("ConversationList", "Delete “%1” and all its messages? This cannot be undone.").replace(
        "%1", "周报") == "要删除“周报”及其全部消息吗？此操作无法撤销。"
    assert translate("Errors", "No API key") == "缺少 API 密钥"
    # Qt's own strings (standard buttons) come from the qtbase translator that install() adds.
    assert translate("QPlatformTheme", "Cancel") == "取消"


def test_qm_matches_ts(committed):
    """The committed .qm was rebuilt after the last .ts edit."""
    translator = QTranslator()
    assert translator.load(str(QM)), f"cannot load {QM}"
    stale = []
    for m in committed:
        # QTranslator returns the form as stored ("%n" and all); QCoreApplication.translate fills in %n.
        got = translator.translate(m.context, m.source, m.comment or None, 2 if m.numerus else -1)
        want = m.translations[0]
        if got != want:
            stale.append(f"{m}: .qm has {got!r}, .ts has {want!r}")
    assert not stale, f"{QM.name} is out of date ({FIX_HINT}):\n" + "\n".join(stale)


# --- (d) choosing the language -----------------------------------------------------------------------------
@pytest.mark.parametrize(("locale", "expected"), [
    ("zh_CN", "zh_CN"),
    ("zh-Hans", "zh_CN"),
    ("zh_SG", "zh_CN"),
    ("zh_TW", "en"),  # Traditional Chinese: we ship no zh_TW, and Simplified is the wrong script
    ("zh-Hant", "en"),
    ("zh_HK", "en"),
    ("zh_MO", "en"),
    ("en_US", "en"),
    ("en_GB", "en"),
    ("de", "en"),
    ("ja_JP", "en"),
])
def test_pick_language_from_locale(locale, expected):
    assert i18n.pick_language("", QLocale(locale)) == expected


def test_pick_language_setting_wins():
    assert i18n.pick_language("zh_CN", QLocale("en_US")) == "zh_CN"
    assert i18n.pick_language("en", QLocale("zh_CN")) == "en"
    assert i18n.pick_language("xx", QLocale("zh_CN")) == "zh_CN"  # unknown setting: fall back to the locale
