"""Returns and receipts: return orders (DocumentType 0003) derived from sales order lines, limited to the
shipped quantity not yet returned, moving the sales lines to Return Created / Return Received; receipts
(start, receive with dispositions, close) moving the return to Received, and the refund a receipt creates.

May import: domain, store, base.
"""
