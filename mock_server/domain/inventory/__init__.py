"""Inventory: supply per item and node (``supply``: records, adjustments, availability, strict checks),
sourcing and promising (``sourcing``: nodes by distance and priority, lead-time dates, plans per line),
reservations (``reservations``) and what orders hold against supply (``demand``: scheduling, shipping,
cancelling).  Availability alerts are in ``domain/availability``.

May import: domain, store, base.
"""
