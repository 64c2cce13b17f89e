"""The one codec: Sterling documents <-> XML and Sterling's JSON mapping (reference §2).

A *document* is a plain dict: a ``str`` value is an attribute, a ``dict`` value is one child element, a
``list`` of dicts is a repeated child element.  The root element's name travels beside the document
(JSON drops it on the wire).  The fake renders with this module and the client parses with it, so the
raw-wire tests in ``tests/test_wire_raw.py`` check bytes without going through it.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

Doc = dict[str, Any]

#: Repeating elements whose parent's name does not start with theirs, yet are arrays in Sterling's JSON
#: (arrays follow the schema, not the count) [OBS: Liverpool getOrderDetails JSON].
ALWAYS_LIST = frozenset({"Modification"})
#: (parent, child) pairs that are arrays although neither rule above says so, by the schema:
#: ``SubOrganization/Organization`` (getOrganizationHierarchy) [DOC template].
ALWAYS_LIST_UNDER = frozenset({("SubOrganization", "Organization")})

TEXT_KEY = "#text"
DEFAULT_MAX_DEPTH = 64


class WireError(ValueError):
    """A document that cannot be parsed; ``kind`` says why (malformed, doctype, depth, type)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@functools.lru_cache(maxsize=4096)
def is_list_child(parent: str, child: str) -> bool:
    """Sterling's single-child rule: is ``child`` under ``parent`` always an array in JSON?"""
    if child in ALWAYS_LIST or (parent, child) in ALWAYS_LIST_UNDER:
        return True
    return parent != child and parent.startswith(child)


# --------------------------------------------------------------------------------------------- XML out

_ATTR_ESCAPE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)
_TEXT_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: Any character an attribute value cannot carry as it is (escaped or replaced by ``_attr``).
_NEEDS_ESCAPE = re.compile('[&<>"\x00-\x1f\ufffe\uffff]')


def _attr(value: str) -> str:
    value = value.translate(_ATTR_ESCAPE)
    if _INVALID_XML_CHARS.search(value):
        value = _INVALID_XML_CHARS.sub("\ufffd", value)
    return value


def _element_xml(name: str, doc: Doc, out: list[str], indent: str | None, level: int) -> None:
    attrs: list[tuple[str, str]] = []
    children: list[tuple[str, Doc]] = []
    text: str | None = None
    for key, value in doc.items():
        if isinstance(value, str):
            if key == TEXT_KEY:
                text = value
            else:
                attrs.append((key, value))
        elif isinstance(value, dict):
            children.append((key, value))
        elif isinstance(value, list):
            children.extend((key, item) for item in value if isinstance(item, dict))
        elif value is not None:
            attrs.append((key, str(value)))
    # Attributes in ASCII order, as real Sterling writes them [OBS]; children keep document order.
    attrs.sort()
    pad = "" if indent is None or level == 0 else "\n" + indent * level
    if _NEEDS_ESCAPE.search("".join([v for _, v in attrs])) is None:  # the usual case: one scan, no copies
        head = pad + "<" + name + "".join([f' {k}="{v}"' for k, v in attrs])
    else:
        head = pad + "<" + name + "".join([f' {k}="{_attr(v)}"' for k, v in attrs])
    if not children and text is None:
        out.append(head + "/>")
        return
    out.append(head + ">")
    if text is not None:
        out.append(text.translate(_TEXT_ESCAPE))
    for child_name, child_doc in children:
        _element_xml(child_name, child_doc, out, indent, level + 1)
    if children and indent is not None:
        out.append("\n" + indent * level)
    out.append(f"</{name}>")


def to_xml(root: str, doc: Doc, *, declaration: bool = True, indent: str | None = None) -> bytes:
    """Render ``doc`` as ``<root ...>``: declaration, compact, attributes in ASCII order."""
    out: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>'] if declaration else []
    _element_xml(root, doc, out, indent, 0)
    if indent is not None and declaration:
        out.insert(1, "\n")
    return "".join(out).encode("utf-8")


def xml_fragment(root: str, doc: Doc) -> str:
    """One element as text, without a declaration (used to pre-render list fragments)."""
    out: list[str] = []
    _element_xml(root, doc, out, None, 0)
    return "".join(out)


# --------------------------------------------------------------------------------------------- JSON out


def to_jsonable(parent: str, doc: Doc) -> dict[str, Any]:
    """Apply Sterling's JSON mapping to one element's content (its own name is ``parent``)."""
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if isinstance(value, str):
            out[key] = value
        elif isinstance(value, dict):
            out[key] = [to_jsonable(key, value)] if is_list_child(parent, key) else to_jsonable(key, value)
        elif isinstance(value, list):
            items = [to_jsonable(key, item) for item in value if isinstance(item, dict)]
            if len(items) == 1 and not is_list_child(parent, key):
                out[key] = items[0]
            else:
                out[key] = items
        elif value is not None:
            out[key] = str(value)
    return out


