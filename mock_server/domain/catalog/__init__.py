"""The catalogue area (issue 23): the item master, organizations and ship nodes, customers, common codes and
statuses, and the join of items into order outputs.  Where items and customers are kept (the defaults, the tables, the
look-ups and the list search) is ``domain/itemmaster``.

``items`` (manageItem's changes and
the item shapes), ``customers``, ``nodes`` (organizations and ship nodes from the master data), ``config``
(common codes and the status list) and ``enrich`` (``OrderLine/ItemDetails`` when a template asks for it).

May import: domain, store, base.
"""
