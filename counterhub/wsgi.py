"""WSGI entry point: gunicorn serves `counterhub.wsgi:application`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "counterhub.settings")

application = get_wsgi_application()
