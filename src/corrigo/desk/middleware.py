"""A Content-Security-Policy for every desk page (docs/decisions/0004-desk.md says why not django-csp).

The desk runs only scripts from its own static files (htmx and desk.js): no inline
script, no eval, no style attribute, so reader text that slipped past escaping could
still not run. Other apps (the demo page, the API, the admin) set their own headers.
"""

DESK_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)


def content_security_policy(get_response):
    def middleware(request):
        response = get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.app_name == "desk":
            response.setdefault("Content-Security-Policy", DESK_POLICY)
        return response

    return middleware
