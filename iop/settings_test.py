"""Settings for the test suite: the real PostgreSQL and Redis of the machine.

Override with ``DATABASE_URL`` / ``CELERY_BROKER_URL`` / ``TEST_REDIS_URL``.
"""

import os

os.environ.setdefault("IOP_ENV", "test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iop")

from iop.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

# WhiteNoise looks up every request path in the static finders when it may
# serve from them (~20 ms a request); tests serve static files through the
# live server's own handler instead.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405

# A test's commit need not wait for the write-ahead log to reach the disk
# (the server's own settings are left alone; only these connections change).
if IS_POSTGRES:  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
