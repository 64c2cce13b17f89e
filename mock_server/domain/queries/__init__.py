"""Queries: the list query language (``query``: QryTypes, ranges, ComplexQuery, OrderBy), the order search
pushed down to SQL (``order_query``) and output-template pruning (``templates``).

May import: domain, store, base.
"""
