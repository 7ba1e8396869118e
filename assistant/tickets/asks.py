"""What a customer's message asks: the request without greetings and sign-offs, its questions
one by one, and the name to greet. Pure text functions, in the five languages tickets come in.
"""

from __future__ import annotations

import re

# a line that only greets, thanks or signs off ("Hi team,", "Mit freundlichen Grüßen")
_SALUTATION = re.compile(
    r"^\s*(?:hi|hello|hey|dear|good\s+(?:morning|afternoon|evening)|greetings|"
    r"(?:many\s+)?thanks?(?:\s+you)?(?:\s+in\s+advance)?|(?:kind|best|warm)?\s*regards|best|"
    r"cheers|sincerely|yours(?:\s+(?:sincerely|faithfully))?|bonjour|bonsoir|madame|monsieur|"
    r"cordialement|merci(?:\s+d'avance)?|bien\s+à\s+vous|hallo|guten\s+(?:tag|morgen)|"
    r"sehr\s+geehrte\w*|liebe\w*|(?:mit\s+)?(?:freundlichen|besten)\s+grü(?:ß|ss)en|danke\w*|"
    r"vielen\s+dank|buongiorno|gentili\w*|cordiali\s+saluti|grazie|hola|estimad[oa]s?|"
    r"saludos|gracias)\b[^.?!\n]{0,40}[,.!]?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_SENTENCE = re.compile(r"(?<=[.?!])\s+|\n+")
# a sentence that asks for something, where no question mark says so
_REQUEST = re.compile(
    r"\b(?:please|pls|plz|kindly|can\s+you|could\s+you|would\s+you|we\s+need|i\s+need|"
    r"we\s+(?:want|would\s+like|'d\s+like)|i\s+(?:want|would\s+like)|let\s+(?:us|me)\s+know|"
    r"send\s+(?:us|me)|advise|bitte|können\s+sie|könnten\s+sie|wir\s+brauchen|"
    r"merci\s+de|pouvez-vous|pourriez-vous|nous\s+souhaitons|per\s+favore|por\s+favor)\b",
    re.IGNORECASE,
)
# "Fylde Forklift Hydraulics (R. Quinn)": the person in brackets
_PERSON_IN_BRACKETS = re.compile(r"\(([^()]{2,60})\)\s*$")
_EMAIL = re.compile(r"<?[\w.+-]+@[\w-]+(?:\.[\w-]+)+>?")


def request_text(body: str) -> str:
    """`body` without its greeting, thanks and sign-off lines, whitespace collapsed."""
    kept = _SALUTATION.sub(" ", body)
    return " ".join(kept.split())


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def asks(body: str, *, limit: int = 3) -> list[str]:
    """The sentences that ask something (a question mark or request wording), in order, at
    most `limit`; a message that asks nothing explicitly is one request as a whole.

    Example:
        >>> asks("Hi, our KV-16 leaks. What torque do I use? Please send a seal kit. Thanks")
        ['What torque do I use?', 'Please send a seal kit.']
    """
    found = [s for s in sentences(request_text(body)) if "?" in s or _REQUEST.search(s)]
    return found[:limit]


def greeting_name(customer: str) -> str:
    """Whom the reply greets: the person a customer field names ("Acme (R. Quinn)" or
    "R. Quinn <rq@acme.example>"), else nobody in particular.

    Example:
        >>> greeting_name("Fylde Forklift Hydraulics (R. Quinn)")
        'R. Quinn'
        >>> greeting_name("")
        'customer'
    """
    bracketed = _PERSON_IN_BRACKETS.search(customer)
    if bracketed:
        return bracketed.group(1).strip()
    name = _EMAIL.sub("", customer).strip(" ,;\"'")
    return name if 0 < len(name) <= 60 else "customer"
