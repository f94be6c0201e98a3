"""Template access to the referral policies, for links from other apps' pages.

    {% load referrals %}
    {% if user|may_reach_referrals %}<a href="{% url 'referrals:queue' %}">POST referrals</a>{% endif %}
"""

from django import template

from .. import policies

register = template.Library()


@register.filter
def may_reach_referrals(user):
    return policies.can_view_queue(user)


@register.filter
def get_item(mapping, key):
    """{{ labels|get_item:code }}: the label of a code in a PDF packet (the code itself when it has none)."""
    return mapping.get(key, key) if key else ""
