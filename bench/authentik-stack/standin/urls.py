from rest_framework.routers import DefaultRouter

from .api import AuthenticatedSessionViewSet

router = DefaultRouter(trailing_slash=True)
router.register("api/v3/core/authenticated_sessions", AuthenticatedSessionViewSet)
urlpatterns = router.urls
