"""The domain: Sterling's business behaviour by area, without HTTP and without API functions.

By business area, a package each: ``orders`` (the order model, renders, audits, the render cache's fill policy),
``fulfilment`` (status moves, releases, shipments), ``queries`` (the query language, the order search, output
templates), and the areas the API families bring (catalogue, inventory, holds, payments, invoices, returns,
alerts).  Beside them: ``statuses`` (the status pipelines of every document type), ``clock`` (the virtual clock
and Sterling's date formats), ``context`` (what an API function sees), ``auth`` (users, login tokens, JWTs),
``masterdata`` (enterprises, nodes, items, supply from the master-data file), ``snapshot`` (a namespace's whole
state out and in) and ``invariants`` (what must hold in the store after any call).

May import: store, base.  Never apis, calls or doors.
"""
