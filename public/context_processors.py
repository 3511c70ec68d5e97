from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info


def observatory(request):
    return {"observatory_name": settings.OBSERVATORY_NAME}


def languages(request):
    """
    The page in each language of the site, for the language menu and the hreflang
    alternates: the same address under each language's prefix (its query kept), each
    language named in itself.
    """
    current = get_language()
    path = request.get_full_path()
    return {
        "page_languages": [
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": translate_url(path, code),
                "current": code == current,
            }
            for code, _name in settings.LANGUAGES
        ]
    }
