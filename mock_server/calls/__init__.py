"""The call pipeline around one API call: what happens between a door and an API function.

``dispatch`` (the one path every door takes: faults, throttling, the transaction, the API, the journal),
``auth`` (credentials and tokens), ``throttle`` (per-user token buckets), ``faults`` (fault rules) and
``journal`` (every call recorded).  No Flask or Werkzeug here: the fast path calls in without a request.

May import: apis, domain, store, base.
"""
