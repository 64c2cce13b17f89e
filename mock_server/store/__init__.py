"""The store: all state of the fake, and the machinery that makes it fast.

``core`` (the ``Store``: connections, versioned schema, write and read transactions, reset), ``tx`` (``Tx``, the
operations of one transaction: sequences, controls, the clock, tokens, the order rows and the rendered-output
rows beside them), ``db`` (the SQLite and PostgreSQL backends), ``schema`` (table definitions by
area), ``keys`` (the size bound of key columns), ``journal`` (the request journal's rows and its bookkeeping
transactions), ``pgcluster`` (a throwaway PostgreSQL for tests and benchmarks).  Everything above sees only
``Store``/``Tx`` and the small functions of these modules.

The speed machinery, one paragraph each (figures from bench/README.md, ratios to the same run's baseline):

- The rendered-output cache -- default getOrderDetails bodies and templated list fragments stored as rows beside
  each order (``Tx.renders_of`` here; what to render into them is ``domain/orders/cache.py``, as rendering is
  domain work).  Why: building an answer from rows is mostly dict building; serving stored bytes is one
  primary-key SELECT.  Gain: getOrderDetails JSON 0.17x -> 0.22x and XML 0.14x -> 0.25x when it landed.  A row is
  only inserted while the order still holds the bytes it was rendered from, and every write deletes the order's
  rows in its own transaction, so a read after a write sees it.  Proven by tests/test_perf_cache.py and
  tests/test_perf_read_path.py (cached answers against answers rendered from rows).
- ``spool`` -- each process appends its journal rows to a file of its own, settled into the journal table in
  batches off the request path.  Why: a journal transaction per call was the largest cost of a read.  Gain:
  getOrderDetails 2,538 -> 3,449 req/s (+36 %), templated list 2,034 -> 2,724 (+34 %).  Proven by
  tests/test_journal_spool.py (every entry arrives in call order; a killed writer's torn tail is dropped).
- ``walcheckpoint`` -- SQLite WAL checkpoints (and spool settling) in one background thread per process, every
  0.25 s.  Why: an automatic checkpoint inside a request stalls it.  Gain: getOrderDetails 0.29x -> 0.40x with the
  changes of its round; the 0.25 s pass 3,847 -> 4,054 req/s.  Proven by tests/test_durability.py,
  tests/test_journal_spool.py and tests/test_wal_bound.py.  It is handed the journal's settle function by the
  journal's writers, so it needs no import of the journal.
- Prepared writes (``calls/deferred.py``, in the call pipeline because it runs the API function twice: once
  outside the write lock with unguessable tokens for keys and numbers, then replays the recorded writes inside
  it).  Gain: createOrder 907 -> 1,088-1,169 req/s with two companions.  Proven by tests/test_prepared_writes.py
  (the same book written both ways is identical, and the prepared path is really taken).

May import: base only (and the codec ``sterling_mock.client.wire``).
"""
