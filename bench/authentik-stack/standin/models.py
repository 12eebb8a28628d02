"""authentik's tables for sessions (authentik/core/models.py), as much of them as the session API reads."""
from django.db import models
from django.utils.timezone import now


class ExpiringManager(models.Manager):
    def get_queryset(self):
        return models.QuerySet(self.model, using=self._db).exclude(expires__lt=now(), expiring=True)


class User(models.Model):
    username = models.CharField(max_length=150, unique=True)
    name = models.TextField()
    is_active = models.BooleanField(default=True)
    is_superuser = models.BooleanField(default=False)

    is_authenticated = True
    is_anonymous = False

    class Meta:
        db_table = "authentik_core_user"


class Token(models.Model):
    token_uuid = models.UUIDField(primary_key=True)
    identifier = models.SlugField(max_length=255, unique=True)
    key = models.TextField()
    intent = models.TextField(default="api")
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    expires = models.DateTimeField(null=True)
    expiring = models.BooleanField(default=True)

    objects = ExpiringManager()

    class Meta:
        db_table = "authentik_core_token"
        indexes = [models.Index(fields=["key"])]


class Session(models.Model):
    session_key = models.CharField(max_length=40, primary_key=True)
    session_data = models.BinaryField()
    expires = models.DateTimeField(default=None, null=True)
    expiring = models.BooleanField(default=True)
    last_ip = models.GenericIPAddressField()
    last_user_agent = models.TextField(blank=True)
    last_used = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "authentik_core_session"
        indexes = [
            models.Index(fields=["expires"]),
            models.Index(fields=["expiring"]),
            models.Index(fields=["expiring", "expires"]),
            models.Index(fields=["expires", "session_key"]),
        ]


class AuthenticatedSession(models.Model):
    session = models.OneToOneField(Session, on_delete=models.CASCADE, primary_key=True)
    uuid = models.UUIDField(unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE)

    class Meta:
        db_table = "authentik_core_authenticatedsession"
