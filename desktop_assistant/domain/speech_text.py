"""Cut a streaming reply into sentences for text-to-speech, and turn Markdown into words worth reading aloud.

`SentenceSegmenter.feed` is called with each streamed delta and returns the sentences that delta completed, so
speech can start after the first sentence instead of after the whole reply. Rules, in short:

* CJK enders 。！？； (runs, plus closing quotes/brackets) end a sentence at once.
* ASCII . ! ? end a sentence only before whitespace (or a CJK character, or the end of the reply). A single "." is
  not an end after an abbreviation (Mr., e.g., vs., ...), an initial (J. R. R.), "No./Fig./p." before a digit, or
  when the next word starts lowercase (covers etc., a.m., U.S. and "... and then" ellipsis continuations).
* A blank line ends a sentence; so does the newline closing a list item, heading or table row, and a line that
  starts a block (list item, heading, table row, code fence) ends the sentence before it. A single newline
  inside prose is read as a space: lines wrapped mid-sentence stay one sentence.
* A sentence longer than `soft_limit` characters is cut at its last comma (，、,;：), else its last space, else
  where it is, so speech never waits long.
* A fenced code block is one unit: its opening line yields one short announcement ("Code block in Python." /
  "下面是一段 Python 代码。"), its content is dropped, nothing is split inside it.
* Nothing empty, whitespace-only or punctuation-only is ever returned; short sentences ("OK.") are.
"""

from __future__ import annotations

import re

__all__ = ["SentenceSegmenter", "code_announcement", "detect_language", "speakable"]

_CJK_ENDERS = "。！？；"
_ASCII_ENDERS = ".!?…"
_CLOSERS = "\"'”’」』）)】》]*_"
_SPACES = " \t\r"
_SOFT_CUTS = "，、；：,;:"  # ASCII ones only count before a space ("1,000" is not a pause)

# Never a sentence end, whatever follows.
_TITLES = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "v", "e.g", "i.e", "cf", "viz", "approx", "ca", "gen",
    "col", "capt", "lt", "sgt", "rev", "hon", "mt", "ft", "dept", "est",
})
# Not an end before a number: "No. 5", "Fig. 2", "p. 12" (but "No. That is wrong." is two sentences).
_NUMBERED = frozenset({"no", "nos", "fig", "figs", "vol", "eq", "eqs", "p", "pp", "ch", "sec", "art", "op", "ref"})

_BLOCK_KINDS = frozenset({"blank", "list", "heading", "table"})
_LIST_MARKER = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+")
# A line start that could still become a fence, list marker or heading once more text arrives.
_UNDECIDED_START = re.compile(r"[ \t]*(?:`{0,2}|~{0,2}|[-*+]|\d{1,9}[.)]?|#{1,6})")
_FENCE_OPEN = re.compile(r"[ \t]*(`{3,}|~{3,})(.*)")  # any indent: LLMs indent fences inside lists

_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_KANA_RE = re.compile(r"[\u3040-\u30ff]")
_LATIN_RE = re.compile(r"[A-Za-z]")

_LANGUAGE_NAMES = {
    "py": "Python", "python": "Python", "python3": "Python", "js": "JavaScript", "javascript": "JavaScript",
    "jsx": "JavaScript", "ts": "TypeScript", "typescript": "TypeScript", "tsx": "TypeScript", "sh": "shell",
    "bash": "shell", "shell": "shell", "zsh": "shell", "console": "shell", "ps1": "PowerShell",
    "powershell": "PowerShell", "c": "C", "cpp": "C++", "c++": "C++", "cc": "C++", "cs": "C#", "csharp": "C#",
    "go": "Go", "golang": "Go", "rs": "Rust", "rust": "Rust", "rb": "Ruby", "ruby": "Ruby", "java": "Java",
    "kt": "Kotlin", "kotlin": "Kotlin", "swift": "Swift", "php": "PHP", "sql": "SQL", "html": "HTML",
    "xml": "XML", "css": "CSS", "scss": "SCSS", "json": "JSON", "yaml": "YAML", "yml": "YAML", "toml": "TOML",
    "md": "Markdown", "markdown": "Markdown", "dockerfile": "Dockerfile", "makefile": "Makefile", "r": "R",
    "lua": "Lua", "perl": "Perl", "dart": "Dart", "scala": "Scala", "haskell": "Haskell", "ini": "INI",
    "diff": "diff", "latex": "LaTeX", "tex": "LaTeX",
}
_NO_LANGUAGE = frozenset({"", "text", "txt", "plain", "plaintext", "output", "none"})


