"""The staff login page, without a session row for every visitor who only opens it."""

from two_factor.views import LoginView as TwoFactorLoginView


class LoginView(TwoFactorLoginView):
    """
    django-two-factor-auth's login. Its wizard keeps its state in the session from the first
    page on, so every visit to the login page, by anyone or any crawler, would write a session
    row. A visitor without a session gets the first step rendered from a fresh state that is
    then dropped: the session, and its row, start with the password step's POST.
    """

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.without_session = request.session.is_empty()

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.without_session:
            response.render()  # the page reads the wizard's state as it renders
            request.session.pop(self.storage.prefix, None)
        return response
