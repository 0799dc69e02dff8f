"""Which passwords a person may choose.

Checked when a password is chosen (sign-up, change), never at sign-in. Beside
the minimum length, a password is refused when it is one of the passwords
people choose most (zxcvbn's frequency lists, gathered from leaked password
sets, plus the most common ones in Chinese leaks, which those lists miss), when
it contains the person's own login, mobile number or name, or when zxcvbn
rates it as guessable within 10⁶ guesses (score 0 or 1: keyboard rows,
repeats, sequences, dates, words with digits appended).
"""

from __future__ import annotations

from collections.abc import Iterable

from participation.errors import N_

MIN_LENGTH = 8
MAX_LENGTH = 256
#: zxcvbn's run time grows with the length; its authors advise truncating.
_ASSESSED = 100
#: zxcvbn scores from 0 to 4; 2 and up resist a throttled online attack.
MIN_SCORE = 2

TOO_SHORT = N_("The password must have at least 8 characters.")
TOO_LONG = N_("The password may have at most 256 characters.")
COMMON = N_("This password is one of the most common ones. Please choose another.")
PERSONAL = N_("The password must not contain your login, mobile number or name.")
GUESSABLE = N_(
    "This password is easy to guess. Use a few unrelated words, or more varied characters."
)

#: Frequent in Chinese leaked password sets and rated "somewhat guessable" or
#: better by zxcvbn (which knows pinyin and Chinese date habits poorly).
CHINESE_COMMON = frozenset(
    {
        "woaini1314",
        "woaini520",
        "woaini521",
        "5201314520",
        "1314520520",
        "iloveyou1314",
        "qq123456789",
        "aa123456789",
        "a123456789",
        "abc123456789",
        "woaini123",
        "woaiwojia",
        "zhang123456",
        "wang123456",
        "li123456789",
        "admin123456",
        "root123456",
        "p@ssw0rd123",
        "passw0rd123",
        "1qaz2wsx3edc",
        "1q2w3e4r5t",
        "qwe123456",
        "asd123456",
        "zxc123456",
        "147258369a",
    }
)


def password_problem(password: str, personal: Iterable[str | None] = ()) -> str | None:
    """Why ``password`` may not be chosen (a message id), or None when it may.

    ``personal`` holds the person's own data (login, mobile number, name).
    Invariants: a password shorter than MIN_LENGTH or longer than MAX_LENGTH is
    always refused; one containing a personal value of two or more characters
    (ignoring case) is always refused; the result depends on nothing else than
    the two arguments.
    """
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    folded = password.casefold()
    own = [p.strip().casefold() for p in personal if p and len(p.strip()) >= 2]
    if any(value in folded for value in own):
        return PERSONAL
    if folded in CHINESE_COMMON:
        return COMMON
    from zxcvbn import zxcvbn  # imported on first use: it loads its word lists

    result = zxcvbn(password[:_ASSESSED], user_inputs=own)
    sequence = result["sequence"]
    whole_common = (
        len(sequence) == 1
        and sequence[0].get("pattern") == "dictionary"
        and sequence[0].get("dictionary_name") == "passwords"
    )
    if whole_common:
        return COMMON
    if int(result["score"]) < MIN_SCORE:
        return GUESSABLE
    return None
