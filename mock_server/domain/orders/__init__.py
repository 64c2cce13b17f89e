"""Orders: the canonical order document (``model``), the status pipelines (``statuses``), the output shapes
(``render``) and the audit records every change writes (``audit``).

May import: domain, store, base.
"""
