"""Where items and customers are kept (issue 23): the deterministic defaults every namespace starts with
(``defaults``), their tables, the look-ups by natural key and the list search (``records``).

Apart from ``catalog`` (the APIs' behaviour: manageItem, shapes, organizations, codes) so that other areas
(inventory's strict checks) can look an item up without importing the query language and, through it, the
order model.

May import: store, base, and the domain's context (never queries, orders or catalog).
"""
