"""Alerts: Sterling's Inbox records (exceptions) for a person to act on, raised by callers (createException)
or by the fake itself where Sterling would (a line backordered, a payment declined, a hold applied), listed
and resolved with their audit trail.  ``alerts.raise_alert`` is the one entry point for other areas.

May import: domain, store, base.
"""
