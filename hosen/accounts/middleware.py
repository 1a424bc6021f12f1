from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """A signed-in user's chosen language follows her to a new phone or browser.

    The language cookie decides while it is there (LocaleMiddleware); on a device without the cookie
    the language she chose before, kept on her account, is used and the cookie is set again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = getattr(request.user, "language", "") if request.user.is_authenticated else ""
        restore = chosen and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        if restore:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        if restore:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, chosen, max_age=settings.LANGUAGE_COOKIE_AGE,
                                samesite="Lax")
        return response
