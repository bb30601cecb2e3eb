"""Errors a user can cause. Each carries one clear line naming the input and the problem."""

_ESCAPED_BYTES = range(0xDC80, 0xDD00)  # how os.fsdecode carries a byte of a file name that is not UTF-8


def printable_name(name: str) -> str:
    """A file name as text every output can carry on one line: bytes that are not UTF-8 (held as
    surrogate escapes since the name was read) become \\xNN, control characters their escape.

    Names are shown this way in messages, reports and stores; the file itself is still opened
    through its Path, which keeps the original bytes."""
    if name.isprintable():
        return name
    shown = []
    for char in name:
        if ord(char) in _ESCAPED_BYTES:
            shown.append(f"\\x{ord(char) - 0xDC00:02x}")
        elif char.isprintable():
            shown.append(char)
        else:
            shown.append(repr(char)[1:-1])
    return "".join(shown)


class InputError(Exception):
    """An input that cannot be analysed (not a zip, no manifest, unreadable, empty …)."""

    def __init__(self, input_name: str, problem: str) -> None:
        input_name = printable_name(input_name)
        super().__init__(f"{input_name}: {' '.join(problem.split())}")
        self.input_name = input_name
        self.problem = problem


class RuleLoadError(Exception):
    """A rule, cases, signature or lexicon file that does not load; the message names the file."""
