import os

from django.core.wsgi import get_wsgi_application

from iop import memory

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")

application = get_wsgi_application()
memory.settle()  # no full collection walks what is loaded now (iop.memory)
