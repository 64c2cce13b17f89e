"""Demo data: realistic orders seeded through the APIs (``seed``) and bulk seeding by cloning stored prototype
orders (``bulk``), deterministic for a seed and a clock.

May import: calls, apis, domain, store, base (it drives the same calls a client makes).
"""
