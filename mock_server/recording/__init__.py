"""Record, replay and drift: a recording proxy in front of a real Sterling, stubs served from its recordings
for APIs the fake does not model, and a report of where the fake answers differently (docs/recording.md).

``format`` (the session on disk), ``redact`` (secrets never reach the disk), ``proxy`` (the recorder),
``stubs`` (matching and serving recorded or hand-written answers), ``compare`` and ``drift`` (the report).

May import: the client's codec (``client.wire``), requests, werkzeug, and the fake's calls, apis, doors and base
(stub serving, and drift's in-process fake).  Nothing inside the fake imports this package except at the
edges: the dispatcher (stubs for unmodelled APIs), the control plane and the command line.
"""
