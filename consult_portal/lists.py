"""Shared list machinery: filters in the URL, whitelisted sorting, headers, export dispatch.

Every list page is ``FilteredListMixin`` + ``ListView``: the view names a selector that returns the
already-scoped queryset, a django-filter ``FilterSet`` narrows it, ``?sort=`` orders it by one of
the whitelisted columns (``-`` for descending, the primary key as tie-break so pages never
overlap), and ``?export=csv|xlsx`` returns every filtered row instead of one page (more than
``EXPORT_JOB_THRESHOLD_ROWS``: a queued job writes the file, ``consult_portal.jobs``). The query
string is the whole state of the list, so a filtered view can be bookmarked and shared.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode

import django_filters
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.forms.utils import flatatt
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

from . import audit
from .exports import EXPORT_FORMATS, export_response
from .jobs import export_as_job
from .replica import ReplicaReadsMixin
from .roles import scope_for
from .views import ScopedListMixin

# Parameters that are state of the page, not filters.
NON_FILTER_PARAMS = frozenset({"page", "sort", "export"})


@dataclass(frozen=True)
class Column:
    """A column of a list table. ``fields`` makes it sortable (``?sort=<key>``)."""

    key: str
    label: str
    fields: tuple[str, ...] = ()
    nullable: bool = False
    # Dates and counts read best newest / largest first on the first click.
    desc_first: bool = False

    @property
    def sortable(self) -> bool:
        return bool(self.fields)

    def ordering(self, descending: bool) -> list:
        """ORDER BY terms; nullable columns keep their blanks last in both directions."""
        terms = []
        for name in self.fields:
            if self.nullable:
                expr = F(name)
                terms.append(
                    expr.desc(nulls_last=True) if descending else expr.asc(nulls_last=True)
                )
            else:
                terms.append(f"-{name}" if descending else name)
        terms.append("-pk" if descending else "pk")
        return terms


@dataclass(frozen=True)
class Sort:
    key: str | None
    descending: bool = False

    @property
    def param(self) -> str:
        if self.key is None:
            return ""
        return f"-{self.key}" if self.descending else self.key


def parse_sort(value: str, columns: list[Column]) -> Sort | None:
    """``"-raised_on"`` → Sort("raised_on", descending); anything not whitelisted → None."""
    value = (value or "").strip()
    descending = value.startswith("-")
    key = value[1:] if descending else value
    for column in columns:
        if column.sortable and column.key == key:
            return Sort(key, descending)
    return None


def querystring(params: QueryDict, **changes) -> str:
    """The current query string with ``changes`` applied (a value of None drops the key)."""
    params = params.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


def filter_params(params: QueryDict) -> QueryDict:
    """Only the filter parameters that carry a value (for "is anything filtered?")."""
    kept = QueryDict(mutable=True)
    for key in params:
        if key in NON_FILTER_PARAMS:
            continue
        values = [v for v in params.getlist(key) if v.strip()]
        if values:
            kept.setlist(key, values)
    return kept


def header_cells(params: QueryDict, columns: list[Column], current: Sort | None) -> list[dict]:
    """What ``includes/list_thead.html`` renders: label, link that toggles the sort, aria-sort."""
    cells = []
    for column in columns:
        cell = {"label": column.label, "url": None, "aria_sort": None}
        if column.sortable:
            if current is not None and current.key == column.key:
                cell["aria_sort"] = "descending" if current.descending else "ascending"
                next_desc = not current.descending
            else:
                next_desc = column.desc_first
            sort_value = f"-{column.key}" if next_desc else column.key
            cell["url"] = "?" + querystring(params, sort=sort_value, page=None, export=None)
        cells.append(cell)
    return cells


def maybe_reverse(name: str, *args) -> str | None:
    """A URL that another part of the portal may or may not provide yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@dataclass
class EmptyState:
    """What an empty list says: clear the filters, or the next thing to do."""

    noun: str
    hint: str = ""
    action_label: str = ""
    action_url: str | None = None


