"""What a staff password must not be: short, a few characters repeated, the account's name, or
a well-known password with some digits or signs around it. Each refusal says why, in German."""

MIN_LENGTH = 12
# The longest unit whose repetition counts as trivial ("aaaa…", "abab…", "1234 1234 …").
LONGEST_REPEATED_UNIT = 4
# Words that lists of leaked passwords are full of (German and English), the program's and the
# town's names among them; compared with the letters of a password, repeated or not.
COMMON_WORDS = frozenset((
    "passwort", "password", "passwd", "kennwort", "geheim", "geheimnis", "secret", "hallo",
    "hello", "test", "admin", "administrator", "root", "login", "anmelden", "benutzer", "user",
    "willkommen", "welcome", "letmein", "changeme", "ichliebedich", "iloveyou", "liebe", "love",
    "schatz", "schatzi", "sonne", "sonnenschein", "sunshine", "sommer", "winter", "fruehling",
    "frühling", "herbst", "fussball", "fußball", "football", "baseball", "soccer", "werder",
    "werderbremen", "bremen", "oldenburg", "wildeshausen", "deutschland", "germany",
    "mittendrin", "treffpunkt", "treffpunkte", "stadthaus", "computer", "internet", "dragon",
    "monkey", "master", "shadow", "princess", "superman", "batman", "starwars", "pokemon",
    "qwertz", "qwerty", "asdf", "azerty", "trustno", "freedom", "whatever",
))  # fmt: skip
# Rows of German and English keyboards and the alphabet: any stretch of them is a "sequence".
SEQUENCES = (
    "qwertzuiopüasdfghjklöäyxcvbnm",
    "qwertyuiopasdfghjklzxcvbnm",
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890123456789012345678901234567890",
)
SHORTEST_SEQUENCE = 4

RULE = (
    f"Mindestens {MIN_LENGTH} Zeichen; nicht Ihr Name, kein bekanntes Passwort wie"
    " „Passwort2024!“, keine Tastenfolge wie „qwertz123456“. Gut zu merken und schwer zu"
    " erraten sind drei, vier Wörter mit Bindestrichen."
)


def password_problem(password: str, account: str = "") -> str | None:
    """Why `password` is too easy to guess for `account`, in German; None when it is fine."""
    lowered = password.casefold()
    if len(password) < MIN_LENGTH:
        return f"Mindestens {MIN_LENGTH} Zeichen, bitte."
    if len(repeated_unit(lowered)) <= LONGEST_REPEATED_UNIT:
        return "Das Passwort wiederholt nur ein paar Zeichen. Bitte wählen Sie ein anderes."
    if len(account) >= 3 and account.casefold() in lowered:
        return "Das Passwort darf Ihren Namen nicht enthalten."
    if is_well_known(lowered):
        return (
            "Dieses Passwort steht so oder fast so in Listen häufiger Passwörter und ist leicht"
            " zu erraten. Bitte wählen Sie ein anderes."
        )
    return None


def is_well_known(lowered: str) -> bool:
    """A common word or a keyboard row with anything around it, or a counting run or repeated
    digits with hardly a letter."""
    letters = "".join(filter(str.isalpha, lowered))
    digits = "".join(filter(str.isdigit, lowered))
    if repeated_unit(letters) in COMMON_WORDS or is_sequence(letters):
        return True
    return len(letters) < SHORTEST_SEQUENCE and (
        len(repeated_unit(digits)) <= LONGEST_REPEATED_UNIT or is_sequence(digits)
    )


def is_sequence(text: str) -> bool:
    """Whether `text` is a stretch of a keyboard row or of counting, forwards or backwards."""
    if len(text) < SHORTEST_SEQUENCE:
        return False
    return any(text in row or text[::-1] in row for row in SEQUENCES)


def repeated_unit(text: str) -> str:
    """The shortest piece of which `text` is a repetition ("abab" → "ab"; "abc" → "abc")."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text
