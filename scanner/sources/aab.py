"""Read the protocol-buffer XML and resource table of an Android App Bundle (.aab).

An .aab keeps its manifest, layouts and resource table in aapt2's protobuf format (Resources.proto),
not as binary XML: base/manifest/AndroidManifest.xml is an XmlNode, base/resources.pb a
ResourceTable. Only what the scanner reads is decoded here, with a wire-format reader of a few
lines instead of a protobuf dependency: elements, attributes (their source strings, or the typed
value where none is kept) and string resources. Anything malformed raises AabFormatError.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree

# field numbers of aapt2's Resources.proto
XML_NODE_ELEMENT, XML_NODE_TEXT = 1, 2
ELEMENT_NAMESPACE_URI, ELEMENT_NAME, ELEMENT_ATTRIBUTE, ELEMENT_CHILD = 2, 3, 4, 5
ATTRIBUTE_NAMESPACE_URI, ATTRIBUTE_NAME, ATTRIBUTE_VALUE, ATTRIBUTE_COMPILED_ITEM = 1, 2, 3, 6
ITEM_STR, ITEM_RAW_STR, ITEM_PRIM = 2, 3, 7
PRIM_INT_DECIMAL, PRIM_INT_HEX, PRIM_BOOLEAN = 6, 7, 8
TABLE_PACKAGE, PACKAGE_TYPE, TYPE_NAME, TYPE_ENTRY, ENTRY_NAME, ENTRY_CONFIG_VALUE = 2, 3, 2, 3, 2, 6
CONFIG_VALUE_CONFIG, CONFIG_VALUE_VALUE, CONFIG_LOCALE, VALUE_ITEM, STRING_VALUE = 1, 2, 3, 4, 1
MAX_DEPTH = 64  # manifests and layouts nest a few levels; deeper is damage or hostility


class AabFormatError(ValueError):
    """Bytes that are not the protobuf message they should be."""


@dataclass(frozen=True)
class _Field:
    number: int
    wire: int
    value: Any  # int for varint/fixed, bytes for length-delimited


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(data) or shift > 63:
            raise AabFormatError("truncated varint")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, at
        shift += 7


def fields(data: bytes) -> Iterator[_Field]:
    """The fields of one message, in order."""
    at = 0
    while at < len(data):
        key, at = _varint(data, at)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, at = _varint(data, at)
        elif wire == 2:
            size, at = _varint(data, at)
            if at + size > len(data):
                raise AabFormatError("length past the end of the message")
            value, at = data[at:at + size], at + size
        elif wire in (1, 5):
            width = 8 if wire == 1 else 4
            if at + width > len(data):
                raise AabFormatError("truncated fixed-width field")
            value, at = int.from_bytes(data[at:at + width], "little"), at + width
        else:
            raise AabFormatError(f"unsupported wire type {wire}")
        yield _Field(number, wire, value)


def _text(value: bytes) -> str:
    return value.decode("utf-8", errors="replace")


def xml_tree(data: bytes) -> Any:
    """An XmlNode as an lxml element tree, attributes named {namespace}name as binary XML reads them."""
    root = _element(data, depth=0)
    if root is None:
        raise AabFormatError("no root element")
    return root


def _element(node: bytes, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise AabFormatError("elements nested too deep")
    element_bytes = next((f.value for f in fields(node) if f.number == XML_NODE_ELEMENT and f.wire == 2), None)
    if element_bytes is None:
        return None  # a text node
    name, namespace, attributes, children = "", "", [], []
    for f in fields(element_bytes):
        if f.wire != 2:
            continue
        if f.number == ELEMENT_NAME:
            name = _text(f.value)
        elif f.number == ELEMENT_NAMESPACE_URI:
            namespace = _text(f.value)
        elif f.number == ELEMENT_ATTRIBUTE:
            attributes.append(_attribute(f.value))
        elif f.number == ELEMENT_CHILD:
            children.append(f.value)
    if not name:
        raise AabFormatError("element without a name")
    element = etree.Element(f"{{{namespace}}}{name}" if namespace else name)
    for attr_name, value in attributes:
        if attr_name:
            element.set(attr_name, value)
    for child in children:
        sub = _element(child, depth + 1)
        if sub is not None:
            element.append(sub)
    return element


def _attribute(data: bytes) -> tuple[str, str]:
    namespace = name = value = ""
    compiled = b""
    for f in fields(data):
        if f.wire != 2:
            continue
        if f.number == ATTRIBUTE_NAMESPACE_URI:
            namespace = _text(f.value)
        elif f.number == ATTRIBUTE_NAME:
            name = _text(f.value)
        elif f.number == ATTRIBUTE_VALUE:
            value = _text(f.value)
        elif f.number == ATTRIBUTE_COMPILED_ITEM:
            compiled = f.value
    if not value and compiled:
        value = _item_text(compiled)
    return (f"{{{namespace}}}{name}" if namespace and name else name), value


def _item_text(item: bytes) -> str:
    """A compiled value as its source would write it: a string, a number, true / false."""
    for f in fields(item):
        if f.wire == 2 and f.number in (ITEM_STR, ITEM_RAW_STR):
            return next((_text(s.value) for s in fields(f.value) if s.number == STRING_VALUE and s.wire == 2), "")
        if f.wire == 2 and f.number == ITEM_PRIM:
            for p in fields(f.value):
                if p.number == PRIM_BOOLEAN:
                    return "true" if p.value else "false"
                if p.number in (PRIM_INT_DECIMAL, PRIM_INT_HEX):
                    return str(p.value - (1 << 32) if p.number == PRIM_INT_DECIMAL and p.value >= 1 << 31 else p.value)
    return ""


def string_resources(table: bytes) -> Iterator[tuple[str, str, str]]:
    """(locale, name, value) of every string resource of a ResourceTable."""
    for package in (f.value for f in fields(table) if f.number == TABLE_PACKAGE and f.wire == 2):
        for type_ in (f.value for f in fields(package) if f.number == PACKAGE_TYPE and f.wire == 2):
            type_fields = list(fields(type_))
            type_name = next((_text(f.value) for f in type_fields if f.number == TYPE_NAME and f.wire == 2), "")
            if type_name != "string":
                continue
            for entry in (f.value for f in type_fields if f.number == TYPE_ENTRY and f.wire == 2):
                yield from _entry_strings(entry)


def _entry_strings(entry: bytes) -> Iterator[tuple[str, str, str]]:
    entry_fields = list(fields(entry))
    name = next((_text(f.value) for f in entry_fields if f.number == ENTRY_NAME and f.wire == 2), "")
    for config_value in (f.value for f in entry_fields if f.number == ENTRY_CONFIG_VALUE and f.wire == 2):
        locale, text = "", ""
        for f in fields(config_value):
            if f.wire != 2:
                continue
            if f.number == CONFIG_VALUE_CONFIG:
                locale = next((_text(c.value) for c in fields(f.value) if c.number == CONFIG_LOCALE and c.wire == 2), "")
            elif f.number == CONFIG_VALUE_VALUE:
                item = next((v.value for v in fields(f.value) if v.number == VALUE_ITEM and v.wire == 2), b"")
                text = _item_text(item) if item else ""
        if name:
            yield locale, name, text
