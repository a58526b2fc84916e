"""The Django admin is the registry: register, describe, enable and disable counters."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, Max, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from counterhub.clients import client_address, client_key
from counterhub.errors import error_page
from counters import db, sharing
from counters.history_admin import HistoryAdminMixin
from counters.models import Counter, CounterDaily, ShareLink

RECENT_DAYS_SHOWN = 30


class CounterForm(forms.ModelForm):
    class Meta:
        model = Counter
        fields = ["id", "description", "enabled"]
        widgets = {
            # Both are text columns; a name is one short line, a description a few.
            "id": forms.TextInput(attrs={"size": 40, "maxlength": 64, "autofocus": True}),
            "description": forms.Textarea(attrs={"rows": 3, "cols": 60}),
        }


@admin.register(Counter)
class CounterAdmin(HistoryAdminMixin, admin.ModelAdmin):
    form = CounterForm
    list_display = ["id", "description", "enabled", "total", "last_day", "created_at", "charts"]
    list_filter = ["enabled", "created_at"]
    search_fields = ["id", "description"]
    actions = [
        "enable_counters",
        "disable_counters",
        # From HistoryAdminMixin (counters/history_admin.py).
        "export_history_csv",
        "export_history_json",
    ]
    readonly_fields = ["created_at", "recent_history"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Counter]:
        # The total is kept in counter_totals (migration 0006): summing every day of every
        # listed counter is what that table exists to avoid.
        return (
            super()
            .get_queryset(request)
            .annotate(total=Coalesce("all_time__total", 0), last_day=Max("daily__bucket_date"))
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Counter | None = None) -> list[str]:
        # The name is the key of the history and of every client's URL: fixed once made.
        if obj is not None:
            return ["id", *self.readonly_fields]
        return []

    def get_fields(self, request: HttpRequest, obj: Counter | None = None) -> list[Any]:
        if obj is None:
            return ["id", "description", "enabled"]
        return ["id", "description", "enabled", "created_at", "recent_history"]

    @admin.display(description="total", ordering="total")
    def total(self, obj: Any) -> int:
        return int(obj.total)

    @admin.display(description="last day with data", ordering="last_day")
    def last_day(self, obj: Any) -> Any:
        return obj.last_day

    @admin.display(description="dashboard")
    def charts(self, obj: Counter) -> SafeString:
        # Each counter's page on the dashboard; "View on site" leads there too.
        return format_html('<a href="{}">charts</a>', obj.get_absolute_url())

    @admin.display(description=f"recent history (last {RECENT_DAYS_SHOWN} days with data)")
    def recent_history(self, obj: Counter) -> str:
        days = obj.daily.order_by("-bucket_date").values_list("bucket_date", "count")[
            :RECENT_DAYS_SHOWN
        ]
        if not days:
            return "No history yet."
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td></tr>", days)
        return format_html(
            '<table class="counter-history"><thead><tr><th>day</th><th>count</th></tr>'
            "</thead><tbody>{}</tbody></table>",
            rows,
        )

    def _set_enabled(
        self, request: HttpRequest, queryset: QuerySet[Counter], enabled: bool
    ) -> None:
        verb = "Enabled" if enabled else "Disabled"
        changed = [c for c in queryset if c.enabled != enabled]
        for counter in changed:
            counter.enabled = enabled
            counter.save(update_fields=["enabled"])
            self.log_change(request, counter, [{"changed": {"fields": ["enabled"]}}])
        if changed:
            self.message_user(request, f"{verb} {len(changed)} counter(s).", messages.SUCCESS)
        else:
            state = "enabled" if enabled else "disabled"
            message = f"No counter changed: the selected ones were {state} already."
            self.message_user(request, message, messages.INFO)

    @admin.action(description="Enable selected counters", permissions=["change"])
    def enable_counters(self, request: HttpRequest, queryset: QuerySet[Counter]) -> None:
        self._set_enabled(request, queryset, True)

    @admin.action(description="Disable selected counters", permissions=["change"])
    def disable_counters(self, request: HttpRequest, queryset: QuerySet[Counter]) -> None:
        self._set_enabled(request, queryset, False)

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[Any]]:
        # The database deletes the history with its counter (ON DELETE CASCADE), which
        # Django's collector does not see: list it on the confirmation page, with what
        # is lost, so nobody deletes years of counts thinking only a name goes.
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        counters = list(objs)
        history = {
            row["counter_id"]: row
            for row in CounterDaily.objects.filter(counter__in=counters)
            .values("counter_id")
            .annotate(days=Count("bucket_date"), total=Sum("count"))
        }
        for counter in counters:
            lost = history.get(counter.pk, {"days": 0, "total": 0})
            deleted.append(
                f"ALL HISTORY of {counter.pk}: {lost['days']} day(s) holding "
                f"{lost['total']} counted use(s), deleted with it and not recoverable"
            )
        model_count["daily counts (history)"] = sum(h["days"] for h in history.values())
        return deleted, model_count, perms_needed, protected


def throttled_login(request: HttpRequest) -> HttpResponse:
    """The admin's login page, refusing a client's attempts beyond the login rate limit.

    Every POST counts, right or wrong, so a password cannot be guessed faster than
    COUNTERHUB_LOGIN_RATE_LIMIT tries per window from one address (IPv6: one /64).
    """
    if request.method == "POST":
        wait = db.rate_limit_hit(
            "login:" + client_key(client_address(request)),
            settings.COUNTERHUB_LOGIN_RATE_LIMIT,
            settings.COUNTERHUB_LOGIN_RATE_LIMIT_WINDOW,
        )
        if wait is not None:
            return error_page(request, 429, retry_after=wait)
    return admin.site.login(request)


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    """Share links: made here (or from a counter's dashboard page, which leads here) and
    revoked here. The link is shown once, when it is made: only its hash is kept."""

    list_display = ["counter", "label", "created_at", "state"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "counter"]
    search_fields = ["counter__id", "label"]
    actions = ["revoke_links"]

    def get_fields(self, request: HttpRequest, obj: ShareLink | None = None) -> list[Any]:
        if obj is None:
            return ["counter", "label"]
        return ["counter", "label", "created_at", "revoked_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: ShareLink | None = None) -> list[str]:
        return [] if obj is None else ["counter", "created_at", "revoked_at"]

    @admin.display(description="state", ordering="revoked_at")
    def state(self, obj: ShareLink) -> str:
        if obj.revoked_at is None:
            return "active"
        return f"revoked {obj.revoked_at:%Y-%m-%d %H:%M}"

    def save_model(self, request: HttpRequest, obj: ShareLink, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token = sharing.assign_token(obj)
        super().save_model(request, obj, form, change)
        url = request.build_absolute_uri(reverse("shared-counter", args=[token]))
        self.message_user(
            request,
            format_html(
                'The share link of {}: <a href="{}" id="new-share-link">{}</a> '
                "(copy it now: it is not shown again).",
                obj.counter_id,
                url,
                url,
            ),
            messages.SUCCESS,
        )

    @admin.action(description="Revoke selected share links", permissions=["change"])
    def revoke_links(self, request: HttpRequest, queryset: QuerySet[ShareLink]) -> None:
        revoked = 0
        for link in queryset:
            if sharing.revoke(link):
                self.log_change(request, link, "Revoked.")
                revoked += 1
        self.message_user(request, f"Revoked {revoked} share link(s).", messages.SUCCESS)
