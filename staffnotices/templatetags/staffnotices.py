from django import template

from staffnotices.queries import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user):
    """{% unread_notifications user as count %}: the bell's number (only cases the user may see)."""
    if not user.is_authenticated:
        return 0
    return unread_count(user)
