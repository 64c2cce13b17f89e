"""Payments: the payment methods an order carries (``methods``: kinds, display numbers, charge sequence and
limits) and the charge transactions processOrderPayments writes (``charges``: authorisations, charges,
refunds, header totals, PaymentStatus, declines set up from the control plane).

May import: domain, store, base.
"""
