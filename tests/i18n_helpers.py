"""A pseudo-translation for tests: every message bracketed, so a string that skips gettext shows bare."""
import gettext


class Pseudo(gettext.NullTranslations):
    """Brackets every message (⟦...⟧ by default), in the singular or plural the number asks for."""

    def __init__(self, left: str = "\u27e6", right: str = "\u27e7"):
        super().__init__()
        self.left, self.right = left, right

    def gettext(self, message):
        return f"{self.left}{message}{self.right}"

    def ngettext(self, singular, plural, n):
        return self.gettext(singular if n == 1 else plural)

    def pgettext(self, context, message):
        return self.gettext(message)
