# Loaded with Django so that @shared_task binds to our Celery app in every process (web and worker).
from .celery import app as celery_app

__all__ = ["celery_app"]
