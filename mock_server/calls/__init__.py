"""The call pipeline around one API call: what happens between a door and an API function.

``call`` (who calls what, through which door), ``dispatch`` (the one path every door takes: due agent steps,
throttling, faults, the transaction, the API, the journal), ``agents`` (the lifecycle agents: due steps run
before a call, and they call the APIs through ``dispatch`` as a Sterling agent server does), ``throttle``
(per-user token buckets), ``faults`` (fault rules), ``deferred`` (prepared writes: a write API built outside the
store's write lock) and ``stubs`` (answers for APIs the fake does not model, from recordings or stub files).
No Flask or Werkzeug here: the fast path calls in without a request.

May import: apis, domain, store, base.
"""