def _is_cjk(ch: str) -> bool:
    return bool(_CJK_RE.match(ch))


def detect_language(text: str) -> str:
    """"zh", "ja" or "en": which language announcements should use for text like this.

    A CJK character carries about as much as four Latin letters, so Chinese prose sprinkled with English terms
    ("使用 Python 的 asyncio 库") still counts as Chinese.
    """
    return _pick_language(len(_CJK_RE.findall(text)), len(_LATIN_RE.findall(text)), bool(_KANA_RE.search(text)))


def _pick_language(cjk: int, latin: int, kana: bool) -> str:
    if cjk and cjk * 4 >= latin:
        return "ja" if kana else "zh"
    return "en"


def code_announcement(info: str, language: str = "en") -> str:
    """The one sentence spoken in place of a fenced code block whose info string is `info` ("python", "")."""
    word = info.strip().split()[0].lower() if info.strip() else ""
    word = word.removeprefix("{.").rstrip("}")  # pandoc-style "{.python}"
    name = "" if word in _NO_LANGUAGE else _LANGUAGE_NAMES.get(word, word if word.isalnum() else "")
    if name and name.islower() and name not in ("shell", "diff"):
        name = name.capitalize()
    if language == "zh":
        return f"下面是一段 {name} 代码。" if name else "下面是一段代码。"
    if language == "ja":
        return f"{name} のコードです。" if name else "コードです。"
    return f"Code block in {name}." if name else "Code block."


