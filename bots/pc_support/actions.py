"""The help desk's own code, called by `validate:` steps (docs/actions.md).

`password_check` looks at the message that answered a question and warns when it looks like a
password: "mein Passwort ist …", "pw: …", or a word that mixes lower case, upper case and digits
the way passwords do ("Sommer2024!"). The answer stands either way; the warning is the bot's
text `password_warning`. The flow's triggers (flows/solved.yaml) catch a password said instead
of an answer; this catches one said together with an answer ("nein, mein Passwort ist …").
"""

import re

from framework.actions import ActionContext, ActionOutcome, OutgoingMessage, action

_ANNOUNCED = re.compile(
    r"\b(passwor[dt]|kennwort|pw|pin|passcode)\b\s*(ist|lautet|war|is|was|:|=)\s+"
    r"(?!(immer|noch|still|falsch|wrong|incorrect|abgelaufen|expired|gesperrt|locked|weg|gone|"
    r"nicht|not|ungültig|invalid|zu|too|vergessen|forgotten)\b)\S",
    re.IGNORECASE,
)
"""A password announced: "mein Passwort ist …", "Kennwort lautet …", "my password is …",
"pw: …" — not a complaint about it ("mein Passwort ist falsch", "my password is still wrong")."""
_WORD = re.compile(r"[^\s,;]+")
_MIN_LENGTH = 8


def looks_like_password(text: str) -> bool:
    """Whether a message announces a password or contains a word shaped like one (8 or more
    characters with lower case, upper case and a digit, and no @ or /: no e-mail address or
    link)."""
    if _ANNOUNCED.search(text):
        return True
    return any(_shaped_like_password(word) for word in _WORD.findall(text))


def _shaped_like_password(word: str) -> bool:
    word = word.strip(".!?\"'()")
    return (
        len(word) >= _MIN_LENGTH
        and "@" not in word
        and "/" not in word
        and any(char.islower() for char in word)
        and any(char.isupper() for char in word)
        and any(char.isdigit() for char in word)
    )


@action("password_check")
def password_check(context: ActionContext) -> ActionOutcome | None:
    if not looks_like_password(context.message):
        return None
    return ActionOutcome(messages=(OutgoingMessage(text_name="password_warning"),))
