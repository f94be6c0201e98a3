"""Template access to the early-intervention policies, for links from other apps' pages.

    {% load early_intervention %}
    {% if user|may_reach_early_intervention %}<a href="{% url 'early_intervention:board' %}">...</a>{% endif %}
"""

from django import template

from .. import policies

register = template.Library()


@register.filter
def may_reach_early_intervention(user):
    return policies.can_view_early_intervention(user)
