"""A stand-in for authentik's session API, for the bench only: authentik's own models, serializer, view set,
pagination and DRF settings for /api/v3/core/authenticated_sessions/ (quoted in ../shared/spec/authentik.md),
on Django REST framework under gunicorn, the stack authentik serves it with. See bench/authentik-stack/run.sh."""
import os
from urllib.parse import urlparse

_db = urlparse(os.environ["STANDIN_DATABASE_URL"])

SECRET_KEY = "bench-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "UTC"
ROOT_URLCONF = "standin.urls"
INSTALLED_APPS = ["rest_framework", "django_filters", "standin"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _db.path.lstrip("/"),
        "USER": _db.username or "postgres",
        "HOST": _db.hostname,
        "PORT": _db.port or 5432,
        # authentik keeps connections open between requests (CONN_MAX_AGE), as SessionHub's pool does.
        "CONN_MAX_AGE": None,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# authentik's REST_FRAMEWORK settings (authentik/root/settings.py), with its QLSearch replaced by the SearchFilter it
# falls back to for this view set (no get_ql_fields), and ObjectFilter / ObjectPermissions by their superuser
# outcome (the bench's caller is a superuser: the queryset unchanged, every action allowed).
REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "standin.rest.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "rest_framework.filters.SearchFilter",
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PERMISSION_CLASSES": ("standin.rest.SuperuserOnly",),
    "DEFAULT_AUTHENTICATION_CLASSES": ("standin.rest.TokenAuthentication",),
    # authentik renders with drf-orjson-renderer, which Debian does not package: the standard library's C encoder
    # is slower, so the stand-in's answers cost it a little more than authentik's (in SessionHub's favour).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
