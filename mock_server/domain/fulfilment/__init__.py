"""Fulfilment: moving quantities between statuses (``lifecycle``: schedule, release, status changes) and
shipments (``shipping``: create, confirm, change).

May import: domain, store, base.
"""
