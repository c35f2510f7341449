import os

from django.core.wsgi import get_wsgi_application

from config.body_timeout import BodyReadTimeout

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = BodyReadTimeout(get_wsgi_application())
