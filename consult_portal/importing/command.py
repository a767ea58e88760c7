"""What ``import_members``, ``import_venues`` and ``import_topics`` share."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from .base import Importer, resolve_area
from .reader import ImportFileError


class ImportCommand(BaseCommand):
    importer: type[Importer]

    @property
    def help(self) -> str:  # type: ignore[override]
        return f"从 .xlsx 或 .csv 表格导入{self.importer.label};有任何一行出错则不导入任何数据。"

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 或 .csv 文件(CSV 可为 UTF-8 或 GBK 编码)")
        parser.add_argument("--area", required=True, help="导入到的区划:名称或行政区划代码")
        parser.add_argument(
            "--dry-run", action="store_true", help="只检查并显示将导入的内容,不写入数据库"
        )

    def handle(self, *args, file, area, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件:{file}")
        try:
            target = resolve_area(area)
        except ImportFileError as exc:
            raise CommandError(exc.message) from exc
        result = self.importer(area=target, actor=None).run(
            path.read_bytes(), path.name, dry_run=dry_run
        )
        for error in result.errors:
            self.stderr.write(str(error))
        if not result.ok:
            raise CommandError(f"有 {len(result.errors)} 处错误,未导入任何数据。")
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
