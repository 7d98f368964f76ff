"""Quoted history and signatures leave the visible body: real messages from
../shared/data/email (expected bodies written by reading each message) and one case per rule.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supportdesk.lib.html import html_to_text, sanitize_html
from supportdesk.mail.parse import parse
from supportdesk.mail.quotes import visible_text
from supportdesk.mail.quotes_html import visible_html

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "email"
FOLDERS = (
    "talon/fixtures",
    "quotequail/files",
    "github_email_reply_parser/emails",
    "zapier_email_reply_parser/emails",
    "cpython_test_email/data",
)
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"no fixture mail at {DATA}")


def _files() -> list[Path]:
    found = [p for folder in FOLDERS for p in sorted((DATA / folder).rglob("*")) if p.is_file()]
    return [p for p in found if p.name not in ("LICENSE", "PROVENANCE.txt", "README.rst")]


def _is_mime(path: Path) -> bool:
    return path.suffix == ".eml" or "cpython_test_email" in path.parts


def _text_of(rel: str) -> str:
    path = DATA / rel
    if _is_mime(path):
        return parse(path.read_bytes()).text
    return path.read_text(encoding="utf-8", errors="replace")


def _html_of(rel: str, sanitise: bool = True) -> str:
    path = DATA / rel
    if _is_mime(path):
        return parse(path.read_bytes()).html  # parse() sanitises already
    raw = path.read_text(encoding="utf-8", errors="replace")
    return sanitize_html(raw) if sanitise else raw


TALON = "talon/fixtures/standard_replies/"
GH = "github_email_reply_parser/emails/"
ZAP = "zapier_email_reply_parser/emails/"
RIAK_ANSWER_END = 'the keys in a bucket, you’ll need to delete them all individually."'

# (relative path, the visible text a person reads in that message)
TEXT_FIXTURES = [
    (TALON + "android.eml", "Hello"),  # Android, Russian "... пользователь ... написал:"
    (TALON + "aol.eml", "Hello"),  # "-----Original Message-----"
    (TALON + "apple_mail.eml", "Hello"),
    (TALON + "apple_mail_2.eml", "Hello"),  # the attribution itself is quoted
    (TALON + "comcast.eml", "Hello"),  # Zimbra "----- Original Message -----"
    (TALON + "gmail.eml", "Hello"),
    (TALON + "hotmail.eml", "Hello"),  # quoted header block
    (TALON + "iphone.eml", "Hello"),  # "Sent from my iPhone" and a wrapped "wr=\note:"
    (TALON + "outlook.eml", "Hello"),  # Outlook From/Sent/To/Subject, nothing quoted
    (TALON + "sparrow.eml", "Hello"),  # "-- " signature before the attribution
    (TALON + "thunderbird.eml", "Hello"),  # bottom posting
    (TALON + "yahoo.eml", "Hello"),
    (TALON + "iphone_reply_text", "Hello"),
    (TALON + "sparrow_reply_text", "Hello"),
    (GH + "correct_sig.txt", "this is an email with a correct -- signature."),
    (GH + "email_1_3.txt", "Oh thanks.\n\nHaving the function would be great.\n\n-Abhishek Kona"),
    (GH + "email_1_4.txt", "Awesome! I haven't had another problem with it."),
    (GH + "email_1_6.txt", "I get proper rendering as well."),  # attribution over 3 lines
    (GH + "email_1_7.txt", ":+1:"),  # CRLF, "<addr>wrote:" glued
    (GH + "email_2_1.txt", "Outlook with a reply"),  # "*From:*" in bold
    (GH + "email_2_2.txt", "Outlook with a reply directly above line"),
    (GH + "email_2_3.txt", "Outlook with a reply directly above line"),
    (GH + "email_BlackBerry.txt", "Here is another email"),
    (GH + "email_iPhone.txt", "Here is another email"),
    (GH + "email_multi_word_sent_from_my_mobile_device.txt", "Here is another email"),
    (
        GH + "email_sent_from_my_not_signature.txt",
        "Here is another email\n\nSent from my desk, is much easier then my mobile phone.",
    ),
    (
        GH + "email_sig_delimiter_in_middle_of_line.txt",
        "Hi there!\n\nStuff happened.\n\nAnd here is a fix -- this is not a signature.\n\nkthxbai",
    ),
    (
        GH + "email_one_is_not_on.txt",
        "Thank, this is really helpful.\n\nOne outstanding question I had:\n\n"
        "Locally (on development), when I run...",
    ),
    (
        GH + "email_bullets.txt",
        "test 2 this should list second\n\nand have spaces\n\nand retain this formatting\n\n"
        "   - how about bullets\n   - and another",
    ),
    (
        GH + "pathological.txt",
        "I think you're onto something. I will try to fix the problem as soon as I\n"
        "get back to a computer.",
    ),
    (ZAP + "email_2_3.txt", "Outlook with a reply above headers using unusual format"),
    (ZAP + "email_gmail.txt", "This is a test for inbox replying to a github message."),
    (ZAP + "email_headers_no_delimiter.txt", "And another reply!"),
]


@needs_data
@pytest.mark.parametrize(("rel", "expected"), TEXT_FIXTURES, ids=[r for r, _ in TEXT_FIXTURES])
def test_visible_text_of_real_replies(rel: str, expected: str) -> None:
    assert visible_text(_text_of(rel)) == expected


# (relative path, how it starts, how it ends, a phrase of the history that must be gone)
TEXT_FIXTURES_LONG = [
    (GH + "email_1_1.txt", "Hi folks", "-Abhishek Kona", "mailing list"),
    (GH + "email_1_2.txt", "Hi,\n\nYou can list the keys", RIAK_ANSWER_END, "> Hi folks"),
    (GH + "email_1_5.txt", "One: Here's what I've got.", "for a while.", "\n\n\n"),
    (GH + "greedy_on.txt", "On your remote host", "the tunnel is not working.", "Plymale"),
    (ZAP + "email_partial_quote_header.txt", "On your remote host", "not working.", "odd issue"),
    (GH + "email_long_quote.txt", "Hi folks", "-Abhishek Kona", "riak-users mailing list"),
    (
        "talon/fixtures/reply-quotations-share-block.eml",
        "Hi Katharine.",
        "Joe XXX",
        "New Booking Inquiry",
    ),
]


@needs_data
@pytest.mark.parametrize(
    ("rel", "start", "end", "gone"), TEXT_FIXTURES_LONG, ids=[r[0] for r in TEXT_FIXTURES_LONG]
)
def test_visible_text_of_longer_real_replies(rel: str, start: str, end: str, gone: str) -> None:
    visible = visible_text(_text_of(rel))
    assert visible.startswith(start) and visible.endswith(end)
    assert gone not in visible


@needs_data
def test_an_inline_reply_keeps_the_questions_it_answers() -> None:
    visible = visible_text(_text_of(GH + "email_1_8.txt"))
    assert visible.startswith("> okay.  Well, here's some stuff I can write.")
    assert "I will reply under this one\n\n>\n> okay?\n>\n\nand under this." in visible
    assert visible.endswith("and under this.")  # the trailing quote and the signature go
    assert "On Tue, Apr 29" not in visible and "Tim Haines" not in visible


QQ = "quotequail/files/"
HR = "talon/fixtures/html_replies/"
FINE = "Hi. I am fine.\n\nThanks,\nAlex"
FINE_SPACED = "Hi. I am fine.\n\nThanks,\n\nAlex"

# (relative path, visible HTML rendered as text); each runs sanitised (as stored) and raw
HTML_FIXTURES = [
    (QQ + "apple_forward.html", "test\n\nblah"),  # "Begin forwarded message:" in a cite
    (QQ + "apple_reply.html", "Foo\n\nBar"),
    (QQ + "gmail_forward.html", "test\n\nblah"),
    (QQ + "gmail_reply.html", "foo\n\nbar"),  # gmail_quote and gmail_signature
    (QQ + "ios_mail_reply_unescaped_address.html", "Sounds good, I'll be there at 2."),
    (QQ + "mailru_forward_unwrapped.html", "Дорогой Петр,\nЭто тест!"),  # "--" signature
    (QQ + "outlook_forward.html", "Original message\nMore text"),  # border-top From: block
    (QQ + "outlook_forward_unwrapped.html", "Hi Foo,\n\nHow are you doing?\n\nJohn"),
    (QQ + "outlook_forward_unwrapped_top.html", "Original message\nMore text"),
    (
        QQ + "yahoo_reply_unescaped_address.html",
        "Thanks Jane, that looks great. One question on item 2 - can we ship it before "
        "Friday?\n\nDan",
    ),
    (HR + "gmail.html", FINE),
    (HR + "hotmail.html", FINE),  # hr#stopSpelling, then Date/Subject/From/To
    (HR + "mail_ru.html", "Hi. I am fine.\nThanks,\nAlex"),  # "<date> от <who> <addr>:"
    (HR + "ms_outlook_2003.html", FINE_SPACED),  # <hr> then a From: paragraph
    (HR + "ms_outlook_2007.html", FINE),
    (HR + "ms_outlook_2010.html", FINE_SPACED),  # "From: ... On Behalf Of ..."
    (HR + "thunderbird.html", FINE_SPACED),  # moz-cite-prefix + blockquote[type=cite]
    (HR + "windows_mail.html", FINE),  # Russian От:/Отправлено:/Кому:
    (HR + "yandex_ru.html", FINE),  # "26.06.2014, 14:41, "Alexander L" <addr>:"
    ("talon/fixtures/OLK_SRC_BODY_SECTION.html", "Reply"),
    ("talon/fixtures/reply-separated-by-hr.html", "Hi\n\nthere\n\nBob"),
    (TALON + "android.eml", "Hello"),
    (TALON + "aol.eml", "Hello"),
    (TALON + "comcast.eml", "Hello"),  # Zimbra hr#zwchr
    (TALON + "gmail.eml", "Hello"),
    (TALON + "hotmail.eml", "Hello"),  # "&gt; " lines in HTML
    (TALON + "outlook.eml", "Allo! Follow up MIME!"),
    (TALON + "sparrow.eml", "Hello"),
]


@needs_data
@pytest.mark.parametrize("sanitise", [True, False], ids=["sanitised", "raw"])
@pytest.mark.parametrize(("rel", "expected"), HTML_FIXTURES, ids=[r for r, _ in HTML_FIXTURES])
def test_visible_html_of_real_replies(rel: str, expected: str, sanitise: bool) -> None:
    assert html_to_text(visible_html(_html_of(rel, sanitise))) == expected


@needs_data
def test_visible_html_keeps_the_formatting_of_what_stays() -> None:
    assert visible_html(_html_of(QQ + "gmail_reply.html")) == (
        "<div>foo<div><br></div><div>bar</div></div>"
    )
    assert visible_html(_html_of(HR + "yandex_ru.html")) == (
        "<p>Hi. I am fine.<br><br>Thanks,<br>Alex</p>"
    )


@needs_data
@pytest.mark.parametrize(
    "rel",
    [QQ + "mailru_forward.html", QQ + "thunderbird_forward.html"],
    ids=["mailru_forward", "thunderbird_forward"],
)
def test_a_bare_forward_is_shown_whole(rel: str) -> None:
    for markup in (_html_of(rel), _html_of(rel, sanitise=False)):
        assert visible_html(markup) == markup.rstrip()


@needs_data
def test_every_fixture_runs_through() -> None:
    files = _files()
    assert len(files) >= 150, "the fixture folders are incomplete"
    for path in files:
        if _is_mime(path):
            parsed = parse(path.read_bytes())
            texts, htmls = [parsed.text], [parsed.html]
        else:
            content = path.read_text(encoding="utf-8", errors="replace")
            texts, htmls = (
                [content],
                ([content, sanitize_html(content)] if "html" in path.name else []),
            )
        for text in texts:
            assert visible_text(text).strip() or not text.strip(), path
        for markup in htmls:
            assert html_to_text(visible_html(markup)) or not html_to_text(markup), path


# --- one case per rule (plain text) ------------------------------------------------------

ATTRIBUTIONS = [
    "On Tue, Mar 12, 2024 at 10:00 AM Ann Lee <ann@example.com> wrote:",
    "Am Di., 12. März 2024 um 10:00 Uhr schrieb Hans Müller <hans@example.de>:",
    "Le mar. 12 mars 2024 à 10:00, Jean Dupont <jean@example.fr> a écrit :",
    "El mar, 12 mar 2024 a las 10:00, Juan Pérez (<juan@example.es>) escribió:",
    "Op di 12 mrt 2024 om 10:00 schreef Jan Jansen <jan@example.nl>:",
    "Den tis 12 mars 2024 kl 10:00 skrev Sven Svensson <sven@example.se>:",
    "tir. 12. mar. 2024 kl. 10:00 skrev Ola Nordmann <ola@example.no>:",
    "Den tir. 12. mar. 2024 kl. 10.00 skrev Jens Jensen <jens@example.dk>:",
    "wt., 12 mar 2024 o 10:00 Jan Kowalski <jan@example.pl> napisał(a):",
    "W dniu 12.03.2024 o 10:00, Jan Kowalski pisze:",
    "Em ter., 12 de mar. de 2024 às 10:00, João Silva <joao@example.pt> escreveu:",
    "Il giorno mar 12 mar 2024 alle ore 10:00 Mario Rossi <mario@example.it> ha scritto:",
    "вт, 12 мар. 2024 г. в 10:00, Иван Петров <ivan@example.ru>:",
    "2024年3月12日(火) 10:00 山田太郎 <taro@example.jp>:",
    "王伟 <wang@example.cn> 于2024年3月12日周二 上午10:00写道：",
    "在 2024年3月12日，上午10:00，王伟 <wang@example.cn> 写道：",
]


@pytest.mark.parametrize("attribution", ATTRIBUTIONS)
def test_an_attribution_goes_with_its_quote(attribution: str) -> None:
    assert visible_text(f"Done, thanks.\n\n{attribution}\n\n> Any news?\n> Ann") == "Done, thanks."


@pytest.mark.parametrize("attribution", ATTRIBUTIONS)
def test_history_without_markers_after_an_attribution_goes(attribution: str) -> None:
    # Gmail Inbox and Yahoo send the old message below the attribution without any ">".
    assert visible_text(f"Done, thanks.\n\n{attribution}\n\nAny news?\nAnn") == "Done, thanks."


def test_an_attribution_wrapped_over_lines() -> None:
    text = "Yes.\n\nOn Dec 16, 2011, at 12:47 PM, Corey Donohoe\n<c@example.com>\nwrote:\n\n> Hi"
    assert visible_text(text) == "Yes."


def test_a_sentence_ending_in_wrote_is_not_an_attribution() -> None:
    text = "In 2019 my colleague wrote:\nthe printer needs a reboot every Monday."
    assert visible_text(text) == text
    assert visible_text("My colleague wrote:\nreboot it.") == "My colleague wrote:\nreboot it."


HEADER_BLOCKS = [
    "________________________________\nFrom: Ann <a@example.com>\nSent: Tuesday, March 12, "
    "2024 10:00 AM\nTo: Support <s@example.com>\nSubject: Printer",
    "Von: Hans <h@example.de>\nGesendet: Dienstag, 12. März 2024 10:00\nAn: Support "
    "<s@example.de>\nBetreff: Drucker",
    "De : Jean <j@example.fr>\nEnvoyé : mardi 12 mars 2024 10:00\nÀ : Support\nObjet : Imprimante",
    "De: Juan <j@example.es>\nEnviado: martes, 12 de marzo\nPara: Soporte\nAsunto: Impresora",
    "Van: Jan <j@example.nl>\nVerzonden: dinsdag 12 maart\nAan: Support\nOnderwerp: Printer",
    "Från: Sven <s@example.se>\nSkickat: den 12 mars 2024 10:00\nTill: Support\nÄmne: Skrivare",
    "Fra: Ola <o@example.no>\nSendt: tirsdag 12. mars 2024 10:00\nTil: Support\nEmne: Skriver",
    "Od: Jan <j@example.pl>\nWysłano: wtorek, 12 marca 2024 10:00\nDo: Pomoc\nTemat: Drukarka",
    "De: João <j@example.pt>\nEnviada em: terça-feira, 12 de março de 2024\nPara: Suporte\n"
    "Assunto: Impressora",
    "Da: Mario <m@example.it>\nInviato: martedì 12 marzo\nA: Supporto\nOggetto: Stampante",
    "От: Иван <i@example.ru>\nОтправлено: 12 марта 2024 г. 10:00\nКому: Поддержка\nТема: Принтер",
    "差出人: 山田太郎 <t@example.jp>\n送信日時: 2024年3月12日\n宛先: サポート\n件名: プリンター",
    "发件人: 王伟 <w@example.cn>\n发送时间: 2024年3月12日 10:00\n收件人: 支持\n主题: 打印机",
]


@pytest.mark.parametrize("block", HEADER_BLOCKS, ids=lambda b: b.split(":")[0][-12:])
def test_an_outlook_header_block_ends_the_reply(block: str) -> None:
    assert visible_text(f"Merci.\n\n{block}\n\nThe old message\n") == "Merci."


SEPARATORS = [
    "-----Original Message-----",
    "---------- Forwarded message ---------",
    "Begin forwarded message:",
    "-----Ursprüngliche Nachricht-----",
    "Anfang der weitergeleiteten Nachricht:",
    "-------- Message d'origine --------",
    "Début du message réexpédié :",
    "---------- Mensaje reenviado ---------",
    "-----Oorspronkelijk bericht-----",
    "-------- Ursprungligt meddelande --------",
    "-----Oprindelig meddelelse-----",
    "-------- Wiadomość oryginalna --------",
    "-------- Mensagem original --------",
    "-------- Messaggio originale --------",
    "-------- Исходное сообщение --------",
    "-----元のメッセージ-----",
    "------------------ 原始邮件 ------------------",
]


@pytest.mark.parametrize("separator", SEPARATORS)
def test_a_separator_ends_the_reply(separator: str) -> None:
    assert visible_text(f"See below.\n\n{separator}\nFrom: a@example.com\n\nOld") == "See below."


def test_an_undecorated_original_message_is_a_sentence() -> None:
    assert visible_text("Original message\nMore text") == "Original message\nMore text"


FOOTERS = [
    "Sent from my iPhone",
    "Sent from my Android",
    "Sent from my Samsung Galaxy smartphone.",
    "Get Outlook for iOS<https://aka.ms/o0ukef>",
    "Get Outlook for Android",
    "Sent from Mail for Windows",
    "Sent from Yahoo Mail on Android",
    "Von meinem iPhone gesendet",
    "Envoyé de mon iPhone",
    "Enviado desde mi iPhone",
    "Verzonden vanaf mijn iPhone",
    "Skickat från min iPhone",
    "Sendt fra min iPhone",
    "Wysłane z iPhone'a",
    "Enviado do meu iPhone",
    "Inviato da iPhone",
    "Отправлено с iPhone",
    "iPhoneから送信",
    "发自我的iPhone",
]


@pytest.mark.parametrize("footer", FOOTERS)
def test_a_mobile_footer_at_the_end_goes(footer: str) -> None:
    assert visible_text(f"Thanks!\n\n{footer}\n") == "Thanks!"


def test_a_mobile_footer_in_the_middle_stays() -> None:
    text = "Sent from my iPhone\n\nSorry for the typos."
    assert visible_text(text) == text


def test_signatures() -> None:
    assert visible_text("Fixed.\n\n-- \nAnn Lee\nACME Support\n+1 555 0100") == "Fixed."
    assert visible_text("Fixed.\n\n--\nAnn Lee") == "Fixed."
    long_tail = "\n".join(f"step {n}" for n in range(12))
    # "--" followed by a long text is a separator inside the message, not a signature.
    assert visible_text(f"Steps:\n--\n{long_tail}").endswith("step 11")
    assert visible_text("-- FOUR gift certificates\n-- EIGHT more") == (
        "-- FOUR gift certificates\n-- EIGHT more"
    )


def test_a_mailing_list_footer_goes() -> None:
    text = "Hi all\n\n_______________________________________________\nx-users mailing list\nx@y"
    assert visible_text(text) == "Hi all"


def test_top_posting_and_bottom_posting() -> None:
    assert visible_text("Yes.\n\n> Is it fixed?\n> Ann") == "Yes."
    assert visible_text("> Is it fixed?\n> Ann\n\nYes, since Monday.") == "Yes, since Monday."


def test_a_quoted_line_between_own_lines_without_attribution_stays() -> None:
    # The sender points at a command; nothing says it is somebody else's old message.
    text = "Run this first:\n\n> npm install\n\nthen restart the app."
    assert visible_text(text) == text


def test_a_comparison_is_not_a_quote_marker() -> None:
    text = "Alert when the queue has\n>5 errors per minute\n>= 10 in an hour"
    assert visible_text(text) == text


def test_a_quoted_line_wrapped_without_its_marker_is_still_quoted() -> None:
    text = "Yes.\n\n> Could you check the invoice that was\nsent on Monday\n> and the one after?"
    assert visible_text(text) == "Yes."


@pytest.mark.parametrize(
    "text",
    [
        "> only a quote\n> nothing new\n",
        "On Mon, Mar 4, 2024 at 9:12 AM Ann <ann@example.com> wrote:\n> only a quote\n",
        "---------- Forwarded message ---------\nFrom: a@example.com\n\nthe forwarded text\n",
        "-- \nAnn Lee\n",
    ],
    ids=["quote", "attribution-and-quote", "forward", "signature"],
)
def test_a_message_that_is_only_history_is_shown_whole(text: str) -> None:
    assert visible_text(text) == text.rstrip()


def test_blank_and_crlf_input() -> None:
    assert visible_text("") == ""
    assert visible_text(" \n\n") == ""
    assert visible_text("Yes.\r\n\r\n> old\r\n") == "Yes."


# --- HTML rules ----------------------------------------------------------------------------


# Each history below carries no textual cue ("Old" only): the client's marker alone finds it.
MARKED = {
    "gmail": '<div>New</div><div class="gmail_quote">Old</div><div>PS: thanks</div>',
    "apple": '<div>New</div><blockquote type="cite">Old</blockquote><div>PS: thanks</div>',
    "yahoo": '<div>New</div><div class="ydp1yahoo_quoted">Old</div><div>PS: thanks</div>',
    "thunderbird": (
        '<p>New</p><div class="moz-cite-prefix">Ann:</div>'
        '<blockquote type="cite">Old</blockquote><p>PS: thanks</p>'
    ),
    "outlook-web": (
        '<div>New</div><div>PS: thanks</div><div id="appendonsend"></div><hr>'
        '<div id="divRplyFwdMsg">Ann</div><div>Old</div>'
    ),
    "outlook-web-forwarded": '<p>New</p><p>PS: thanks</p><div id="x_divRplyFwdMsg">Old</div>',
    "outlook-desktop": (
        '<p>New</p><p>PS: thanks</p><div style="border:none;border-top:solid #E1E1E1 1.0pt">'
        "<p><b>Von:</b> Ann<br></p></div><p>Old</p>"
    ),
    "outlook-mac": '<p>New</p><p>PS: thanks</p><span id="OLK_SRC_BODY_SECTION">Old</span>',
    "hotmail": '<p>New</p><p>PS: thanks</p><div><hr id="stopSpelling">Old</div>',
    "zimbra": '<p>New</p><p>PS: thanks</p><hr id="zwchr"><p>Old</p>',
    "gmail-signature": '<div>New</div><div>PS: thanks</div><div class="gmail_signature">Old</div>',
    "thunderbird-signature": '<p>New</p><p>PS: thanks</p><pre class="moz-signature">Old</pre>',
}


@pytest.mark.parametrize("markup", MARKED.values(), ids=MARKED.keys())
def test_html_markers_of_clients(markup: str) -> None:
    assert html_to_text(visible_html(markup)) == "New\nPS: thanks"
    # Without the marker (nh3 drops classes, ids and types) nothing says it is history.
    assert "Old" in html_to_text(visible_html(sanitize_html(markup)))


def test_html_without_markers_uses_the_text_rules() -> None:
    sanitised = sanitize_html(
        "<p>New</p><p>On Mon, Mar 4, 2024 at 9:12 AM Ann &lt;ann@example.com&gt; wrote:</p>"
        "<blockquote><p>Old</p></blockquote>"
    )
    assert visible_html(sanitised) == "<p>New</p>"
    trailing = "<p>New</p><blockquote><p>Old</p></blockquote>"
    assert visible_html(trailing) == "<p>New</p>"


def test_html_blockquote_between_own_paragraphs_stays() -> None:
    markup = "<p>This line in the log:</p><blockquote>disk full</blockquote><p>What now?</p>"
    assert visible_html(markup) == markup


def test_html_that_is_only_a_quote_is_shown_whole() -> None:
    markup = '<blockquote type="cite"><p>Old</p></blockquote>\n'
    assert visible_html(markup) == markup.rstrip()
    assert visible_html("") == ""


def test_html_keeps_images_and_escapes_what_it_writes() -> None:
    image = '<p><img src="cid:shot"></p><blockquote type="cite">Old</blockquote>'
    assert visible_html(image) == '<p><img src="cid:shot"></p>'
    markup = '<p title="a &quot;b&quot;">1 &lt; 2 &amp; &lt;script&gt;</p>'
    assert visible_html(markup) == markup


def test_html_preformatted_reply() -> None:
    markup = "<pre>Fixed.\n\nOn Mon, Mar 4, 2024 at 9:12 AM Ann wrote:\n&gt; old\n</pre>"
    assert html_to_text(visible_html(markup)) == "Fixed."


def test_html_deep_nesting_does_not_overflow() -> None:
    markup = "<div>" * 5000 + "New" + "</div>" * 5000 + "<blockquote type=cite>Old</blockquote>"
    assert html_to_text(visible_html(markup)) == "New"


# --- properties ------------------------------------------------------------------------------

LINES = st.sampled_from(
    [
        "",
        "Hello",
        "> quoted",
        ">5 errors",
        "-- ",
        "--",
        "Sent from my iPhone",
        "On Mon, Mar 4, 2024 at 9:12 AM Ann <ann@example.com> wrote:",
        "From: Ann <ann@example.com>",
        "Sent: Monday",
        "To: Bob",
        "Subject: Hi",
        "-----Original Message-----",
        "  indented text",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(LINES, max_size=15))
def test_visible_text_only_removes_lines_and_is_never_empty(lines: list[str]) -> None:
    text = "\n".join(lines)
    visible = visible_text(text)
    assert bool(visible.strip()) == bool(text.strip())
    if visible != text.rstrip():
        originals = {line.rstrip() for line in lines}
        # A removed block may leave one blank line between what stays.
        assert all(line in originals or not line for line in visible.split("\n"))


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="<>/ab =\"'&;\n", max_size=60))
def test_visible_html_survives_any_markup(markup: str) -> None:
    assert isinstance(visible_html(markup), str)
