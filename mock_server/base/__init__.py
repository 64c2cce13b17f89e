"""The ground floor every layer stands on: Sterling's error classes (``errors``), every setting (``settings``)
and free loopback ports for the fake's tooling (``ports``).

May import: nothing of the fake (the codec ``sterling_mock.client.wire`` only).
"""
