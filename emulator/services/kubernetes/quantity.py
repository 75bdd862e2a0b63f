"""resource.Quantity as apimachinery reads and writes it: the three formats, the nano floor, the canonical string.

A quantity is `<sign><number><suffix>`, the suffix binary (`Ki`..`Ei`), decimal (`n`, `u`, `m`, ``, `k`..`E`) or
an exponent (`e3`, `E-6`). Parsing keeps the suffix's kind (its format) and the value exactly, rounded away from
zero to a whole nano; a binary value is capped at 2^63-1 and one below 1 is decimal. Writing puts the value in
canonical form: no fraction, the largest suffix of its format that loses nothing (1.5 -> `1500m`, 1.5Gi ->
`1536Mi`, 1024Mi -> `1Gi`); a binary value that is not a whole number, or is under 1024, is written decimal. A
string apimachinery takes as canonical already (read by its fast path) is written back as it came (`+1`).
Values are integers times a power of ten, so nothing is ever a float.
"""
from __future__ import annotations

from typing import Any, NamedTuple

FORMAT_PATTERN = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
FORMAT_WRONG = f"quantities must match the regular expression '{FORMAT_PATTERN}'"
NUMERIC = "unable to parse numeric part of quantity"
SUFFIX = "unable to parse quantity's suffix"

_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_SUFFIXES = {exponent: suffix for suffix, exponent in _DECIMAL.items()}
_BINARY_SUFFIXES = {0: "", **{exponent: suffix for suffix, exponent in _BINARY.items()}}
_SUFFIX_LETTERS = frozenset("eEinumkKMGTP")
MAX_BINARY = 2 ** 63 - 1  # a binary value's cap
MAX_DIGITS = 1000  # digits in the number part; past it refused as not numeric (apimachinery takes any count)
MAX_EXPONENT = 1000  # an exponent suffix past it is refused (apimachinery takes any int32): never a real amount,
# and 10^1e9 written out would take the emulator's memory


class Quantity(NamedTuple):
    amount: int  # the value is amount * 10^scale ...
    scale: int  # ... with scale >= -9 (a whole number of nanos)
    format: str  # "DecimalSI", "BinarySI" or "DecimalExponent"
    text: str | None = None  # the string as given, where apimachinery writes it back unchanged

    def nanos(self) -> int:
        """The value in units of 10^-9, which every quantity is a whole number of: for comparing and adding."""
        return self.amount * 10 ** (self.scale + 9)


