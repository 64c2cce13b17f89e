"""Availability alerts (``monitor``): inventory levels watched per item and node, raised as Inbox records.

Apart from ``inventory`` because it raises alerts, and the alerts area reads orders, which read inventory.

May import: domain, store, base.
"""