def _dumps(obj: Any) -> bytes:
    try:
        import orjson

        return bytes(orjson.dumps(obj))
    except ImportError:  # the client does not require orjson
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def to_json(root: str, doc: Doc) -> bytes:
    """Render ``doc`` in Sterling's JSON mapping: root name dropped, every value a string."""
    return _dumps(to_jsonable(root, doc))


# --------------------------------------------------------------------------------------------- XML in


def _safe_parser() -> Any:
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def from_xml(data: bytes | str, *, max_depth: int = DEFAULT_MAX_DEPTH) -> tuple[str, Doc]:
    """Parse XML into ``(root name, document)``; DOCTYPE and entities are refused, never expanded."""
    from lxml import etree

    raw = data.encode("utf-8") if isinstance(data, str) else data
    if not raw.strip():
        raise WireError("empty", "The request body is empty.")
    if _DOCTYPE.search(raw):
        raise WireError("doctype", "DOCTYPE and entity declarations are not allowed in an input document.")
    try:
        root = etree.fromstring(raw, _safe_parser())
    except etree.XMLSyntaxError as exc:
        raise WireError("malformed", f"The input is not well-formed XML: {exc}") from None
    except ValueError as exc:
        raise WireError("malformed", f"The input is not well-formed XML: {exc}") from None
    if root.getroottree().docinfo.doctype:
        raise WireError("doctype", "DOCTYPE declarations are not allowed in an input document.")
    return etree.QName(root).localname, _element_doc(root, 1, max_depth)


def _element_doc(element: Any, depth: int, max_depth: int) -> Doc:
    from lxml import etree

    if depth > max_depth:
        raise WireError("depth", f"The document is nested deeper than {max_depth} levels.")
    doc: Doc = {}
    for key, value in element.attrib.items():
        if key.startswith("{"):
            continue  # namespaced attributes (xsi:...) are declarations, not data
        doc[key] = value
    name = etree.QName(element).localname
    for child in element:
        if not isinstance(child.tag, str):
            continue
        child_name = etree.QName(child).localname
        child_doc = _element_doc(child, depth + 1, max_depth)
        existing = doc.get(child_name)
        if existing is None:
            doc[child_name] = [child_doc] if is_list_child(name, child_name) else child_doc
        elif isinstance(existing, list):
            existing.append(child_doc)
        elif isinstance(existing, dict):
            doc[child_name] = [existing, child_doc]
        else:  # an attribute and a child of the same name: the child wins, as in Sterling's JSON
            doc[child_name] = child_doc
    text = (element.text or "").strip()
    if text and len(element) == 0:
        doc[TEXT_KEY] = text
    return doc


# --------------------------------------------------------------------------------------------- JSON in


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "Y" if value else "N"  # {"Desc": true} as IBM's client sends it
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def from_jsonable(obj: Any, *, max_depth: int = DEFAULT_MAX_DEPTH, _depth: int = 1) -> Doc:
    """Turn parsed JSON (Sterling's mapping) into a document; numbers and booleans become strings."""
    if _depth > max_depth:
        raise WireError("depth", f"The document is nested deeper than {max_depth} levels.")
    if not isinstance(obj, dict):
        raise WireError("type", "A Sterling JSON document must be an object.")
    doc: Doc = {}
    for key, value in obj.items():
        if not isinstance(key, str) or not key:
            raise WireError("type", "Empty attribute or element name in the input document.")
        if value is None:
            continue
        if isinstance(value, dict):
            doc[key] = from_jsonable(value, max_depth=max_depth, _depth=_depth + 1)
        elif isinstance(value, list):
            items = []
            for item in value:
                if not isinstance(item, dict):
                    raise WireError("type", f"Element '{key}' must hold objects, not {type(item).__name__}.")
                items.append(from_jsonable(item, max_depth=max_depth, _depth=_depth + 1))
            doc[key] = items
        else:
            doc[key] = _scalar(value)
    return doc


def from_json(data: bytes | str, *, max_depth: int = DEFAULT_MAX_DEPTH) -> Doc:
    """Parse a JSON request body into a document."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if not raw.strip():
        raise WireError("empty", "The request body is empty.")
    try:
        try:
            import orjson

            obj = orjson.loads(raw)
        except ImportError:
            obj = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise WireError("malformed", f"The input is not valid JSON: {exc}") from None
    return from_jsonable(obj, max_depth=max_depth)


# --------------------------------------------------------------------------------------------- helpers


def as_list(value: Any) -> list[Doc]:
    """A child that may be absent, one object or a list, always as a list (the single-child quirk)."""
    if value is None or isinstance(value, str):
        return []
    if isinstance(value, dict):
        return [value]
    return [item for item in value if isinstance(item, dict)]


def child(doc: Doc, *path: str) -> Doc | None:
    """Follow element names; a repeated element yields its first entry."""
    node: Any = doc
    for name in path:
        if not isinstance(node, dict):
            return None
        node = node.get(name)
        if isinstance(node, list):
            node = node[0] if node else None
    return node if isinstance(node, dict) else None
