"""The contract suite: the same tests against the fake (default) or a real Sterling (``STERLING_URL``)."""
