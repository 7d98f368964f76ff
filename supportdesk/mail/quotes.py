"""The part of an e-mail body that its sender wrote: quoted history and signatures removed.

Pure: no Django, no database. `visible_text` works on a plain-text body, `visible_html` on an
HTML body; both read the message as lines and decide with the same rules, so a reply looks
the same whichever part is shown. The full original stays stored; this only picks what is
shown first.

Rules, in order:

1. Hard cuts: the first of these, outside quoted lines, ends the visible text there:
   - a separator line: "-----Original Message-----", "---------- Forwarded message ----------",
     "Begin forwarded message:" and their translations (German, French, Spanish, Dutch,
     Swedish, Norwegian, Danish, Polish, Portuguese, Italian, Russian, Japanese, Chinese...).
     The phrase counts only when decorated by dashes or followed by a colon, because
     "Original message" alone is an ordinary sentence.
   - a header block: a line "From:" (or "Von:", "De :", "Från:", "差出人:"...) with at least two
     more of Sent/Date, To, Cc, Subject within the next lines, as Outlook, AOL, Yahoo and
     Apple Mail write above a quoted or forwarded message; a rule line above it goes too.
   - a mailing-list footer (a line of underscores, then "... mailing list").
   - a signature: a line "-- " (RFC 3676), or "--" followed by at most 10 lines.
   - an attribution ("On <date>, <who> wrote:", "Am ... schrieb ...:", "Le ... a écrit :",
     "El ... escribió:", "Op ... schreef ...:", "Den ... skrev ...:", "W dniu ... napisał(a):",
     "Em ... escreveu:", "Il ... ha scritto:", "... написал:", "...写道：", Gmail's
     "<date> <who> <address>:"...), possibly wrapped over three lines, that is *not* followed
     by quoted lines: what follows is history that its client did not mark (Gmail Inbox,
     Yahoo). A "strong" attribution is needed for that: it names an address, or starts like
     one ("On", "Am", "Le", a digit...) and holds a date or time; Gmail's form without a
     verb needs a year and a time. A weaker one ("Ann wrote:") only goes with a quote.
2. Quoted lines start with ">" (at most three spaces before), or sit in a <blockquote> or a
   client's quote container in HTML. ">" directly followed by a digit or "=" is a comparison
   (">5 errors", ">= 10"), not a quote marker. One unquoted line between two quoted lines is
   a quoted line that a client wrapped without its marker.
3. A block of quoted lines is history, and dropped with the attribution just above it, when
   it is introduced by an attribution, comes from a client's quote container, has no new
   text after it (top posting), or none before it (bottom posting). A quoted block *between*
   the sender's own lines with no attribution above it is kept: such a line is more often the
   sender's own ("> npm install", a line they point at) than history, and keeping one stray
   line costs less than losing what they wrote.
4. Inline replies: when two or more quoted blocks are each answered by new text, the quoted
   blocks are the questions being answered and are kept (only the trailing one goes), so an
   agent reads the answers in context.
5. A mobile footer that ends the visible text goes: "Sent from my iPhone", "Get Outlook for
   iOS", "Von meinem iPhone gesendet", "Envoyé de mon iPhone", "iPhoneから送信"... A sentence
   that only starts like one ("Sent from my desk, because...") stays.
6. Never empty: when nothing would be left (a message that is only a quote or a forward), the
   input is returned with only its trailing whitespace removed.

HTML: the same rules run on the lines of the rendered document (block elements and <br>
break lines), and removal happens on the tree, so formatting survives. Client markers are
used when present, that is on HTML not yet sanitised (nh3 drops classes and ids): Gmail's
div.gmail_quote, Apple Mail's and Thunderbird's blockquote[type=cite], Thunderbird's
moz-cite-prefix and moz-forward-container, Yahoo's yahoo_quoted are quote containers;
Outlook's divRplyFwdMsg, appendonsend and border-top "From:" block, Hotmail's
hr#stopSpelling, Zimbra's hr#zwchr and Outlook for Mac's OLK_SRC_BODY_SECTION cut everything
from there; gmail_signature and moz-signature are signatures. Without markers, the text
rules above find the same places. The input is parsed with the standard library's
html.parser; the output is re-serialised with every text and attribute escaped, so it is as
safe as the input: pass sanitised HTML, or sanitise the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MAX_MARKER_LINE = 400  # longer lines are never markers: keeps every regex cheap

_QUOTED = re.compile(r"^[ \t]{0,3}>(?![\d=])")
_SPACES = re.compile(r"\s+")
_RULE = re.compile(r"^[-_=*─—]{4,}$")
_LIST_FOOTER = re.compile(r"^_{10,}$")

_SEPARATOR_PHRASES = (
    r"original message|forwarded message|begin forwarded message|forwarded by\b.{0,80}"
    r"|ursprüngliche nachricht|weitergeleitete nachricht|anfang der weitergeleiteten nachricht"
    r"|message d'origine|message original|message transféré"
    r"|début du message (?:réexpédié|transféré)"
    r"|mensaje original|mensaje reenviado|inicio del mensaje reenviado"
    r"|oorspronkelijk bericht|origineel bericht|doorgestuurd bericht|begin doorgestuurd bericht"
    r"|ursprungligt meddelande|vidarebefordrat (?:meddelande|brev)"
    r"|opprinnelig melding|videresendt (?:melding|meddelelse|besked)|oprindelig meddelelse"
    r"|wiadomość oryginalna|oryginalna wiadomość|wiadomość przekazana dalej|przekazana wiadomość"
    r"|mensagem original|mensagem encaminhada|início da mensagem (?:reencaminhada|encaminhada)"
    r"|messaggio originale|messaggio inoltrato|inizio messaggio inoltrato"
    r"|исходное сообщение|пересылаемое сообщение|пересланное сообщение"
    r"|元のメッセージ|転送されたメッセージ|原始邮件|原始郵件|原始消息|转发的邮件|轉寄的郵件|转发邮件"
    r"|alkuperäinen viesti|eredeti üzenet|původní zpráva|orijinal mesaj"
)
_SEPARATOR = re.compile(
    r"^(?P<pre>[-_=*\s]*)(?:" + _SEPARATOR_PHRASES + r")(?P<post>[-_=*:：\s]*)$", re.I
)

_LABELS = {
    "from": "from von de van från fra od da от|от кого|差出人|发件人|發件人|寄件者|lähettäjä"
    "|feladó|kimden|보낸 사람|expéditeur|remitente|afzender|avsändare|nadawca|remetente|mittente",
    "date": "sent date gesendet datum envoyé|envoyé le|enviado|enviada em|enviado el|fecha"
    "|verzonden|skickat|sendt|dato|wysłano|wysłane|data|inviato|отправлено|дата|送信日時|日付"
    "|发送时间|發送時間|寄件日期|时间|日期|lähetetty|päivämäärä|elküldve|dátum|gönderildi|tarih"
    "|보낸 날짜|날짜",
    "to": "to an à a para aan till til do кому|宛先|收件人|收件者|vastaanottaja|címzett|kime"
    "|받는 사람|destinataire",
    "cc": "cc kopie copie kopia копия|抄送|副本|kopio|másolat|참조",
    "subject": "subject betreff objet asunto onderwerp ämne emne temat assunto oggetto тема"
    "|件名|主题|主題|主旨|aihe|tárgy|konu|제목",
}
_LABEL_OF = {
    label: key for key, words in _LABELS.items() for label in re.split(r"[ |]", words) if label
}
_LABEL_NAMES = "|".join(re.escape(w) for w in sorted(_LABEL_OF, key=len, reverse=True))
_LABEL = re.compile(r"^\s*\*{0,2}\s*(" + _LABEL_NAMES + r")\s*\*{0,2}\s*[:：]", re.I)

_VERB = (
    r"(?:\b(?:wrote|writes|schrieb|a\s+[ée]crit|escribi[óo]|escreveu|schreef|skrev|pisze"
    r"|napisa[łl](?:\(a\)|a)?|napsal(?:\(a\)|a)?|ha\s+scritto|scrisse|kirjoitti|yazdı|írta"
    r"|έγραψε|כתב|пишет|написал(?:\(а\)|а)?)(?!\w)|写道|寫道|작성|のメール)"
)
_ATTRIBUTION = re.compile(_VERB + r"[^:：]{0,120}[:：]\s*$", re.I)
# Gmail in Japanese, Russian and others: "<date> <who> <address>:" with no verb.
_ADDRESS_COLON = re.compile(r"@[^\s<>]+>?\)?\s*[:：]\s*$")
_LEAD = re.compile(
    r"^[-*\s]*(?:\d|on\b|am\b|le\b|el\b|op\b|den\b|w dniu\b|em\b|il\b|dne\b|в\b|在)", re.I
)
_DATE_OR_TIME = re.compile(r"\d{1,2}[:.]\d{2}|\d{4}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_TIME = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?!\d)")
_SENTENCE_END = re.compile(r"[.!?;]\s*$")

_FOOTER = re.compile(
    r"^(?:"
    r"(?:sent|gesendet|envoy[ée]|enviado|verzonden|skickat|sendt|wysłane|inviato|отправлено)"
    r"\s+(?:from|with|via|using|von|de|depuis|desde|do|vanaf|met|van|från|fra|z|da|с|из)\s"
    r"[^,;:!?<>()\[\]]{1,60}"
    r"|von\s+meinem\s+[^,;:!?]{1,40}\s+gesendet"
    r"|get\s+outlook\s+for\s+\w+"
    r"|.{1,30}から送信"
    r"|(?:发自|發自|来自|來自|從)我的\s*[^,，。]{1,30}"
    r")\s*(?:<[^>]*>|\([^)]*\)|\[[^\]]*\])?\s*\.?$",
    re.I,
)

_BLANK, _TEXT, _QUOTE, _ATTR = range(4)


@dataclass(eq=False)
class _Text:
    data: str
    parent: _El | None = None


@dataclass(eq=False)
class _El:
    tag: str
    attrs: list[tuple[str, str | None]] = field(default_factory=list)
    children: list[_Text | _El] = field(default_factory=list)
    parent: _El | None = None

    def attr(self, name: str) -> str:
        return next((v or "" for k, v in self.attrs if k == name), "")


@dataclass(eq=False)
class _Line:
    """One rendered line; the HTML fields say where it lives in the tree."""

    text: str = ""
    certain: bool = False  # inside a client's quote container
    container: _El | None = None  # outermost blockquote or quote container holding it
    anchor: tuple[_Text | _El, int] | None = None  # where the line starts
    segments: list[tuple[_Text, int, int]] = field(default_factory=list)
    breaker: _El | None = None  # the <br> that ended it
    media: bool = False


# --- the rules, shared by text and HTML ---------------------------------------------------


def _norm(text: str) -> str:
    return text.replace("\u200b", "").replace("\ufeff", "").strip()


def _kinds(lines: list[_Line]) -> list[int]:
    kinds = []
    for line in lines:
        if line.container is not None or _QUOTED.match(line.text):
            kinds.append(_QUOTE)
        elif not _norm(line.text) and not line.media:
            kinds.append(_BLANK)
        else:
            kinds.append(_TEXT)
    for i in range(1, len(lines) - 1):  # a wrapped quoted line lost its marker
        if kinds[i] == _TEXT and kinds[i - 1] == _QUOTE == kinds[i + 1]:
            if lines[i - 1].container is None and lines[i + 1].container is None:
                kinds[i] = _QUOTE
    return kinds


def _is_separator(text: str) -> bool:
    match = _SEPARATOR.match(text) if len(text) <= _MAX_MARKER_LINE else None
    if not match:
        return False
    pre, post = match.group("pre"), match.group("post")
    return len(pre.strip()) >= 2 or ":" in post or "：" in post or len(post.strip()) >= 2


def _header_block(texts: list[str], kinds: list[int], i: int) -> bool:
    seen: set[str] = set()
    for j in range(i, min(i + 9, len(texts))):
        if kinds[j] != _TEXT or len(texts[j]) > _MAX_MARKER_LINE:
            break
        match = _LABEL.match(texts[j])
        if match:
            seen.add(_LABEL_OF[match.group(1).lower()])
        elif j == i:
            return False
    return "from" in seen and len(seen) >= 3


def _signature(texts: list[str], kinds: list[int], raw: str, i: int) -> bool:
    if raw.rstrip("\r\n") == "-- ":
        return True
    if texts[i] != "--":
        return False
    after = 0
    for j in range(i + 1, len(kinds)):
        if kinds[j] == _QUOTE or after > 10:
            break
        after += kinds[j] == _TEXT
    return after <= 10


def _attribution(texts: list[str], kinds: list[int], i: int) -> tuple[int, bool]:
    """(lines it spans, strong) of an attribution starting at line i; (0, False) if none."""
    joined = ""
    wraps = bool(_LEAD.match(texts[i]) or "@" in texts[i])  # may continue on the next lines
    for j in range(i, min(i + 3, len(texts))):
        if kinds[j] != _TEXT or len(texts[j]) > _MAX_MARKER_LINE or (j > i and not wraps):
            return 0, False
        joined = f"{joined} {texts[j]}".strip()
        if joined.endswith((":", "：")):
            if _ATTRIBUTION.search(joined):
                strong = "@" in joined or bool(_LEAD.match(joined) and _DATE_OR_TIME.search(joined))
                return j - i + 1, strong
            if _ADDRESS_COLON.search(joined) and re.search(r"\d", joined):
                # Gmail's verbless form: strong only with a year and a time in it.
                return j - i + 1, bool(_YEAR.search(joined) and _TIME.search(joined))
        if _SENTENCE_END.search(texts[j]):  # a wrapped attribution has no sentence end inside
            return 0, False
    return 0, False


def _cut(lines: list[_Line], texts: list[str], kinds: list[int]) -> int:
    """Index of the first hard cut (rule 1); marks attributions before quotes as _ATTR."""
    i = 0
    while i < len(lines):
        if kinds[i] != _TEXT:
            i += 1
            continue
        text = texts[i]
        if _is_separator(text) or _signature(texts, kinds, lines[i].text, i):
            return i
        if _LIST_FOOTER.match(text) and any("mailing list" in t.lower() for t in texts[i : i + 4]):
            return i
        if _header_block(texts, kinds, i):
            above = i - 1
            while above >= 0 and kinds[above] == _BLANK:
                above -= 1
            return above if above >= 0 and _RULE.match(texts[above]) else i
        span, strong = _attribution(texts, kinds, i)
        if span:
            after = next((j for j in range(i + span, len(kinds)) if kinds[j] != _BLANK), None)
            if after is not None and kinds[after] == _QUOTE:
                kinds[i : i + span] = [_ATTR] * span
            elif strong:
                return i
            i += span
            continue
        i += 1
    return len(lines)


def _blocks(kinds: list[int], end: int) -> list[tuple[int, int, int]]:
    """Runs of one kind over the non-blank lines: (kind, first, last)."""
    blocks: list[tuple[int, int, int]] = []
    for i in range(end):
        if kinds[i] == _BLANK:
            continue
        if blocks and blocks[-1][0] == kinds[i]:
            blocks[-1] = (kinds[i], blocks[-1][1], i)
        else:
            blocks.append((kinds[i], i, i))
    return blocks


def _plan(lines: list[_Line]) -> list[bool]:
    """Which lines stay visible (rules 1 to 5)."""
    texts = [_norm(line.text) for line in lines]
    kinds = _kinds(lines)
    end = _cut(lines, texts, kinds)
    keep = [i < end for i in range(len(lines))]
    blocks = _blocks(kinds, end)
    answered = [
        b for n, b in enumerate(blocks[:-1]) if b[0] == _QUOTE and blocks[n + 1][0] == _TEXT
    ]
    inline = len(answered) >= 2
    own = [n for n, b in enumerate(blocks) if b[0] == _TEXT] or [-1]
    for n, (kind, first, last) in enumerate(blocks):
        before, after = own[0] in range(n), own[-1] > n
        if kind == _ATTR:
            drop = True
        elif kind != _QUOTE:
            drop = False
        elif inline:
            drop = not after
        else:
            introduced = n > 0 and blocks[n - 1][0] == _ATTR
            certain = any(line.certain for line in lines[first : last + 1])
            drop = introduced or certain or not before or not after
        if drop:
            keep[first : last + 1] = [False] * (last - first + 1)
    _drop_footers(texts, kinds, keep)
    return keep


def _drop_footers(texts: list[str], kinds: list[int], keep: list[bool]) -> None:
    for i in reversed(range(len(texts))):
        if not keep[i] or kinds[i] == _BLANK:
            continue
        if kinds[i] != _TEXT or len(texts[i]) > 200 or not _FOOTER.match(texts[i]):
            return
        keep[i] = False


# --- plain text ----------------------------------------------------------------------------


def visible_text(text: str) -> str:
    """The new text of a plain-text body (see the module docstring for the rules)."""
    if not text or not text.strip():
        return text.rstrip() if text else ""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    keep = _plan([_Line(text=line) for line in raw])
    out: list[str] = []
    gap = False  # blank or removed lines in a row become one blank line
    for line, kept in zip(raw, keep, strict=True):
        line = line.rstrip()
        if not kept or not line.strip():
            gap = True
            continue
        if gap and out:
            out.append("")
        gap = False
        out.append(line)
    result = "\n".join(out)
    return result if result.strip() else text.rstrip()
