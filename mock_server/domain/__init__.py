"""The domain: Sterling's business behaviour by area, without HTTP and without API functions.

``orders`` (the order model, statuses, renders, audits), ``fulfilment`` (status moves, releases, shipments),
``queries`` (the query language, the order search, output templates), ``masterdata`` (enterprises, nodes, items,
supply), ``clock`` (the virtual clock and Sterling's date formats), ``context`` (what an API function sees) and
``invariants`` (what must hold in the store after any call).

May import: store, base.  Never apis, calls or doors.
"""