class BoundedPaginator(Paginator):
    """A paginator that counts at most ``bound`` rows (or up to the page asked for).

    An exact ``COUNT(*)`` over a city's 100,000 topics reads every matching row on every page
    view (36 ms of PostgreSQL, docs/BENCHMARKS.md, issue 17); counting the first rows in
    ``SELECT COUNT(*) FROM (SELECT id … LIMIT n)`` stops early. Below the bound the count is
    exact and nothing changes; above it the page says "1 万条以上" and page links go on without
    a last page. Exact totals stay where the office needs them: exports and the dashboards.
    """

    bound = 10_000

    def __init__(self, *args, page_hint: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.page_hint = page_hint

    @cached_property
    def limit(self) -> int:
        """One row past what is counted: the bound, or far enough to reach the page asked for."""
        return max(self.bound, self.page_hint * self.per_page) + 1

    @cached_property
    def count(self) -> int:
        object_list = self.object_list
        if not isinstance(object_list, QuerySet):
            return len(object_list)
        return object_list.order_by().values("pk")[: self.limit].count()

    @property
    def exact(self) -> bool:
        return self.count < self.limit

    @property
    def count_label(self) -> str:
        """The total as the list header shows it: "1234 条", or "1 万条以上" past the bound."""
        if self.exact:
            return f"{self.count} 条"
        if self.bound % 10_000 == 0:
            return f"{self.bound // 10_000} 万条以上"
        return f"{self.bound} 条以上"


def page_hint(value) -> int:
    """The page number asked for in ``?page=`` (1 for anything else), to size the count."""
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


class FilteredListMixin(ReplicaReadsMixin, ScopedListMixin):
    """Scope (selector) → filter (FilterSet) → sort (whitelist) → paginate, or export it all.
    Read from the replica when there is one (``consult_portal.replica``).

    Subclasses set ``filterset_class``, ``columns`` (sortable ones have ``fields``),
    ``default_sort`` (the column key the selector already orders by, ``-`` prefixed if
    descending, or None when the selector's order is not one column), ``export_spec`` (see
    ``consult_portal.exports``) and implement ``get_base_queryset``.
    """

    filterset_class = None
    columns: list[Column] = []
    default_sort: str | None = None
    export_spec = None
    empty_state: EmptyState | None = None

    def get_base_queryset(self) -> QuerySet:
        raise NotImplementedError

    def get_empty_state(self) -> EmptyState | None:
        return self.empty_state

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export", "")
        if fmt in EXPORT_FORMATS and self.export_spec is not None:
            queryset = self.get_queryset()
            if not getattr(request, "export_inline", False):  # a worker renders a queued one
                count = queryset.count()
                audit.record_export(request, what=self.export_spec.basename, rows=count, fmt=fmt)
                # Many rows: a worker writes the file, the page offers it when ready.
                if count > settings.EXPORT_JOB_THRESHOLD_ROWS:
                    return export_as_job(
                        request, label=f"导出{self.export_spec.basename}({count} 行,{fmt})"
                    )
            return export_response(
                queryset, spec=self.export_spec, fmt=fmt, area_name=self.get_export_area_name()
            )
        return super().get(request, *args, **kwargs)

    def get_export_area_name(self) -> str:
        """The area in the export's file name: the one the list is filtered by, else the user's
        own (nothing for those who see everything). No query: the filter's area was loaded when
        the form was validated, the user's with their scope."""
        form = self.get_filterset().form
        area = getattr(form, "cleaned_data", {}).get("area")
        if area is not None:
            return area.name
        return self.scope.area_name or ""

    def get_filterset(self):
        if not hasattr(self, "_filterset"):
            self._filterset = self.filterset_class(
                self.request.GET or None,
                queryset=self.get_base_queryset(),
                request=self.request,
            )
        return self._filterset

    paginator_class = BoundedPaginator

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        if issubclass(self.paginator_class, BoundedPaginator):
            kwargs["page_hint"] = page_hint(self.request.GET.get(self.page_kwarg))
        return super().get_paginator(queryset, per_page, orphans, allow_empty_first_page, **kwargs)

    def paginate_queryset(self, queryset, page_size):
        """A page number past the end (a bookmark whose filters now match fewer rows) shows the
        last page instead of a 404; the same two queries (count, rows) either way."""
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_sort(self) -> Sort | None:
        return parse_sort(self.request.GET.get("sort", ""), self.columns)

    def get_queryset(self):
        qs = self.get_filterset().qs
        sort = self.get_sort()
        if sort is not None:
            column = next(c for c in self.columns if c.key == sort.key)
            qs = qs.order_by(*column.ordering(sort.descending))
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("export", None)
        sort = self.get_sort() or (
            parse_sort(self.default_sort, self.columns) if self.default_sort else None
        )
        active = filter_params(params)
        context.update(
            filterset=self.get_filterset(),
            filter_form=self.get_filterset().form,
            querystring=querystring(params, page=None),
            header_cells=header_cells(params, self.columns, sort),
            current_sort=sort.param if sort else "",
            is_filtered=bool(active),
            active_filter_count=len(active),
            clear_url="?" + urlencode({"sort": params["sort"]}) if params.get("sort") else "?",
            export_csv_url="?" + querystring(params, page=None, export="csv"),
            export_xlsx_url="?" + querystring(params, page=None, export="xlsx"),
            empty_state=self.get_empty_state(),
            can_export=self.export_spec is not None,
        )
        return context


class FastSelect(forms.Select):
    """A ``<select>`` built with string joins instead of one template render per option.

    The area and venue filters of a city hold ~600 options each; Django's per-option widget
    templates took ~50 ms a page to render them. Same markup, same attributes (including the
    ``aria-invalid`` / ``aria-describedby`` a bound field adds)."""

    # Set by ListFilterSet for choices read from the database: the options, drawn once, are
    # kept in the cache under this key (one per field and scope) for LIST_OPTIONS_CACHE_SECONDS.
    options_cache_key: str | None = None

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        options = self._options()
        for text in {str(v) for v in self.format_value(value)}:
            opening = f'<option value="{escape(text)}">'
            options = options.replace(opening, opening[:-1] + " selected>", 1)
        # Every value and label is escaped (_options).
        return mark_safe(
            f'<select name="{escape(name)}"{flatatt(final_attrs)}>\n' + options + "\n</select>"
        )

    def _options(self) -> str:
        key, timeout = self.options_cache_key, settings.LIST_OPTIONS_CACHE_SECONDS
        if key and timeout:
            cached = cache.get(key)
            if cached is not None:
                return cached
        parts = []
        for option_value, option_label in self.choices:
            raw = getattr(option_value, "value", option_value)  # ModelChoiceIteratorValue
            text = "" if raw is None else str(raw)
            parts.append(
                f'<option value="{escape(text)}">{conditional_escape(option_label)}</option>'
            )
        options = "\n".join(parts)
        if key and timeout:
            cache.set(key, options, timeout)
        return options


def scope_cache_key(request) -> str | None:
    """What a list's choices depend on: the user's scope (None without a request)."""
    if request is None:
        return None
    scope = scope_for(request.user)
    raw = "|".join(
        str(part)
        for part in (
            scope.role,
            scope.everything,
            scope.area_path,
            scope.member_id,
            sorted(scope.venue_ids),
        )
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


class ListFilterSet(django_filters.FilterSet):
    """A FilterSet whose widgets carry Bootstrap classes, so one include renders every list's
    filters. Subclasses list the fields shown outside the collapsed panel in ``primary``."""

    primary: tuple[str, ...] = ("q",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scope_key = scope_cache_key(getattr(self, "request", None))
        for name, form_field in self.form.fields.items():
            widget = form_field.widget
            if type(widget) is forms.Select:
                fast = FastSelect(attrs=widget.attrs)
                fast.choices = widget.choices
                if scope_key and isinstance(form_field, forms.ModelChoiceField):
                    # Areas, venues, units of the scope: the same for everyone who shares it.
                    fast.options_cache_key = (
                        f"list-options:{type(self).__name__}:{name}:{scope_key}"
                    )
                form_field.widget = widget = fast
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)

    @property
    def primary_fields(self):
        return [self.form[name] for name in self.primary if name in self.form.fields]

    @property
    def secondary_fields(self):
        return [self.form[name] for name in self.form.fields if name not in self.primary]

    @property
    def secondary_active(self) -> bool:
        """Whether the collapsed panel holds an active filter (then it starts open)."""
        data = self.data or QueryDict()
        return any(
            v.strip()
            for name in self.form.fields
            if name not in self.primary
            for v in data.getlist(name)
        )
