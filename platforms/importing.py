"""What the importers of ``platforms``, ``members`` and ``topics`` share about areas: finding
the area a row or a command line names, and the ``import_members`` / ``import_venues`` /
``import_topics`` command. The sheet machinery itself is the base's (``consult_portal.importing``);
areas are this app's, so the lookups live here, not in the base."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from consult_portal.importing.base import IGNORE, Importer, index_by, parse_squashed
from consult_portal.importing.reader import ImportFileError

from .models import Area


class AreaLookup:
    """Areas of one subtree by name and by code; a row may name its area either way."""

    def __init__(self, root):
        self.root = root
        areas = list(Area.objects.filter(path__startswith=root.path))
        self.by_name = index_by(areas, lambda a: a.name)
        self.by_code = {a.code: a for a in areas if a.code}

    def find(self, text: str):
        """The area named ``text`` in the subtree; ``ValidationError`` if none or ambiguous."""
        text = parse_squashed(text)
        if text in self.by_code:
            return self.by_code[text]
        found = self.by_name.get(text, [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ValidationError(
                f"“{self.root.name}”下有 {len(found)} 个名为“{text}”的区划,请改填行政区划代码。"
            )
        raise ValidationError(f"“{self.root.name}”范围内没有名为“{text}”的区划。")


def resolve_area(text: str, *, queryset=None):
    """The area a command line or form names, by code or by (unique) name."""
    queryset = Area.objects.all() if queryset is None else queryset
    text = parse_squashed(text)
    by_code = queryset.filter(code=text).first()
    if by_code is not None:
        return by_code
    found = list(queryset.filter(name=text)[:2])
    if len(found) == 1:
        return found[0]
    if found:
        raise ImportFileError(f"有多个名为“{text}”的区划,请改用行政区划代码。")
    raise ImportFileError(f"找不到区划“{text}”(可填名称或行政区划代码)。")


class ImportCommand(BaseCommand):
    importer: type[Importer]

    @property
    def help(self) -> str:  # type: ignore[override]
        return (
            f"从 .xlsx、.xls 或 .csv 表格导入{self.importer.label};有任何一行出错则不导入任何数据。"
            "有数据却无法识别的列须用 --map-column 指定字段或用 --ignore-column 忽略。"
        )

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx、.xls 或 .csv 文件(CSV 可为 UTF-8 或 GBK 编码)")
        parser.add_argument("--area", required=True, help="导入到的区划:名称或行政区划代码")
        parser.add_argument(
            "--dry-run", action="store_true", help="只检查并显示将导入的内容,不写入数据库"
        )
        parser.add_argument(
            "--ignore-column",
            action="append",
            default=[],
            metavar="列名",
            help="不导入这一列(可重复);表格中有数据却无法识别的列必须指定字段或忽略",
        )
        parser.add_argument(
            "--map-column",
            action="append",
            default=[],
            metavar="列名=字段",
            help="把这一列导入到某个字段(字段写模板中的列名,如 备注=关注领域;可重复)",
        )

    def column_choices(self, ignore: list[str], mapping: list[str]) -> dict[str, str]:
        choices = dict.fromkeys(ignore, IGNORE)
        for item in mapping:
            name, sep, target = item.partition("=")
            if not sep or not name.strip() or not target.strip():
                raise CommandError(f"--map-column 应写成 列名=字段,而不是“{item}”。")
            choices[name.strip()] = target.strip()
        return choices

    def handle(self, *args, file, area, dry_run, ignore_column, map_column, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件:{file}")
        try:
            target = resolve_area(area)
        except ImportFileError as exc:
            raise CommandError(exc.message) from exc
        importer = self.importer(
            area=target, actor=None, column_choices=self.column_choices(ignore_column, map_column)
        )
        result = importer.run(path.read_bytes(), path.name, dry_run=dry_run)
        for error in result.errors:
            self.stderr.write(str(error))
        if result.undecided_columns:
            fields = "、".join(c.label for c in self.importer.columns)
            for column in result.undecided_columns:
                self.stderr.write(
                    f"列 {column.name}(如:{'、'.join(column.samples)}):"
                    f"用 --map-column {column.name}=字段 导入,或 --ignore-column {column.name} 忽略"
                )
            self.stderr.write(f"可用的字段:{fields}")
        if not result.ok:
            raise CommandError(f"有 {len(result.errors)} 处错误,未导入任何数据。")
        for column in result.unknown_columns:
            if column.choice == IGNORE:
                self.stdout.write(f"列 {column.name}: 已按要求忽略")
            elif column.choice:
                label = importer.column(column.choice).label
                self.stdout.write(f"列 {column.name}: 按要求导入到“{label}”")
            elif not column.has_data:
                self.stdout.write(f"列 {column.name}: 无法识别但没有数据,已忽略")
        for number, why in result.ignored:
            self.stdout.write(f"行 {number}: 已忽略({why})")
        if dry_run:
            for row in result.rows:
                extra = ";".join(row.notes)
                first = row.raw.get(self.importer.columns[0].key, "")
                self.stdout.write(
                    f"行 {row.number}: {row.action_label} {first}" + (f"({extra})" if extra else "")
                )
            self.stdout.write(f"试运行,未写入数据库:将{result.summary}")
        else:
            self.stdout.write(self.style.SUCCESS(f"导入完成({target.name}):{result.summary}"))