class SentenceSegmenter:
    """Turn a stream of text deltas into whole sentences as soon as each one is known to be complete.

    State carried between feeds: the unfinished sentence, how far into it the scan got, and what the current line
    is (prose, list item, code ...), so each feed only looks at new text (plus a few characters of lookahead
    around a possible sentence end). With `clean` (the default) sentences go through `speakable`; without it they
    come back as the Markdown source (code blocks are still replaced by their announcement).
    `language_hint` ("en", "zh", "ja") fixes the announcement language; otherwise it follows the text so far.
    """

    def __init__(self, *, language_hint: str | None = None, soft_limit: int = 250, clean: bool = True) -> None:
        self._hint = language_hint
        self._soft_limit = max(soft_limit, 20)
        self._clean = clean
        self._reset()

    def _reset(self) -> None:
        self._buf = ""  # unemitted text: the sentence in progress (or, in code, the current line)
        self._i = 0  # everything in _buf before this is decided: no sentence end there
        self._code = False
        self._fence = ""  # the opening fence run, e.g. "```"; a closing one must be as long
        self._need_classify = True  # _i sits at a line start whose kind is not known yet
        self._line_kind = "prose"
        self._in_code_span = False  # between backticks: `a. b` is not split
        self._cjk = 0
        self._latin = 0
        self._kana = False
        self._out: list[str] = []

    def feed(self, delta: str) -> list[str]:
        """Add streamed text; return the sentences it completed, in order."""
        if delta:
            self._buf += delta
            self._scan(final=False)
        out, self._out = self._out, []
        return out

    def flush(self) -> list[str]:
        """The reply ended: return whatever is left and get ready for another reply."""
        self._scan(final=True)
        if not self._code:
            self._emit(len(self._buf))
        out = self._out
        self._reset()
        return out

    # -- output --------------------------------------------------------------------------------------------------

    def _emit(self, k: int) -> None:
        text, self._buf = self._buf[:k], self._buf[k:]
        self._i = max(self._i - k, 0)
        self._cjk += len(_CJK_RE.findall(text))
        self._latin += len(_LATIN_RE.findall(text))
        self._kana = self._kana or bool(_KANA_RE.search(text))
        if self._clean:
            text = speakable(text)
        else:
            text = text.strip()
            if not any(ch.isalnum() for ch in text):
                text = ""
        if text:
            self._out.append(text)

    def _announce(self, info: str) -> None:
        language = self._hint or _pick_language(self._cjk, self._latin, self._kana)
        self._out.append(code_announcement(info, language))

    # -- scanning ------------------------------------------------------------------------------------------------

    def _scan(self, final: bool) -> None:
        while True:
            if self._code:
                if not self._scan_code(final):
                    return
                continue
            if self._need_classify and not self._classify(final):
                return
            if self._code:
                continue
            buf, i = self._buf, self._i
            if i >= len(buf):
                return
            if i >= self._soft_limit:
                self._soft_cut()
                continue
            ch = buf[i]
            if ch == "\n":
                self._in_code_span = False
                self._need_classify = True
                if self._line_kind in _BLOCK_KINDS:
                    self._emit(i)
                self._i += 1
                continue
            if ch == "`":
                self._in_code_span = not self._in_code_span
            elif self._in_code_span or self._line_kind == "table":
                pass  # table rows and inline code are read whole
            elif ch in _CJK_ENDERS:
                end = self._after_enders(i, final)
                if end is None:
                    return
                self._emit(end)
                continue
            elif ch in _ASCII_ENDERS:
                end = self._ascii_end(i, final)
                if end is None:
                    return
                if end > 0:
                    self._emit(end)
                    continue
                self._i = -end  # not a sentence end: resume after the run of enders
                continue
            self._i = i + 1

    def _after_enders(self, i: int, final: bool) -> int | None:
        """Index just past the run of enders and closers starting at i; None if the run may continue."""
        buf, n = self._buf, len(self._buf)
        j = i
        while j < n and (buf[j] in _CJK_ENDERS or buf[j] in _ASCII_ENDERS):
            j += 1
        while j < n and buf[j] in _CLOSERS:
            j += 1
        return j if j < n or final else None

    def _ascii_end(self, i: int, final: bool) -> int | None:
        """For an ASCII ender at i: a positive index to cut at, -index to resume scanning at, or None to wait."""
        buf, n = self._buf, len(self._buf)
        run_end = i
        while run_end < n and buf[run_end] in _ASCII_ENDERS:
            run_end += 1
        end = self._after_enders(i, final)
        if end is None:
            return None
        if end == n:  # final
            return end
        nxt = buf[end]
        if _is_cjk(nxt) or nxt in _CJK_ENDERS:
            # "Python.我也" ends, but the Chinese ellipsis "……" is a pause inside the sentence
            return -run_end if set(buf[i:run_end]) == {"…"} else end
        if not nxt.isspace():
            return -run_end  # 3.14, v1.2.3, e.g., file.txt, "...and"
        run = buf[i:run_end]
        if "!" in run or "?" in run:
            return end
        k = end
        while k < n and buf[k] in _SPACES:
            k += 1
        if k == n and not final:
            return None
        after = buf[k] if k < n else ""
        if after.islower():
            return -run_end  # lowercase next word: abbreviation (etc., a.m.) or ellipsis continuation
        if len(run) > 1 or run == "…":
            return end
        start = i
        while start > 0 and i - start < 16 and not buf[start - 1].isspace() and buf[start - 1] not in "([{\"'“‘*_":
            start -= 1
        token = buf[start:i]
        low = token.lower()
        if low in _TITLES or (low in _NUMBERED and after.isdigit()):
            return -run_end
        if len(token) == 1 and token.isupper():
            return -run_end  # an initial: J. R. R. Tolkien
        return end

    def _soft_cut(self) -> None:
        buf, i = self._buf, self._i
        floor = self._soft_limit // 3
        for k in range(i - 1, floor, -1):
            ch = buf[k]
            if ch in _SOFT_CUTS and (ord(ch) > 127 or (k + 1 < len(buf) and buf[k + 1].isspace())):
                self._emit(k + 1)
                return
        for k in range(i - 1, floor, -1):
            if buf[k].isspace():
                self._emit(k)
                return
        self._emit(i)

    def _classify(self, final: bool) -> bool:
        """Decide what the line starting at _i is; False if that needs more text."""
        buf, i = self._buf, self._i
        nl = buf.find("\n", i)
        complete = nl >= 0 or final
        line = buf[i:nl] if nl >= 0 else buf[i:]
        if not complete and _UNDECIDED_START.fullmatch(line):
            return False
        fence = _FENCE_OPEN.match(line)
        if fence and not (fence.group(1)[0] == "`" and "`" in fence.group(2)):
            if not complete:
                return False  # wait for the info string
            self._emit(i)
            self._announce(fence.group(2))
            self._buf = self._buf[len(line) + 1 :]
            self._i = 0
            self._code = True
            self._fence = fence.group(1)
            return True
        self._need_classify = False
        stripped = line.lstrip(" \t")
        if not stripped and complete:
            kind = "blank"
        elif stripped.startswith("|"):
            kind = "table"
        elif re.match(r"#{1,6}(?:[ \t]|$)", stripped):
            kind = "heading"
        elif marker := _LIST_MARKER.match(line):
            kind = "list"
        else:
            kind = "prose"
        self._line_kind = kind
        if kind != "prose":
            self._emit(i)  # a block starts: the sentence before it is over
        if kind == "list":
            self._i += marker.end()  # "1." is a marker, not a sentence end
        return True

    def _scan_code(self, final: bool) -> bool:
        """Drop code lines up to the closing fence; False if more text is needed."""
        while True:
            nl = self._buf.find("\n", self._i)
            if nl < 0:
                if final:
                    self._buf, self._i, self._code = "", 0, False
                else:
                    self._i = len(self._buf)
                return False
            line = self._buf[:nl]
            self._buf, self._i = self._buf[nl + 1 :], 0
            stripped = line.strip()
            if stripped.startswith(self._fence) and stripped.rstrip(self._fence[0]) == "":
                self._code = False
                self._need_classify = True
                self._line_kind = "prose"
                self._in_code_span = False
                return True