def parse(text: str) -> Quantity:
    """ParseQuantity; ValueError with apimachinery's message."""
    if not text:
        raise ValueError(FORMAT_WRONG)
    if text == "0":
        return Quantity(0, 0, "DecimalSI", text)
    negative, whole, fraction, suffix = _split(text)
    if suffix in _DECIMAL:
        base, exponent, form = 10, _DECIMAL[suffix], "DecimalSI"
    elif suffix in _BINARY:
        base, exponent, form = 2, _BINARY[suffix], "BinarySI"
    elif len(suffix) > 1 and suffix[0] in "eE" and _is_int(suffix[1:]):
        base, exponent, form = 10, int(suffix[1:]), "DecimalExponent"
        if not -MAX_EXPONENT <= exponent <= MAX_EXPONENT:
            raise ValueError(SUFFIX)
    else:
        raise ValueError(SUFFIX)
    digits = whole + fraction  # the value is digits * 10^-len(fraction) * base^exponent
    if len(digits) > MAX_DIGITS:
        raise ValueError(NUMERIC)
    amount, scale = int(digits), -len(fraction)
    if base == 2:
        amount <<= exponent
    else:
        scale += exponent
    if scale < -9:  # rounded up to a whole nano: some resources, never none, for a tiny request
        amount, scale = -(-amount // 10 ** (-9 - scale)), -9
    if form == "BinarySI":
        if amount and scale < 0 and amount < 10 ** -scale:
            form = "DecimalSI"
        elif amount > MAX_BINARY * 10 ** -scale:  # (a binary value's scale is 0 or less here)
            amount, scale = MAX_BINARY, 0
    kept = text if _canonical_as_given(base, exponent, whole, fraction, digits) else None
    return Quantity(-amount if negative else amount, scale, form, kept)


def rounded_up_to_milli(quantity: Quantity) -> Quantity:
    """RoundUp(-3), which SetDefaults_ResourceList applies to every resource list: a value finer than a thousandth
    rounded away from zero to one (`1.2345` -> `1235m`, `100u` -> `1m`), then written anew; coarser ones as they
    are, their kept string too."""
    if quantity.scale >= -3:
        return quantity
    step = 10 ** (-3 - quantity.scale)
    amount = -(-abs(quantity.amount) // step)
    return Quantity(amount if quantity.amount > 0 else -amount, -3, quantity.format)


def _split(text: str) -> tuple[bool, str, str, str]:
    """parseQuantityString: (negative, whole digits without leading zeros or "0", fraction digits, suffix)."""
    position, end = 0, len(text)
    negative = text[0] == "-"
    if text[0] in "+-":
        position = 1
    while position < end and text[position] == "0":
        position += 1
    if position == end:
        return negative, "0", "", ""
    start = position
    while position < end and text[position].isdigit() and text[position].isascii():
        position += 1
    whole = text[start:position] or "0"
    fraction = ""
    if position < end and text[position] == ".":
        start = position = position + 1
        while position < end and text[position].isdigit() and text[position].isascii():
            position += 1
        fraction = text[start:position]
    suffix_start = position
    while position < end and text[position] in _SUFFIX_LETTERS:
        position += 1
    if position < end and text[position] in "+-":
        position += 1
    while position < end and text[position].isdigit() and text[position].isascii():
        position += 1
    if position < end:
        raise ValueError(FORMAT_WRONG)
    return negative, whole, fraction, text[suffix_start:]


def _is_int(text: str) -> bool:
    """strconv.ParseInt(text, 10, 64) would take it."""
    digits = text[1:] if text[:1] in "+-" else text
    return digits.isascii() and digits.isdigit() and len(digits) <= 19 and -2 ** 63 <= int(text) < 2 ** 63


def _canonical_as_given(base: int, exponent: int, whole: str, fraction: str, digits: str) -> bool:
    """Whether ParseQuantity's fast path keeps the string itself: int64-sized and already canonical in form."""
    if base == 10:
        scale = exponent - len(fraction)
        return len(whole) + len(fraction) <= 18 and scale >= -9 and scale % 3 == 0 \
            and not digits.endswith("000") and digits[0] != "0"
    if fraction or 15 - len(whole) - int(exponent * 3 / 10) - 1 < 0:
        return False
    value = int(whole)
    return value << exponent < 2 ** 63 and value & 7 != 0  # exponent is a multiple of 10 for every binary suffix


def canonical(quantity: Quantity) -> str:
    """What MarshalJSON writes: the kept string, or the canonical form."""
    if quantity.text is not None:
        return quantity.text
    amount, scale, form = quantity.amount, quantity.scale, quantity.format
    if amount == 0:
        return "0"
    amount, scale = _reduced(amount, scale)
    if form == "BinarySI" and scale >= 0 and abs(amount) * 10 ** scale >= 1024:  # a whole number, 1024 or more
        amount, times = _remove_factors(amount * 10 ** scale, 1024)
        return f"{amount}{_BINARY_SUFFIXES[times * 10]}"
    amount *= 10 ** (scale % 3)  # the exponent down to a multiple of 3
    scale -= scale % 3
    if form != "DecimalExponent" and scale in _DECIMAL_SUFFIXES:
        return f"{amount}{_DECIMAL_SUFFIXES[scale]}"
    return f"{amount}e{scale}" if scale else str(amount)


def _reduced(amount: int, scale: int) -> tuple[int, int]:
    """The same value with every factor of 10 moved from the amount into the scale."""
    amount, times = _remove_factors(amount, 10)
    return amount, scale + times


def _remove_factors(value: int, base: int) -> tuple[int, int]:
    times = 0
    while value and value % base == 0:
        value //= base
        times += 1
    return value, times


def from_json(value: Any) -> Quantity:
    """A decoded JSON value as Quantity.UnmarshalJSON reads it (null is zero); ValueError as parse raises it."""
    text = json_text(value)
    return parse("0" if text is None else text)


def resource_list(values: Any) -> dict[str, Quantity]:
    """A ResourceList's quantities by name, names sorted (Go's map order is random); one that does not parse is
    left out (decoding has refused it already)."""
    found = {}
    for name in sorted(values) if isinstance(values, dict) else ():
        try:
            found[name] = from_json(values[name])
        except ValueError:
            continue
    return found


def json_text(value: Any) -> str | None:
    """The text Quantity.UnmarshalJSON parses for a decoded JSON value (the quotes off a string); None for null."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if value != int(value) or abs(value) >= 1e16 else str(int(value))
    return "{}"  # an object or a list: no number at all
