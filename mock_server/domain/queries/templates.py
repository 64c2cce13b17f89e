"""Output-template pruning (reference §11): only the elements and attributes a template names come back.

An element named with no attributes returns all of its attributes (IBM: "if an element is specified
without attributes, all attributes of that element are returned"), but only the child elements the
template names.  Attribute values in the template are ignored (an empty value means "include").
"""

from __future__ import annotations

from typing import Any

from sterling_mock.client.wire import Doc, as_list

#: Root attributes of list outputs that come back whatever the template says [OBS].
PAGING_ATTRS = frozenset(
    {
        "TotalOrderList",
        "LastOrderHeaderKey",
        "LastRecordSet",
        "ReadFromHistory",
        "TotalLineList",
        "LastOrderLineKey",
        "TotalOrderReleaseList",
        "LastOrderReleaseKey",
        "TotalNumberOfRecords",
        "IsFirstPage",
        "IsLastPage",
        "IsValidPage",
        "PageNumber",
        "PageSetToken",
    }
)


def apply_template(root: str, doc: Doc, template: Doc, *, keep_paging: bool = True) -> Doc:
    """Prune ``doc`` (the element ``root``) to what ``template`` (the same element's template) names."""
    attrs = [k for k, v in template.items() if isinstance(v, str)]
    out: Doc = {}
    if attrs:
        for name in attrs:
            found = doc.get(name)
            if isinstance(found, str):
                out[name] = found
        if keep_paging:
            out.update({k: v for k, v in doc.items() if k in PAGING_ATTRS and isinstance(v, str)})
    else:
        out.update({k: v for k, v in doc.items() if isinstance(v, str)})
    for name, sub_template in template.items():
        if isinstance(sub_template, str):
            continue
        sub = sub_template[0] if isinstance(sub_template, list) and sub_template else sub_template
        if not isinstance(sub, dict):
            continue
        value: Any = doc.get(name)
        if isinstance(value, dict):
            out[name] = apply_template(name, value, sub, keep_paging=False)
        elif isinstance(value, list):
            out[name] = [apply_template(name, item, sub, keep_paging=False) for item in as_list(value)]
    return out


def item_template(template: Doc | None, name: str) -> Doc | None:
    """The template of a list's repeated element (``OrderList/Order``), or None when it names none."""
    if template is None:
        return None
    sub = template.get(name)
    if isinstance(sub, list):
        sub = sub[0] if sub else None
    return sub if isinstance(sub, dict) else None


def needs_full_order(template: Doc, available: Doc) -> bool:
    """Does the template name a child element the light view lacks (lines, statuses, detail-only parts)?"""
    return any(not isinstance(value, str) and name not in available for name, value in template.items())