# -- Markdown to spoken words --------------------------------------------------------------------------------------

_FENCED_BLOCK = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})([^\n]*)\n?.*?(?:^[ \t]{0,3}\1[`~]*[ \t]*$|\Z)", re.M | re.S)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^>\s]+)>")
_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\"'）」]+")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_STRONG = re.compile(r"\*\*|__|~~")
_EM_OPEN = re.compile(r"(?<![\w*])[*_](?=[^\s*_])")
_EM_CLOSE = re.compile(r"(?<=[^\s*_])[*_](?![\w*])")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}(?:[ \t]+|$)(.*?)(?:[ \t]+#+)?[ \t]*$")
_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+")
_BULLET = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")
_RULE = re.compile(r"^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_TABLE_SEPARATOR = re.compile(r"^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$")


def _url_words(url: str) -> str:
    host = re.sub(r"^[a-z]+://", "", url).split("/")[0].split("?")[0].split("#")[0]
    return host.removeprefix("www.") or "link"


def _bare_url(match: re.Match[str]) -> str:
    url = match.group(0)
    core = url.rstrip(".,;:!?")  # "see https://x.org." keeps its full stop
    return _url_words(core) + url[len(core) :]


def _speak_line(line: str) -> str:
    line = _QUOTE.sub("", line)
    if _RULE.match(line) or _TABLE_SEPARATOR.match(line):
        return ""
    if line.lstrip().startswith("|"):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        return ", ".join(cell for cell in cells if cell)
    if heading := _HEADING.match(line):
        return heading.group(1)
    return _BULLET.sub("", line)


def speakable(text: str, language_hint: str | None = None) -> str:
    """What to say for a piece of Markdown: the words, without markup, URLs or code listings.

    Emphasis, heading hashes, list bullets/numbers and inline-code backticks go (the words stay); a link is read as
    its text, a bare URL as its host name, an image as its alt text; table rows as their cells joined by commas
    (separator rows vanish). A fenced code block becomes one announcement in `language_hint` or, without one, the
    language of the text. Returns "" when nothing worth saying is left.
    """
    if "```" in text or "~~~" in text:
        language = language_hint or detect_language(_FENCED_BLOCK.sub(" ", text))
        text = _FENCED_BLOCK.sub(lambda m: "\n" + code_announcement(m.group(2), language) + "\n", text)
    # Escapes and inline code are set aside so emphasis stripping leaves `__init__` and \*literal\* alone.
    kept: list[str] = []

    def keep(value: str) -> str:
        kept.append(value)
        return f"\x00{len(kept) - 1}\x00"

    text = _ESCAPE.sub(lambda m: keep(m.group(1)), text)
    text = _CODE_SPAN.sub(lambda m: keep(m.group(2).strip()), text)
    text = _IMAGE.sub(lambda m: m.group(1), text)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _REF_LINK.sub(lambda m: m.group(1), text)
    text = _AUTOLINK.sub(lambda m: _url_words(m.group(1)), text)
    text = _URL.sub(_bare_url, text)
    text = _HTML_TAG.sub(" ", text)
    text = " ".join(_speak_line(line) for line in text.splitlines())
    text = text.replace("`", "")
    text = _STRONG.sub("", text)
    text = _EM_OPEN.sub("", text)
    text = _EM_CLOSE.sub("", text)
    text = re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text)
    text = re.sub(r"\s+", " ", text).strip()
    return text if any(ch.isalnum() for ch in text) else ""
