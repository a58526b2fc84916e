"""The admin's history import (a page of each counter) and export (list actions).

A mixin of CounterAdmin, kept apart so the registry's admin stays short. The import
reads the same files, with the same checks, as `manage.py import_history`.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from counters import history
from counters.models import Counter

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class ImportHistoryForm(forms.Form):
    file = forms.FileField(
        help_text="CSV of date,count lines: 2026-01-31,17. A date,count header line is allowed."
    )
    mode = forms.ChoiceField(
        choices=[
            ("add", "Add to the counts the days already have"),
            ("replace", "Replace the counts of the days in the file"),
        ],
        initial="add",
        widget=forms.RadioSelect,
        help_text="Days not in the file are left alone either way.",
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        if upload.size > MAX_UPLOAD_BYTES:
            self.add_error("file", f"The file is larger than {MAX_UPLOAD_BYTES // 2**20} MB.")
            return cleaned
        try:
            cleaned["counts"] = history.parse_history_csv(history.decode(upload.read()))
        except history.HistoryError as exc:
            self.add_error("file", f"{exc} Nothing was imported.")
        return cleaned


class HistoryAdminMixin(admin.ModelAdmin):
    """Import history into one counter; export the selected counters' history."""

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/import-history/",
                self.admin_site.admin_view(self.import_history_view),
                name="counters_counter_import_history",
            )
        ]
        return urls + super().get_urls()

    def import_history_view(self, request, object_id):
        counter = get_object_or_404(self.model, pk=object_id)
        if not self.has_change_permission(request, counter):
            raise PermissionDenied
        change_url = reverse("admin:counters_counter_change", args=[counter.pk])
        form = ImportHistoryForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            mode = form.cleaned_data["mode"]
            try:
                result = history.import_history(counter.pk, form.cleaned_data["counts"], mode)
            except history.HistoryError as exc:
                form.add_error("file", f"{exc} Nothing was imported.")
            else:
                summary = result.summary(form.cleaned_data["file"].name)
                # The admin's history of the counter records who imported what.
                self.log_change(request, counter, f"Imported history: {summary}")
                self.message_user(request, summary, messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import history into {counter.pk}",
            "opts": self.model._meta,
            "original": counter,
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/counters/counter/import_history.html", context)

    def _export(self, queryset: QuerySet[Counter], format: str) -> HttpResponse:
        exported = history.export(list(queryset.order_by("id")), format)
        response = HttpResponse(exported.content, content_type=exported.content_type)
        response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
        return response

    @admin.action(description="Export history of selected counters (CSV)", permissions=["view"])
    def export_history_csv(self, request, queryset):
        return self._export(queryset, "csv")

    @admin.action(description="Export history of selected counters (JSON)", permissions=["view"])
    def export_history_json(self, request, queryset):
        return self._export(queryset, "json")
