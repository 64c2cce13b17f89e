"""Holds: the hold types each enterprise configures and the transactions they block (``config``), and the
holds put on orders and lines, resolved, audited and checked before scheduling, release and shipment
(``holds``).

May import: domain, store, base.
"""
