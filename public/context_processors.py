from django.conf import settings


def observatory(request):
    return {"observatory_name": settings.OBSERVATORY_NAME}
