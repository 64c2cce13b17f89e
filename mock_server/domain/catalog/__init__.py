"""The catalogue area (issue 23): the item master, organizations and ship nodes, customers, common codes and
statuses, and the join of items into order outputs.

``defaults`` (the deterministic starting catalogue, customers and codes of every namespace), ``records``
(where items and customers are read and written, and their list search), ``items`` (manageItem's changes and
the item shapes), ``customers``, ``nodes`` (organizations and ship nodes from the master data), ``config``
(common codes and the status list) and ``enrich`` (``OrderLine/ItemDetails`` when a template asks for it).

May import: domain, store, base.
"""
