"""Input size limits beyond the body size and depth: elements per document, attributes per element."""

from __future__ import annotations

from typing import Any

from sterling_mock.mock_server.base.errors import DocumentTooLarge

# Work per request is bounded by the body limit only if it grows linearly with the body: an order's lines
# cost ~14 KB of memory each once built and stored (200,000 bare <OrderLine/> in a 5 MB body took 65 s and
# 2.9 GB), and lxml reads an element's attribute values in quadratic time (100,000 attributes on one element
# in a 1 MB body took 82 s).  Sterling's richest elements carry about 100 attributes.
MAX_ELEMENTS = 20_000
MAX_ATTRIBUTES = 1_000


def check_xml_attributes(body: bytes, limit: int = MAX_ATTRIBUTES) -> None:
    """Refuse an element with more than ``limit`` attributes before the codec reads their values."""
    if body.count(b"=") <= limit:
        return  # no element can carry more attributes than the body has '=' signs
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError):
        return  # the codec reports it with its own message
    widest = max((len(element.attrib) for element in root.iter() if isinstance(element.tag, str)), default=0)
    if widest > limit:
        raise DocumentTooLarge(f"An element has {widest} attributes; the limit is {limit}.")


def check_elements(doc: Any, limit: int = MAX_ELEMENTS) -> None:
    """Refuse a parsed document with more than ``limit`` elements (objects, in JSON)."""
    count = 0
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            count += 1
            if count > limit:
                raise DocumentTooLarge(f"The document has more than {limit} elements.")
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(node)
