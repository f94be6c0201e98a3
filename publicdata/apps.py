from django.apps import AppConfig


class PublicDataConfig(AppConfig):
    name = "publicdata"
    verbose_name = "Public data (published statistics)"
