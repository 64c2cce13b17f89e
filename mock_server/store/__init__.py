"""The store: all state of the fake, and the machinery that makes it fast.

``core`` (the ``Store`` and its transactions ``Tx``, versioned schema, sequences, reset), ``db`` (the SQLite and
PostgreSQL backends), ``schema`` (table definitions by area), ``snapshot`` (export and import of a namespace),
``pgcluster`` (a throwaway PostgreSQL for tests and benchmarks) and the speed machinery below.  Everything above
sees only ``Store``/``Tx`` and the small functions of these modules.

Speed machinery, one paragraph each:

- ``cache`` -- the rendered-output cache.  Why: building getOrderDetails and list fragments from rows is ~70 %
  dict building; serving stored bytes is one primary-key SELECT.  Gain: getOrderDetails 0.47x -> 0.57x and
  templated lists 0.21x -> 0.46x of the static baseline (bench/README.md).  Written in the same transaction as
  every change, so a read after a write sees it.  Proven by tests/test_perf_cache.py and test_perf_read_path.py,
  which compare cached answers with answers rendered from rows.
- ``deferred`` -- prepared writes: a write API is built outside the write lock and committed in a few statements
  inside it.  Why: the lock is the bottleneck for concurrent createOrder.  Proven by tests/test_prepared_writes.py
  (the same book written both ways gives identical orders, and the prepared path is really taken).
- ``spool`` -- the journal's spool: each process appends journal rows to a file of its own, settled into the
  database in batches.  Why: one journal INSERT per call in the write transaction cost ~10 % of createOrder.
  Proven by tests/test_journal_spool.py (every entry arrives, in order, after a crash too).
- ``walcheckpoint`` -- SQLite WAL checkpoints off the request path, every 0.25 s in a background thread.  Why: an
  auto-checkpoint inside a request stalls it; batching copies each hot page once.  Gain: getOrderDetails
  3,847 -> 4,054 req/s on the rig.  Proven by tests/test_durability.py and test_journal_spool.py.

May import: base only (the codec ``sterling_mock.client.wire`` too).
"""
