"""What authentik's DRF settings name (authentik/api/authentication.py, authentik/rbac/permissions.py,
authentik/api/pagination.py): its own module, as settings import it before any view exists."""
from django.utils.timezone import now
from rest_framework import pagination
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from .models import Token

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class TokenAuthentication(BaseAuthentication):
    """authentik's bearer_auth: an API token by its key, not expired, of an active user."""

    def authenticate(self, request):
        auth = get_authorization_header(request)
        parts = auth.split(b" ", 1)
        if len(parts) != 2 or parts[0] != b"Bearer" or not parts[1]:
            return None
        key = parts[1].decode()
        token = (
            Token.objects.select_related("user")
            .filter(key=key, intent="api")
            .exclude(expires__lt=now(), expiring=True)
            .first()
        )
        if not token or not token.user.is_active:
            raise AuthenticationFailed("Token invalid/expired")
        return (token.user, token)


class SuperuserOnly(BasePermission):
    """ObjectPermissions for a superuser: allowed (the bench's caller is one)."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_superuser)


class Pagination(pagination.PageNumberPagination):
    page_query_param = "page"
    page_size_query_param = "page_size"

    def get_page_size(self, request):
        if self.page_size_query_param in request.query_params:
            page_size = super().get_page_size(request)
            if page_size is not None:
                return min(page_size, MAX_PAGE_SIZE)
        return DEFAULT_PAGE_SIZE

    def get_paginated_response(self, data):
        previous_page_number = self.page.previous_page_number() if self.page.has_previous() else 0
        next_page_number = self.page.next_page_number() if self.page.has_next() else 0
        return Response(
            {
                "pagination": {
                    "next": next_page_number,
                    "previous": previous_page_number,
                    "count": self.page.paginator.count,
                    "current": self.page.number,
                    "total_pages": self.page.paginator.num_pages,
                    "start_index": self.page.start_index(),
                    "end_index": self.page.end_index(),
                },
                "results": data,
                "autocomplete": {},
            }
        )
