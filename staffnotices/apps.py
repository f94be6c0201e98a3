from django.apps import AppConfig


class StaffNoticesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "staffnotices"
    verbose_name = "notifications to staff"

    def ready(self):
        # A notification is about a person's work, not a step of the case: it stays out of the case timeline.
        from investigations import queries

        queries.NOT_CASE_HISTORY.update({"staffnotices.staffpreference", "staffnotices.staffnotification",
                                         "staffnotices.digestsent"})
