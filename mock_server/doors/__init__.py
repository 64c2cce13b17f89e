"""The doors: every HTTP face of the fake, and nothing else knows HTTP.

The Flask app factory (``app``), the REST face and its WSGI fast path (``rest``), the resource face
(``resources``), the interop servlet (``interop``), content negotiation and rendering (``http``), input limits
(``limits``), serving under gunicorn (``server``) and the in-process mode (``inprocess``).  A request becomes
``(api, document, caller)`` here and goes down to ``calls``.

May import: calls, apis, domain, store, base (and control, console to mount their blueprints).
"""
