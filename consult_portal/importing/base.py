"""The importer every app's sheet importer builds on.

An importer declares its columns (a Chinese name, the variants offices write, whether it is
required, how a cell is parsed), finds which existing record a row means (its natural key), and
writes. ``Importer.run`` parses and checks every row first; only when every row is good does it
write them all, in one transaction. A sheet imported twice finds its own rows the second time and
updates (or skips) them instead of creating duplicates.
"""

from __future__ import annotations

import copy
import datetime
import decimal
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from consult_portal import audit
from consult_portal.models import AuditAction
from consult_portal.phones import normalize_phone

from .reader import ImportFileError, Sheet, Value, header_key, read_sheet

CREATE, UPDATE, SKIP = "create", "update", "skip"
ACTION_LABELS = {CREATE: "新建", UPDATE: "更新", SKIP: "无变化"}
# The choice that drops a sheet column on purpose (the preview's 忽略此列, ``--ignore-column``).
IGNORE = "ignore"
# A queued preview or import reports its progress every this many rows.
PROGRESS_EVERY = 200


# --- cell parsers: value → Python value, or ValidationError with a Chinese message ------------


def parse_text(value: Value) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def parse_squashed(value: Value) -> str:
    """Text with every space removed: names padded to line up ("王　芳") mean "王芳"."""
    return re.sub(r"\s+", "", parse_text(value))


_DATE_PATTERNS = (
    re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)


def parse_date(value: Value) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and 20000 < value < 80000:
        # An Excel serial date that lost its format (days since 1899-12-30).
        return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))
    text = parse_text(value).replace(" ", "")
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return datetime.date(year, month, day)
            except ValueError:
                break
    raise ValidationError(f"“{text}”不是有效的日期,请写成 2024-03-15 或 2024年3月15日。")


def parse_year(value: Value) -> int:
    """A birth year from 1975, 1975.03, 1975年3月 or a date."""
    if isinstance(value, datetime.date):
        return value.year
    match = re.match(r"\s*(\d{4})", parse_text(value))
    if not match or not 1900 <= int(match.group(1)) <= 2100:
        raise ValidationError(f"“{value}”不是有效的年份,请写成 1975 或 1975年3月。")
    return int(match.group(1))


