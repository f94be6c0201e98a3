from celery import shared_task


@shared_task(name="staffnotices.send_staff_digest")
def send_staff_digest():
    """The scheduler's daily run (CELERY_BEAT_SCHEDULE): the digest e-mails, once per person per day."""
    from django.core.management import call_command

    call_command("send_staff_digest", verbosity=0)
