"""Go's encoding/json syntax errors, byte for byte, for the bodies the apiserver refuses to decode."""
from __future__ import annotations

import pytest

from emulator.services.kubernetes.gojson import syntax_error


@pytest.mark.parametrize(("data", "message"), [
    (b"", "unexpected end of JSON input"),
    (b"\n{\n", "unexpected end of JSON input"),
    (b'{"a": "open', "unexpected end of JSON input"),
    (b"{bad", "invalid character 'b' looking for beginning of object key string"),
    (b"xyz", "invalid character 'x' looking for beginning of value"),
    (b"\xc3\xa9", "invalid character '\u00c3' looking for beginning of value"),
    (b'{"a" 1}', "invalid character '1' after object key"),
    (b'{"a":1 "b"}', "invalid character '\"' after object key:value pair"),
    (b'{"a":01}', "invalid character '1' after object key:value pair"),
    (b"[1 2]", "invalid character '2' after array element"),
    (b"{} x", "invalid character 'x' after top-level value"),
    (b'{"a":tru}', "invalid character '}' in literal true (expecting 'e')"),
    (b"tr", "invalid character ' ' in literal true (expecting 'u')"),  # Go feeds a space at the end
    (b'{"a":"\x01"}', "invalid character '\\x01' in string literal"),
    (b'{"a\n"}', "invalid character '\\n' in string literal"),
    (b'{"a":"\\q"}', "invalid character 'q' in string escape code"),
    (b'{"a":"\\u12x"}', "invalid character 'x' in \\u hexadecimal character escape"),
    (b'{"a":1.}', "invalid character '}' after decimal point in numeric literal"),
    (b'{"a":1e}', "invalid character '}' in exponent of numeric literal"),
    (b'{"a":-}', "invalid character '}' in numeric literal"),
    (b"-", "invalid character ' ' in numeric literal"),
    (b"[" * 10001, "invalid character '[' exceeded max depth"),
    (b"[" * 100000, "invalid character '[' exceeded max depth"),
])
def test_the_first_bad_byte_gets_gos_message(data, message):
    assert syntax_error(data) == message


@pytest.mark.parametrize("data", [
    b'{"a":[1,2,{"b":null}],"c":-1.5e+3,"d":true,"e":false,"f":"\\u00e9\\n"}',
    b"  12  ", b"0", b"[]", b"{}", b"[" * 10000 + b"]" * 10000,
    b'{"a":"\xff"}',  # Go takes invalid UTF-8 inside strings
])
def test_valid_json_has_no_syntax_error(data):
    assert syntax_error(data) is None
