"""The syntax error Go's encoding/json reports for a body, so a bad body gets the apiserver's own words.

A byte-at-a-time walk with the states of Go's scanner: the first byte that no state accepts names
the error ("invalid character 'x' looking for beginning of value"), and input that stops short is
"unexpected end of JSON input". It runs only on bodies the fast parser has already refused.
"""
from __future__ import annotations

MAX_DEPTH = 10000  # Go's maxNestingDepth
_SPACE = b" \t\r\n"
_DIGITS = b"0123456789"
_HEX = b"0123456789abcdefABCDEF"
_ESCAPES = b'bfnrt\\/"'
_LITERALS = {ord("t"): b"true", ord("f"): b"false", ord("n"): b"null"}
_GO_ESCAPES = {7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v", 39: "\\'", 92: "\\\\"}


class _Invalid(Exception):
    pass


def quote_char(byte: int) -> str:
    """A byte as Go's quoteChar prints it: the rune of that value, quoted with single quotes."""
    if byte in _GO_ESCAPES:
        return f"'{_GO_ESCAPES[byte]}'"
    if byte == 34:
        return "'\"'"
    char = chr(byte)
    if char.isprintable():
        return f"'{char}'"
    return f"'\\x{byte:02x}'" if byte < 0x80 else f"'\\u{byte:04x}'"


def _fail(byte: int, context: str) -> _Invalid:
    return _Invalid(f"invalid character {quote_char(byte)} {context}")


def _at(data: bytes, at: int) -> int:
    """The byte at `at`; past the end, the space Go's scanner is fed at EOF."""
    return data[at] if at < len(data) else 0x20


def _string(data: bytes, at: int) -> int:
    """Past the string whose opening quote is before `at`."""
    while at < len(data):
        byte = data[at]
        at += 1
        if byte == 0x22:
            return at
        if byte < 0x20:
            raise _fail(byte, "in string literal")
        if byte == 0x5C:
            byte = _at(data, at)
            at += 1
            if byte == ord("u"):
                for _ in range(4):
                    if _at(data, at) not in _HEX:
                        raise _fail(_at(data, at), "in \\u hexadecimal character escape")
                    at += 1
            elif byte not in _ESCAPES:
                raise _fail(byte, "in string escape code")
    raise _Invalid("unexpected end of JSON input")


def _digits(data: bytes, at: int) -> int:
    while at < len(data) and data[at] in _DIGITS:
        at += 1
    return at


def _number(data: bytes, at: int, first: int) -> int:
    """Past the number whose first byte is before `at`."""
    if first == 0x2D:
        first = _at(data, at)
        at += 1
        if first not in _DIGITS:
            raise _fail(first, "in numeric literal")
    if first != 0x30:
        at = _digits(data, at)
    if _at(data, at) == 0x2E:
        if _at(data, at + 1) not in _DIGITS:
            raise _fail(_at(data, at + 1), "after decimal point in numeric literal")
        at = _digits(data, at + 1)
    if _at(data, at) in b"eE":
        at += 1
        if _at(data, at) in b"+-":
            at += 1
        if _at(data, at) not in _DIGITS:
            raise _fail(_at(data, at), "in exponent of numeric literal")
        at = _digits(data, at)
    return at


def _scalar(data: bytes, at: int, first: int) -> int:
    """Past the string, number or literal that starts with `first` (just before `at`)."""
    if first == 0x22:
        return _string(data, at)
    if first == 0x2D or first in _DIGITS:
        return _number(data, at, first)
    if first not in _LITERALS:
        raise _fail(first, "looking for beginning of value")
    word = _LITERALS[first]
    for expected in word[1:]:
        if _at(data, at) != expected:
            raise _fail(_at(data, at), f"in literal {word.decode()} (expecting '{chr(expected)}')")
        at += 1
    return at


def _scan(data: bytes) -> None:
    """Walk `data` as Go's scanner does, iteratively (bodies may nest thousands deep); raise _Invalid."""
    stack: list[int] = []  # the open brackets
    expect, at = "value", 0
    while at < len(data):
        byte = data[at]
        at += 1
        if byte in _SPACE:
            continue
        if expect in ("value", "value or ]"):
            if expect == "value or ]" and byte == 0x5D:
                stack.pop()
            elif byte in b"{[":
                if len(stack) >= MAX_DEPTH:
                    raise _fail(byte, "exceeded max depth")
                stack.append(byte)
                expect = "key or }" if byte == 0x7B else "value or ]"
                continue
            else:
                at = _scalar(data, at, byte)
        elif expect in ("key", "key or }"):
            if expect == "key or }" and byte == 0x7D:
                stack.pop()
            elif byte != 0x22:
                raise _fail(byte, "looking for beginning of object key string")
            else:
                at, expect = _string(data, at), ":"
                continue
        elif expect == ":":
            if byte != 0x3A:
                raise _fail(byte, "after object key")
            expect = "value"
            continue
        elif expect == "next":
            closer, context = (0x7D, "after object key:value pair") if stack[-1] == 0x7B else (0x5D, "after array element")
            if byte == 0x2C:
                expect = "key" if stack[-1] == 0x7B else "value"
                continue
            if byte != closer:
                raise _fail(byte, context)
            stack.pop()
        else:
            raise _fail(byte, "after top-level value")
        expect = "next" if stack else "end"
    if expect != "end":
        raise _Invalid("unexpected end of JSON input")


def syntax_error(data: bytes) -> str | None:
    """Go's message for the first syntax error in `data`, or None when Go would read it as JSON."""
    try:
        _scan(data)
    except _Invalid as error:
        return str(error)
    return None
