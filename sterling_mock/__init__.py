"""sterling-mock: a local, stateful fake of IBM Sterling OMS, its client and its test data, under one import name.

The subpackages are the repository's top-level folders (``mock_server/``, ``client/``, ``fixtures/``), linked
here so that installing the project claims one import name only: ``sterling_mock.mock_server`` (the fake),
``sterling_mock.client`` (the Sterling client) and ``sterling_mock.fixtures`` (test data).
"""
