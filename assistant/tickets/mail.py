"""A ticket read from one e-mail (.eml): the text body, sender, subject, Message-ID, and the
names of its attachments (listed, never opened)."""

from __future__ import annotations

from email.message import EmailMessage, Message
from pathlib import Path

from assistant.tickets.reading import FileRead, Problem, ReadLimits, make_ticket

_BREAK = "\x00"  # where a line ends: a character mail text does not hold
# Elements after which the text of an HTML mail starts a new line.
_BLOCKS = ("p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table")


def html_to_text(html: str) -> str:
    """The text a reader sees: no scripts or styles, a line per paragraph, row and break."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "head", "title"]):
        hidden.decompose()
    # line breaks in the source are mere spaces: the lines are where the markup breaks them
    for br in soup.find_all("br"):
        br.replace_with(_BREAK)
    for block in soup.find_all(_BLOCKS):
        block.append(_BREAK)
    lines = (" ".join(line.split()) for line in soup.get_text().split(_BREAK))
    return "\n".join(line for line in lines if line)


def _content(part: Message) -> str:
    """The decoded text of a part (quoted-printable, base64, its charset); a charset Python
    does not know is read as UTF-8 with replacement characters."""
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, KeyError):
        pass
    payload = part.get_payload(decode=True)
    return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""


def _text_body(message: EmailMessage) -> tuple[Message | None, str]:
    """The text/plain body, else the text/html one as text; (None, "") when neither has text."""
    plain = message.get_body(preferencelist=("plain",))
    if plain is not None and (text := _content(plain).strip()):
        return plain, text
    html = message.get_body(preferencelist=("html",))
    if html is not None and (text := html_to_text(_content(html)).strip()):
        return html, text
    return None, ""


def _attachments(message: EmailMessage, body: Message | None) -> list[str]:
    names = []
    for part in message.walk():
        if part is body or part.is_multipart():
            continue
        name = part.get_filename()
        if name or part.get_content_disposition() == "attachment":
            names.append(name or f"(unnamed {part.get_content_type()})")
    return names


def _header(message: EmailMessage, name: str) -> str:
    """A header's decoded text; a header too broken to parse is read as it stands."""
    try:
        return str(message.get(name) or "").strip()
    except (ValueError, IndexError, TypeError, AttributeError):
        raw = message.get_all(name, failobj=[""])
        return str(raw[0]).strip()


def read_eml(data: bytes, file: Path, limits: ReadLimits, read: FileRead) -> None:
    """One message, one ticket; a message without a text body is reported and skipped."""
    from email import policy
    from email.parser import BytesParser

    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)  # what policy.default makes
    body_part, body = _text_body(message)
    attachments = _attachments(message, body_part)
    if not body:
        listed = f" (attachments: {', '.join(attachments)})" if attachments else ""
        read.problems.append(Problem(file, None, f"no text body{listed}"))
        return
    values = {
        "external_id": _header(message, "message-id"),
        "customer": _header(message, "from"),
        "subject": _header(message, "subject"),
        "channel": "email",
        "body": body,
    }
    made = make_ticket(values, file=file, line=None, limits=limits, attachments=attachments)
    if isinstance(made, Problem):
        read.problems.append(made)
    else:
        read.tickets.append(made)
