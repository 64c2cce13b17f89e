"""Invoices: order invoices built from shipped quantity (on shipment confirmation, or createOrderInvoice),
credit invoices for received returns, and the invoiced totals they add to the order and its lines.

May import: domain, store, base.
"""
