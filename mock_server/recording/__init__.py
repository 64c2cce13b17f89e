"""Record, replay and drift: a recording proxy in front of a real Sterling, stubs built from its recordings for
the APIs the fake does not model, and a report of where the fake answers differently (docs/recording.md).

``format`` (the session on disk), ``redact`` (secrets never reach the disk), ``proxy`` (the recorder and its
``append`` replay), ``documents`` (the documents inside an exchange), ``stubs`` (a recording as stubs: how
stubs answer inside the fake is ``calls/stubs.py``), ``compare``, ``drift`` and ``report`` (the drift report),
``cli`` (``sterling-mock record`` and ``drift``).

A tool on top of the fake: may import everything below it (the doors for drift's in-process fake, the call
pipeline's stubs), the client's codec, requests and werkzeug; nothing in the fake imports it but the command
line.
"""