_CN_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def _chinese_number(text: str) -> int | None:
    """一 … 九十九 (届次 are written 第十四届)."""
    if not text or any(ch not in _CN_DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return _CN_DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def parse_positive_int(value: Value) -> int:
    if isinstance(value, int) and value > 0:
        return value
    text = parse_text(value).removeprefix("第").removesuffix("届")
    if text.isdigit() and int(text) > 0:
        return int(text)
    number = _chinese_number(text)
    if number:
        return number
    raise ValidationError(f"“{value}”不是有效的正整数。")


def parse_phone(value: Value) -> str:
    return normalize_phone(parse_text(value))


def parse_decimal(value: Value) -> decimal.Decimal:
    try:
        return decimal.Decimal(str(value).strip())
    except (TypeError, ValueError, decimal.InvalidOperation) as exc:
        raise ValidationError(f"“{value}”不是有效的数字。") from exc


def choice_parser(mapping: dict[str, str], what: str) -> Callable[[Value], str]:
    """A parser accepting any of ``mapping``'s keys (labels and variants), compared without
    spaces; the error lists the main labels."""
    table = {header_key(k): v for k, v in mapping.items()}
    shown = "、".join(dict.fromkeys(mapping))

    def parse(value: Value) -> str:
        key = header_key(parse_text(value))
        if key in table:
            return table[key]
        raise ValidationError(f"{what}“{value}”无法识别,可填:{shown}。")

    return parse


# --- columns, rows and results ---------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str  # the model field (or importer-specific name) the cell fills
    label: str  # the header in the template
    aliases: tuple[str, ...] = ()
    required: bool = False
    parse: Callable[[Value], Any] = parse_text
    help: str = ""
    # False for a column that only stands in for others (工作单位及职务 for 工作单位 + 职务): it is
    # understood and explained, but the template's header row leaves it out.
    in_template: bool = True

    @property
    def header_keys(self) -> list[str]:
        return [header_key(self.label), *(header_key(a) for a in self.aliases)]


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = f"行 {self.row}" if self.row else "文件"
        return (
            f"{where}, 列 {self.column}: {self.message}"
            if self.column
            else f"{where}: {self.message}"
        )


@dataclass
class ParsedRow:
    number: int
    raw: dict[str, str]  # column key → the cell as written (for the preview)
    data: dict[str, Any] = field(default_factory=dict)  # column key → parsed value
    errors: list[RowError] = field(default_factory=list)
    action: str = CREATE
    instance: Any = None
    changes: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return ACTION_LABELS[self.action]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class SheetColumn:
    """A column of the sheet that no field took by its name (or a second column of a field that
    another column already fills). If it holds data, the import waits for a choice: a field to
    fill from it, or ``IGNORE``."""

    name: str  # the header as written, or "第 F 列" when the header cell is blank
    index: int
    samples: list[str]  # the first few non-blank cells, to help choose
    duplicate_of: str = ""  # the column already filling the field this header names
    choice: str = ""  # a column key, IGNORE, or "" (not decided)

    @property
    def has_data(self) -> bool:
        return bool(self.samples)

    @property
    def undecided(self) -> bool:
        return self.has_data and not self.choice


@dataclass
class ImportResult:
    kind: str
    columns: list[Column]
    rows: list[ParsedRow] = field(default_factory=list)
    file_errors: list[RowError] = field(default_factory=list)
    ignored: list[tuple[int, str]] = field(default_factory=list)
    header_row: int | None = None
    unknown_columns: list[SheetColumn] = field(default_factory=list)
    column_errors: list[RowError] = field(default_factory=list)  # undecided or bad choices
    committed: bool = False

    @property
    def decidable_columns(self) -> list[SheetColumn]:
        """Unknown columns holding data: each needs a choice (empty ones need none)."""
        return [c for c in self.unknown_columns if c.has_data]

    @property
    def undecided_columns(self) -> list[SheetColumn]:
        return [c for c in self.unknown_columns if c.undecided]

    @property
    def errors(self) -> list[RowError]:
        return [
            *self.file_errors,
            *self.column_errors,
            *(e for row in self.rows for e in row.errors),
        ]

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def created(self) -> int:
        return self.count(CREATE)

    @property
    def updated(self) -> int:
        return self.count(UPDATE)

    @property
    def unchanged(self) -> int:
        return self.count(SKIP)

    @property
    def summary(self) -> str:
        return f"新建 {self.created}, 更新 {self.updated}, 无变化 {self.unchanged}"


class _Abort(Exception):
    pass


class Importer:
    """Subclasses set ``kind``, ``label``, ``columns`` and implement ``prepare``, ``clean``,
    ``natural_key``, ``find_existing``, ``create`` and (optionally) ``update``.

    ``area`` is the area the sheet is imported into: every area, venue or member a row names is
    looked up inside its subtree, and rows default to it. The caller checks that the user may
    work in ``area``.
    """

    do_not_call_in_templates = True  # templates show importer classes (label, columns)
    kind: ClassVar[str]
    label: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    # What re-importing a row that already exists does: "update" changed fields or "skip" it.
    on_existing: ClassVar[str] = UPDATE
    on_existing_note: ClassVar[str] = "已存在的记录按表格更新,空白单元格不覆盖原有内容。"
    # Changes that are resolved only when written (e.g. a brand by name): not model-validated.
    lookup_fields: ClassVar[tuple[str, ...]] = ()
    # Headers that carry nothing to import and need no decision (a row counter).
    ignored_headers: ClassVar[tuple[str, ...]] = ("序号", "序")

    def __init__(self, *, area, actor=None, column_choices: dict[str, str] | None = None):
        """``column_choices`` decides what the sheet's columns are, by header: a column key (or
        a column's label or variant) to fill from that column, or ``IGNORE`` to leave it out."""
        self.area = area
        self.actor = actor
        self.column_choices = dict(column_choices or {})
        # ``progress(done, total)``, called every PROGRESS_EVERY rows by a queued preview or
        # import (consult_portal.importing.tasks); total counts each row once per pass.
        self.progress: Callable[[int, int], None] | None = None
        self._passes = 2  # checking: read and match; an import adds the write

    # -- hooks ------------------------------------------------------------------------------

    def prepare(self) -> None:
        """Load every lookup table once (areas, venues, existing records of the subtree)."""

    def clean(self, row: ParsedRow) -> None:
        """Resolve lookups into ``row.data`` and add errors with ``self.error``."""

    def load_existing(self, rows: list[ParsedRow]) -> None:
        """Load the existing records the cleaned ``rows`` may match, in a fixed number of
        queries (for tables too large to load whole in ``prepare``)."""

    def natural_key(self, row: ParsedRow) -> tuple:
        raise NotImplementedError

    def find_existing(self, row: ParsedRow):
        raise NotImplementedError

    def changes(self, instance, row: ParsedRow) -> dict[str, Any]:
        """Fields of ``instance`` the row changes (blank cells change nothing)."""
        return {}

    def validate_new(self, row: ParsedRow) -> None:
        """Check a row that will create a record (model validation), adding errors."""

    def validate_changes(self, instance, row: ParsedRow) -> None:
        """Check an update with the model's validation, on a copy (nothing saved)."""
        probe = copy.copy(instance)
        for name, value in row.changes.items():
            if name not in self.lookup_fields:
                setattr(probe, name, value)
        self.validate_model(probe, row)

    def validate_model(self, instance, row: ParsedRow) -> None:
        """Field validation (lengths, choices, formats) as ``full_clean`` does it, without a
        query per row: related objects come from the lookups loaded in ``prepare``, and the
        model's check constraints are checked by the importer's own ``clean``."""
        relations = [f.name for f in instance._meta.fields if f.is_relation]
        try:
            instance.full_clean(
                exclude=[*relations, *self.lookup_fields],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            self.model_errors(row, exc, {})

    def create(self, row: ParsedRow):
        raise NotImplementedError

    def update(self, instance, row: ParsedRow) -> None:
        for name, value in row.changes.items():
            setattr(instance, name, value)
        instance.save(update_fields=[*row.changes, "updated_at"])

    # -- helpers ----------------------------------------------------------------------------

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def error(self, row: ParsedRow, key: str, message: str) -> None:
        label = self.column(key).label if key in {c.key for c in self.columns} else key
        row.errors.append(RowError(row.number, label, message))

    def model_errors(self, row: ParsedRow, exc: ValidationError, fields: dict[str, str]) -> None:
        """Turn a model ``ValidationError`` into row errors, naming the column of each field."""
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                key = fields.get(name, name)
                for message in errors:
                    self.error(row, key, message)
        else:
            for message in exc.messages:
                row.errors.append(RowError(row.number, "", message))

    @classmethod
    def known_headers(cls) -> set[str]:
        return {k for c in cls.columns for k in c.header_keys}

    @classmethod
    def field_for(cls, text: str) -> str | None:
        """The column key ``text`` names: a key, a label or a variant; ``None`` if none."""
        if text in {c.key for c in cls.columns}:
            return text
        wanted = header_key(text)
        return next((c.key for c in cls.columns if wanted in c.header_keys), None)

    @classmethod
    def template_headers(cls) -> list[str]:
        return [c.label + ("*" if c.required else "") for c in cls.columns if c.in_template]

    # -- the run ----------------------------------------------------------------------------

    def read(self, data: bytes, filename: str) -> ImportResult:
        """Parse and check every row; write nothing."""
        result = ImportResult(kind=self.kind, columns=list(self.columns))
        try:
            sheet = read_sheet(data, filename, known_headers=self.known_headers())
        except ImportFileError as exc:
            result.file_errors.append(RowError(None, "", exc.message))
            return result
        self._check(sheet, result)
        return result

    def run(self, data: bytes, filename: str, *, dry_run: bool = False) -> ImportResult:
        """Check every row; when all are good (and not ``dry_run``), write them all in one
        transaction. On any error nothing is written and the errors are in the result."""
        self._passes = 3
        result = self.read(data, filename)
        if not result.ok or dry_run:
            return result
        total = len(result.rows) * 3
        try:
            with transaction.atomic():
                self.lock()
                for number, row in enumerate(result.rows, start=2 * len(result.rows)):
                    self._tick(number, total)
                    self._write(row)
        except _Abort:
            return result
        result.committed = True
        created, updated = result.count(CREATE), result.count(UPDATE)
        audit.record(
            AuditAction.IMPORT,
            user=self.actor,
            summary=f"导入{self.label}:新增 {created} 条,更新 {updated} 条",
            kind=self.kind,
            file=filename,
            area=str(self.area),
            created=created,
            updated=updated,
        )
        return result

    def _tick(self, done: int, total: int) -> None:
        if self.progress is not None and done % PROGRESS_EVERY == 0:
            self.progress(done, total)

    def lock(self) -> None:
        """Serialise imports into the same area, so two people importing the same sheet at once
        cannot both create its rows."""
        type(self.area).objects.select_for_update().filter(pk=self.area.pk).first()

    def _write(self, row: ParsedRow) -> None:
        try:
            if row.action == CREATE:
                row.instance = self.create(row)
            elif row.action == UPDATE:
                self.update(row.instance, row)
        except ValidationError as exc:
            self.model_errors(row, exc, {})
            raise _Abort from exc
        except IntegrityError as exc:
            row.errors.append(RowError(row.number, "", "与已有记录冲突,未能保存。"))
            raise _Abort from exc

    def _map_columns(self, sheet: Sheet, result: ImportResult) -> dict[str, int]:
        """Which sheet column fills which field. Columns are taken by their header first (the
        first column of a kind wins); the rest, unless they are row counters (序号), are the
        sheet's unknown columns, filled from ``column_choices``. One with data and no choice
        stops the import: nothing in a sheet is dropped without somebody deciding it."""
        by_key: dict[str, str] = {}
        for column in self.columns:
            for key in column.header_keys:
                by_key.setdefault(key, column.key)
        skipped = {header_key(h) for h in self.ignored_headers}
        choices = self._choices(sheet, result)
        names = _column_names(sheet)
        positions: dict[str, int] = {}
        unknown: list[int] = []
        for index, header in enumerate(sheet.headers):
            choice = choices.get(header_key(names[index]), "")
            key = by_key.get(header_key(header))
            if key is None or key in positions:
                if key is not None or header_key(header) not in skipped:
                    unknown.append(index)
            elif choice != IGNORE:
                # A recognised column may be chosen otherwise (``--map-column``).
                if (choice or key) in positions:
                    unknown.append(index)
                else:
                    positions[choice or key] = index
        for index in unknown:
            name = names[index]
            key = by_key.get(header_key(sheet.headers[index]))
            column = SheetColumn(
                name=name,
                index=index,
                samples=[str(v) for row in sheet.rows if (v := row.values[index]) != ""][:3],
                duplicate_of=names[positions[key]] if key in positions else "",
                choice=choices.get(header_key(name), ""),
            )
            result.unknown_columns.append(column)
            if column.choice and column.choice != IGNORE:
                if column.choice in positions:
                    label = self.column(column.choice).label
                    taken = names[positions[column.choice]]
                    result.column_errors.append(
                        RowError(
                            sheet.header_row,
                            name,
                            f"选择了对应“{label}”,但列“{taken}”已对应该字段;"
                            "请改选其他字段或忽略此列。",
                        )
                    )
                else:
                    positions[column.choice] = index
            elif column.undecided:
                why = (
                    f"与列“{column.duplicate_of}”对应同一字段"
                    if column.duplicate_of
                    else "有数据,但列名无法识别"
                )
                result.column_errors.append(
                    RowError(
                        sheet.header_row,
                        name,
                        f"该列{why},其中的数据不会导入。请选择它对应的字段,"
                        "或选择“忽略此列”后再导入。",
                    )
                )
        missing = [c.label for c in self.columns if c.required and c.key not in positions]
        if missing:
            result.file_errors.append(
                RowError(
                    sheet.header_row,
                    "",
                    "表头缺少必填列:" + "、".join(missing) + "。请对照模板检查列名。",
                )
            )
        return positions

    def _choices(self, sheet: Sheet, result: ImportResult) -> dict[str, str]:
        """``column_choices`` by ``header_key``, each a column key or IGNORE; a choice naming a
        column the sheet does not have, or a field the importer does not have, is an error."""
        names = {header_key(name) for name in _column_names(sheet)}
        choices: dict[str, str] = {}
        for name, choice in self.column_choices.items():
            if not choice:
                continue
            if header_key(name) not in names:
                result.file_errors.append(RowError(sheet.header_row, "", f"表格中没有列“{name}”。"))
                continue
            key = IGNORE if choice == IGNORE else self.field_for(choice)
            if key is None:
                fields = "、".join(c.label for c in self.columns)
                result.file_errors.append(
                    RowError(
                        sheet.header_row,
                        name,
                        f"没有名为“{choice}”的字段,可选:{fields}。",
                    )
                )
                continue
            choices[header_key(name)] = key
        return choices

    def _check(self, sheet: Sheet, result: ImportResult) -> None:
        result.header_row = sheet.header_row
        result.ignored = sheet.ignored
        positions = self._map_columns(sheet, result)
        if result.file_errors:
            return
        self.prepare()
        seen: dict[tuple, int] = {}
        total = len(sheet.rows) * self._passes
        for number, sheet_row in enumerate(sheet.rows):
            self._tick(number, total)
            row = ParsedRow(number=sheet_row.number, raw={})
            for column in self.columns:
                index = positions.get(column.key)
                value = sheet_row.values[index] if index is not None else ""
                row.raw[column.key] = parse_text(value) if value != "" else ""
                if value == "":
                    if column.required:
                        self.error(row, column.key, "必填,不能为空。")
                    continue
                try:
                    row.data[column.key] = column.parse(value)
                    if column.parse in _SHOWN_PARSED:
                        # Show what will be stored: "张　伟" → 张伟, 138 0013 8000 → 13800138000.
                        row.raw[column.key] = str(row.data[column.key])
                except ValidationError as exc:
                    for message in exc.messages:
                        self.error(row, column.key, message)
            if row.ok:
                self.clean(row)
            result.rows.append(row)
        self.load_existing([row for row in result.rows if row.ok])
        for number, row in enumerate(result.rows, start=len(result.rows)):
            self._tick(number, total)
            if row.ok:
                key = self.natural_key(row)
                if key in seen:
                    row.errors.append(
                        RowError(row.number, "", f"与第 {seen[key]} 行重复(同一条记录出现两次)。")
                    )
                else:
                    seen[key] = row.number
            if row.ok:
                existing = self.find_existing(row)
                if existing is None:
                    row.action = CREATE
                    self.validate_new(row)
                else:
                    row.instance = existing
                    row.changes = self.changes(existing, row) if self.on_existing == UPDATE else {}
                    row.action = UPDATE if row.changes else SKIP
                    if row.changes:
                        self.validate_changes(existing, row)


_SHOWN_PARSED = (parse_squashed, parse_phone, parse_date)


def _column_names(sheet: Sheet) -> list[str]:
    """What columns are called in messages and choices: the header as written; "第 F 列" for a
    blank one; a header written twice gets its letter the second time ("联系电话(第 F 列)"), so
    a choice about one never applies to the other."""
    names: list[str] = []
    seen: set[str] = set()
    for index, header in enumerate(sheet.headers):
        name = header.strip() or f"第 {_column_letter(index)} 列"
        if header_key(name) in seen:
            name = f"{name}(第 {_column_letter(index)} 列)"
        seen.add(header_key(name))
        names.append(name)
    return names


def _column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def differs(instance, name: str, value: Any) -> bool:
    """Whether setting ``name`` to ``value`` changes ``instance``; a related object is compared
    by its key, so no query is made to load the current one."""
    field = instance._meta.get_field(name)
    if field.is_relation:
        return getattr(instance, field.attname) != (value.pk if value is not None else None)
    return getattr(instance, name) != value


def index_by(items: Iterable, key: Callable[[Any], Any]) -> dict[Any, list]:
    table: dict[Any, list] = {}
    for item in items:
        table.setdefault(key(item), []).append(item)
    return table
