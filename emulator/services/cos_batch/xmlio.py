"""COS XML on the wire: request bodies parsed by xmltodict with DOCTYPEs refused, responses written TAB-indented."""
from __future__ import annotations

import io
import re
from typing import Any
from xml.parsers import expat
from xml.sax.saxutils import XMLGenerator, escape
from xml.sax.xmlreader import AttributesImpl

import xmltodict

# The declaration COS puts on error bodies only: single quotes and a space before "?>".
_ERROR_DECLARATION = ("xml", "version='1.0' encoding='utf-8' ")
_NO_ATTRIBUTES = AttributesImpl({})
_QUOTE = {'"': "&quot;"}
_ESCAPED = re.compile(r'[&<>"]')  # what escape(text, _QUOTE) changes
SLOT = "\x00"  # a text `template` leaves open: no XML document can carry it, so it marks nothing else
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class XmlRefused(ValueError):
    """The body declares a DOCTYPE or entities: refused before anything is expanded."""


def _refuse(*_args: Any) -> None:
    raise XmlRefused("DOCTYPE and entity declarations are not accepted")


class _GuardedExpat:
    """The slice of the expat module xmltodict uses, handing out parsers that stop at any DOCTYPE."""

    ExpatError = expat.ExpatError

    @staticmethod
    def ParserCreate(encoding: str | None = None, namespace_separator: str | None = None) -> Any:  # noqa: N802
        parser = expat.ParserCreate(encoding, namespace_separator)
        parser.StartDoctypeDeclHandler = _refuse
        parser.EntityDeclHandler = _refuse
        return parser


def _local_name(_path: Any, key: str, value: Any) -> tuple[str, Any]:
    return key.rpartition(":")[2], value


def parse(body: bytes) -> tuple[str, Any]:
    """(root element name, its content as xmltodict gives it); namespaces and attributes ignored.

    Raises ValueError (XmlRefused for a DOCTYPE) or expat.ExpatError for anything but one
    well-formed document.
    """
    document = xmltodict.parse(body, expat=_GuardedExpat, xml_attribs=False, postprocessor=_local_name)
    if not isinstance(document, dict) or len(document) != 1:
        raise ValueError("not one root element")
    ((root, content),) = document.items()
    return root.rpartition(":")[2], content


def xml_safe(text: str) -> bool:
    """Whether `text` holds only characters an XML 1.0 document may carry."""
    return _NOT_XML_CHAR.search(text) is None


def percent_unsafe(text: str) -> str:
    """`text` with every character XML cannot carry written as %XX (for echoing request data)."""
    return _NOT_XML_CHAR.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8", "replace")), text)


class _CosWriter(XMLGenerator):
    """XMLGenerator that also writes '"' in text as &quot;, as COS does (ETag values)."""

    def characters(self, content: str) -> None:
        if content:
            self._finish_pending_start_element()
            self._write(escape(content, _QUOTE))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def _element(writer: _CosWriter, name: str, value: Any, depth: int) -> None:
    if isinstance(value, list):
        for item in value:
            _element(writer, name, item, depth)
        return
    indent = "\n" + "\t" * depth
    if depth:
        writer.ignorableWhitespace(indent)
    writer.startElement(name, _NO_ATTRIBUTES)
    if isinstance(value, dict):
        if value:
            for key, child in value.items():
                _element(writer, key, child, depth + 1)
            writer.ignorableWhitespace(indent)
    elif value is not None:
        writer.characters(_text(value))
    writer.endElement(name)


def _writer(out: io.StringIO, declaration: bool) -> _CosWriter:
    writer = _CosWriter(out, "utf-8", short_empty_elements=True)
    if declaration:
        writer.processingInstruction(*_ERROR_DECLARATION)
        writer.ignorableWhitespace("\n")
    return writer


def dumps(root: str, content: Any, declaration: bool = False) -> bytes:
    """One document in COS's layout: TAB indentation, '\\n' line ends, no trailing newline,
    `<Empty/>` for None, '' and {}, lists as repeated elements, booleans as true/false.
    Success bodies carry no XML declaration; error bodies carry COS's single-quoted one.
    """
    out = io.StringIO()
    _element(_writer(out, declaration), root, content, 0)
    return out.getvalue().encode("utf-8")


def template(root: str, content: dict[str, Any], declaration: bool = False) -> tuple[str, ...]:
    """`dumps`'s text of a document whose texts given as SLOT are left open: the parts around them,
    for `fill` to complete per answer, so the parts that never change are written once."""
    out = io.StringIO()
    _element(_writer(out, declaration), root, content, 0)
    return tuple(out.getvalue().split(SLOT))


def fill(parts: tuple[str, ...], texts: tuple[str, ...]) -> bytes:
    """The document of `template`'s `parts` with its slots' (non-empty) `texts`, escaped as the writer does."""
    out = [parts[0]]
    for text, part in zip(texts, parts[1:]):
        out += (text if not _ESCAPED.search(text) else escape(text, _QUOTE), part)
    return "".join(out).encode("utf-8")


class FlatDocuments:
    """`dumps` of flat documents (every child a text or empty) through templates kept per root and shape,
    so only the texts are written per document; any other document is written whole."""

    def __init__(self) -> None:
        self._templates: dict[tuple[str | None, ...], tuple[str, ...]] = {}

    def dumps(self, root: str, content: dict[str, Any]) -> bytes:
        shape: list[str | None] = [root]  # the names, each empty one after a None: a bounded set (the code's shapes)
        texts = []
        for name, value in content.items():
            if value is None or value == "":
                shape.append(None)
            elif type(value) is str:
                texts.append(value)
            else:
                return dumps(root, content)
            shape.append(name)
        key = tuple(shape)
        found = self._templates.get(key)
        if found is None:
            slotted = {name: None if value is None or value == "" else SLOT for name, value in content.items()}
            found = self._templates[key] = template(root, slotted)
        return fill(found, tuple(texts))
