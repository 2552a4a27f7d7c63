"""The help desk's own code, called by `validate:` steps (docs/actions.md).

Both look at the message that answered a question and warn when it looks like a password: "mein
Passwort ist …", "pw: …", or a word that mixes lower case, upper case and digits the way
passwords do ("Sommer2024!"); the warning is the bot's text `password_warning`.

- `password_check` keeps the answer ("nein, mein Passwort ist …" is still a no).
- `password_refused` drops it, so the question comes again: for notes that go into a ticket,
  where a password must not be kept.

The flow's triggers (flows/solved.yaml) catch a password said instead of an answer; these catch
one said with an answer.
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


@action("password_refused")
def password_refused(context: ActionContext) -> ActionOutcome | None:
    if not looks_like_password(context.message):
        return None
    return ActionOutcome(
        slots={str(context.args["slot"]): None},
        messages=(OutgoingMessage(text_name="password_warning"),),
    )
