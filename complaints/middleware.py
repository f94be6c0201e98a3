from .history import PUBLIC_FILER, acting


class HistoryActorMiddleware:
    """Attribute writes made while serving a request to the signed-in user, or to 'public filer'.

    Nothing about the requester (address, browser) is kept: anonymous filers must stay anonymous.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            with acting(by=user):
                return self.get_response(request)
        with acting(label=PUBLIC_FILER):
            return self.get_response(request)
