"""Browser-session middleware that the API goes without.

The API (/api/…) answers scripts and servers: it reads no session, no logged-in user and no
flash message, and its JSON is framed by nobody. Django's session, authentication, messages
and X-Frame-Options middleware still ran on every report: about 4 % of a report's
instructions (5.08 M → 4.87 M; decision 0041, bench/README.md "Intake with every capability
of issues 9–14, cut").
These subclasses run Django's own code for every other path and pass API requests straight
on. None of the four has a process_view, process_exception or process_template_response
hook, so passing a request on skips exactly their process_request and process_response.
"""

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.middleware.clickjacking import XFrameOptionsMiddleware

API_PREFIX = "/api/"


class _NotForTheAPI:
    def __call__(self, request):
        if request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        return super().__call__(request)


class Sessions(_NotForTheAPI, SessionMiddleware):
    pass


class Authentication(_NotForTheAPI, AuthenticationMiddleware):
    pass


class Messages(_NotForTheAPI, MessageMiddleware):
    pass


class FrameOptions(_NotForTheAPI, XFrameOptionsMiddleware):
    pass
