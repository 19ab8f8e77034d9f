from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from pmo.forms import DateWindowForm
from pmo.models import AuditEvent, Membership, OrgRole

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.NumberFilter(field_name="actor_id", label=_("Actor (user id)"))
    actor_username = django_filters.CharFilter(
        field_name="actor__username", lookup_expr="iexact", label=_("Actor (username)")
    )
    action = django_filters.CharFilter(lookup_expr="istartswith", label=_("Action"))
    target_type = django_filters.CharFilter(label=_("Target type"))
    target_id = django_filters.CharFilter(label=_("Target id"))
    date_from = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("From date"), widget=DATE_INPUT
    )
    date_to = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("To date"), widget=DATE_INPUT
    )

    class Meta:
        model = AuditEvent
        form = DateWindowForm
        fields = ["actor", "actor_username", "action", "target_type", "target_id", "date_from", "date_to"]


class MembershipFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=OrgRole.choices, label=_("Role"))
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Membership
        fields = ["role", "q"]

    def search(self, queryset: QuerySet[Membership], name: str, value: str) -> QuerySet[Membership]:
        return queryset.filter(
            Q(user__username__icontains=value)
            | Q(user__display_name__icontains=value)
            | Q(user__email__icontains=value)
        )
