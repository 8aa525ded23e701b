"""Organisation writes: regions, departments, staff roles, and the spreadsheet import."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from onewindow.core.errors import DomainError, FieldProblem
from onewindow.core.identifiers import credit_code_check, division_code_normalise
from onewindow.core.services import audit_record
from onewindow.organisations.models import (
    REGION_CODE_LENGTH,
    REGION_PREFIX_LENGTH,
    BodyNature,
    Department,
    ExerciseLevel,
    Membership,
    Region,
    RegionLevel,
    Role,
)


def region_level_for_code(code: str) -> RegionLevel:
    """The level a division code denotes: 12 digits village, 9 township, 6 digits by its trailing zeros."""
    if len(code) == 12:
        return RegionLevel.VILLAGE
    if len(code) == 9:
        return RegionLevel.TOWNSHIP
    if code.endswith("0000"):
        return RegionLevel.PROVINCE
    if code.endswith("00"):
        return RegionLevel.CITY
    return RegionLevel.COUNTY


def region_validate(*, code: str, name: str, parent: Region | None) -> tuple[str, RegionLevel]:
    """Check a region's code, name and place in the tree; return the normalised code and its level."""
    code = division_code_normalise(code)
    level = region_level_for_code(code)
    if not (name or "").strip():
        raise DomainError(code="region.name_required", message="请填写行政区划名称。")
    if parent is None and level != RegionLevel.PROVINCE:
        raise DomainError(
            code="region.parent_required",
            message=f"“{code}”是{level.label}级代码，须指定上级行政区划。",
        )
    if parent is not None:
        prefix = parent.code[: REGION_PREFIX_LENGTH[RegionLevel(parent.level)]]
        if parent.level >= level or not code.startswith(prefix):
            raise DomainError(
                code="region.parent_mismatch",
                message=f"行政区划代码“{code}”不属于上级“{parent.name}（{parent.code}）”：应以“{prefix}”开头且层级更低。",
            )
    if len(code) != REGION_CODE_LENGTH[level]:
        raise DomainError(code="division_code.format", message=f"行政区划代码“{code}”长度与层级不符。")
    return code, level


@transaction.atomic
def region_create(*, actor: Any | None, code: str, name: str, parent: Region | None = None) -> Region:
    """Add a region to the division tree."""
    code, level = region_validate(code=code, name=name, parent=parent)
    if Region.objects.filter(code=code).exists():
        raise DomainError(code="region.duplicate", message=f"行政区划代码“{code}”已存在。", status=409)
    region = Region.objects.create(code=code, name=name.strip(), level=level, parent=parent)
    audit_record(
        actor=actor, action="region.create", target=region, changes={"code": code, "name": region.name}
    )
    return region


def department_credit_code_validate(*, credit_code: str, override_reason: str = "") -> str:
    """A normalised credit code; a checksum mismatch passes only with a written override reason."""
    check = credit_code_check(credit_code)
    if not check.checksum_ok and not override_reason.strip():
        raise DomainError(
            code="credit_code.checksum",
            message=(
                f"统一社会信用代码“{check.code}”未通过校验（{'；'.join(check.warnings)}）。"
                "如该代码确为登记机关核发，请填写“校验不符确认理由”后再提交。"
            ),
        )
    return check.code


DEPARTMENT_FIELDS = ("name", "short_name", "credit_code", "region", "level", "nature", "parent", "is_active")


def _department_clean(
    *, department: Department | None, data: dict[str, Any], override_reason: str
) -> tuple[dict[str, Any], bool]:
    name = (data.get("name") or "").strip()
    if not name:
        raise DomainError(code="department.name_required", message="请填写部门名称。")
    raw_code = data.get("credit_code") or ""
    # A code someone already confirmed stays confirmed while it is unchanged: editing the name must not
    # ask for the override reason again.
    if department is not None and raw_code.strip().upper() == department.credit_code:
        override_reason = override_reason or department.credit_code_override_reason
    code = department_credit_code_validate(credit_code=raw_code, override_reason=override_reason)
    clash = Department.objects.filter(credit_code=code)
    if department is not None:
        clash = clash.exclude(pk=department.pk)
    if clash.exists():
        raise DomainError(
            code="department.duplicate_credit_code",
            message=f"统一社会信用代码“{code}”已被其他部门使用。",
            status=409,
        )
    if data.get("level") not in ExerciseLevel.values:
        raise DomainError(code="department.level", message="请选择行使层级（1 国家级 … 7 分级管理）。")
    if data.get("nature", BodyNature.STATUTORY) not in BodyNature.values:
        raise DomainError(code="department.nature", message="实施主体性质应为 1、2、3 或 9。")
    if not isinstance(data.get("region"), Region):
        raise DomainError(code="department.region_required", message="请选择所属行政区划。")
    parent = data.get("parent")
    if parent is not None and department is not None:
        node: Department | None = parent
        while node is not None:
            if node.pk == department.pk:
                raise DomainError(
                    code="department.parent_cycle", message="上级部门不能是本部门或其下级部门。"
                )
            node = node.parent
    overridden = not credit_code_check(code).checksum_ok
    return {
        **data,
        "name": name,
        "short_name": (data.get("short_name") or "").strip(),
        "credit_code": code,
    }, overridden


@transaction.atomic
def department_create(*, actor: Any | None, override_reason: str = "", **data: Any) -> Department:
    """Register an implementing body. ``data`` holds the fields in DEPARTMENT_FIELDS."""
    clean, overridden = _department_clean(department=None, data=data, override_reason=override_reason)
    department = Department(**{k: v for k, v in clean.items() if k in DEPARTMENT_FIELDS})
    if overridden:
        department.credit_code_override_reason = override_reason.strip()
        department.credit_code_override_by = actor
    department.save()
    audit_record(
        actor=actor,
        action="department.create",
        target=department,
        changes={"credit_code": department.credit_code, "override": department.credit_code_override_reason},
    )
    return department


@transaction.atomic
def department_update(
    *, actor: Any | None, department: Department, override_reason: str = "", **data: Any
) -> Department:
    """Change a department's fields; the audit entry records each changed field's old and new value."""
    current = {name: getattr(department, name) for name in DEPARTMENT_FIELDS}
    clean, overridden = _department_clean(
        department=department, data=current | data, override_reason=override_reason
    )
    changes = {
        name: [str(current[name]), str(clean[name])]
        for name in DEPARTMENT_FIELDS
        if clean[name] != current[name]
    }
    for name in DEPARTMENT_FIELDS:
        setattr(department, name, clean[name])
    if overridden and "credit_code" in changes:
        department.credit_code_override_reason = override_reason.strip()
        department.credit_code_override_by = actor
        changes["override"] = ["", department.credit_code_override_reason]
    elif not overridden:
        department.credit_code_override_reason, department.credit_code_override_by = "", None
    department.save()
    if changes:
        audit_record(actor=actor, action="department.update", target=department, changes=changes)
    return department


@transaction.atomic
def membership_grant(*, actor: Any | None, user: Any, department: Department, role: str) -> Membership:
    """Give a staff member a role in a department (idempotent). Staff may sign in to the workbench."""
    if role not in Role.values:
        raise DomainError(code="membership.role", message=f"角色“{role}”不存在。")
    membership, created = Membership.objects.get_or_create(user=user, department=department, role=role)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    if created:
        audit_record(actor=actor, action="membership.grant", target=membership, changes={"role": role})
    return membership


@transaction.atomic
def membership_revoke(*, actor: Any | None, membership: Membership) -> None:
    """Take a role away; the audit entry keeps who held it."""
    audit_record(
        actor=actor, action="membership.revoke", target=membership, changes={"role": membership.role}
    )
    membership.delete()


# --- Spreadsheet import ---------------------------------------------------------------------------------

ROLE_BY_LABEL = {
    "窗口受理": Role.WINDOW_CLERK,
    "审核": Role.REVIEWER,
    "审批": Role.APPROVER,
    "负责人": Role.HEAD,
    "部门管理员": Role.DEPARTMENT_ADMIN,
    "监察": Role.SUPERVISOR,
    "平台管理员": Role.PLATFORM_ADMIN,
} | {role.value: role for role in Role}

# Sheet name → (required columns, optional columns), in the order of the downloadable template.
SHEETS = {
    "区划": (["行政区划代码", "名称"], ["上级代码"]),
    "部门": (
        ["名称", "统一社会信用代码", "行政区划代码", "行使层级"],
        ["简称", "实施主体性质", "上级部门信用代码", "校验不符确认理由"],
    ),
    "人员": (["用户名", "姓名", "部门信用代码", "角色"], ["电子邮箱", "初始密码"]),
}


@dataclass
class ImportReport:
    """What an import created, or would have created (``dry_run``)."""

    regions: int = 0
    departments: int = 0
    staff: int = 0
    memberships: int = 0
    problems: list[FieldProblem] = field(default_factory=list)


def _rows(workbook: Any, sheet: str) -> list[tuple[int, dict[str, str]]]:
    if sheet not in workbook.sheetnames:
        return []
    rows = workbook[sheet].iter_rows(values_only=True)
    header = [str(cell or "").strip() for cell in next(rows, ())]
    missing = [column for column in SHEETS[sheet][0] if column not in header]
    if missing:
        raise DomainError(
            code="import.columns",
            message=f"工作表“{sheet}”缺少列：{'、'.join(missing)}。请使用导入模板。",
        )
    result = []
    for number, values in enumerate(rows, start=2):
        row = {
            header[i]: ("" if v is None else str(v).strip()) for i, v in enumerate(values) if i < len(header)
        }
        if any(row.values()):
            result.append((number, row))
    return result


class _RowRefused(Exception):
    """A spreadsheet row refused, with the column to blame."""

    def __init__(self, column: str, error: DomainError) -> None:
        super().__init__(error.message)
        self.column, self.error = column, error


@contextmanager
def _blame(column: str) -> Iterator[None]:
    """Attribute a DomainError raised inside to ``column`` of the current row."""
    try:
        yield
    except DomainError as error:
        raise _RowRefused(column, error) from error


def _import_region(*, actor: Any, row: dict[str, str], report: ImportReport) -> None:
    parent = None
    if parent_code := row.get("上级代码"):
        parent = Region.objects.filter(code=parent_code).first()
        if parent is None:
            raise _RowRefused(
                "上级代码",
                DomainError(
                    code="region.parent_unknown",
                    message=f"上级代码“{parent_code}”不存在（上级须在本表更靠前的行或已在系统中）。",
                ),
            )
    with _blame("行政区划代码"):
        region_create(actor=actor, code=row.get("行政区划代码", ""), name=row.get("名称", ""), parent=parent)
    report.regions += 1


def _import_department(*, actor: Any, row: dict[str, str], report: ImportReport) -> None:
    region_code = row.get("行政区划代码", "")
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise _RowRefused(
            "行政区划代码",
            DomainError(code="department.region_unknown", message=f"行政区划代码“{region_code}”不存在。"),
        )
    parent = None
    if parent_code := row.get("上级部门信用代码"):
        parent = Department.objects.filter(credit_code=parent_code.upper()).first()
        if parent is None:
            raise _RowRefused(
                "上级部门信用代码",
                DomainError(code="department.parent_unknown", message=f"上级部门“{parent_code}”不存在。"),
            )
    with _blame("统一社会信用代码"):
        department_create(
            actor=actor,
            name=row.get("名称", ""),
            short_name=row.get("简称", ""),
            credit_code=row.get("统一社会信用代码", ""),
            region=region,
            level=_int_or_none(row.get("行使层级")),
            nature=_int_or_none(row.get("实施主体性质")) or BodyNature.STATUTORY,
            parent=parent,
            override_reason=row.get("校验不符确认理由", ""),
        )
    report.departments += 1


def _import_staff(*, actor: Any, row: dict[str, str], report: ImportReport) -> None:
    username = row.get("用户名", "")
    if not username:
        raise _RowRefused("用户名", DomainError(code="staff.username_required", message="请填写用户名。"))
    department = Department.objects.filter(credit_code=row.get("部门信用代码", "").upper()).first()
    if department is None:
        raise _RowRefused(
            "部门信用代码",
            DomainError(
                code="staff.department_unknown", message=f"部门“{row.get('部门信用代码', '')}”不存在。"
            ),
        )
    role = ROLE_BY_LABEL.get(row.get("角色", ""))
    if role is None:
        labels = "、".join(label for label in ROLE_BY_LABEL if not label.isascii())
        raise _RowRefused(
            "角色",
            DomainError(code="membership.role", message=f"角色“{row.get('角色', '')}”无效，应为：{labels}。"),
        )
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        password = row.get("初始密码", "")
        try:
            validate_password(password)
        except ValidationError as error:
            raise _RowRefused(
                "初始密码", DomainError(code="staff.password", message="；".join(error.messages))
            ) from error
        user = user_model.objects.create_user(
            username=username,
            password=password,
            name=row.get("姓名", ""),
            email=row.get("电子邮箱", ""),
            is_staff=True,
        )
        audit_record(actor=actor, action="staff.create", target=user)
        report.staff += 1
    if not Membership.objects.filter(user=user, department=department, role=role).exists():
        membership_grant(actor=actor, user=user, department=department, role=role)
        report.memberships += 1


_ROW_IMPORTERS = {"区划": _import_region, "部门": _import_department, "人员": _import_staff}


@transaction.atomic
def organisations_import(*, actor: Any | None, file: BinaryIO, dry_run: bool = False) -> ImportReport:
    """Import regions, departments and staff from an .xlsx workbook (sheets 区划, 部门, 人员, in that order).

    All or nothing: every row is tried, and if any row has a problem nothing is written and the DomainError
    lists each problem with its sheet, row and column. ``dry_run`` checks everything and writes nothing.
    """
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise DomainError(code="import.not_xlsx", message="文件不是有效的 Excel 工作簿（.xlsx）。") from exc
    if not any(sheet in workbook.sheetnames for sheet in SHEETS):
        raise DomainError(
            code="import.no_sheets", message=f"工作簿中没有可导入的工作表（应为：{'、'.join(SHEETS)}）。"
        )
    report = ImportReport()
    everything = transaction.savepoint()
    for sheet, import_row in _ROW_IMPORTERS.items():
        for number, row in _rows(workbook, sheet):
            # A refused row is rolled back on its own so later rows still see a usable transaction.
            row_savepoint = transaction.savepoint()
            try:
                import_row(actor=actor, row=row, report=report)
            except _RowRefused as refused:
                transaction.savepoint_rollback(row_savepoint)
                report.problems.append(
                    FieldProblem(
                        field=f"{sheet}.{refused.column}",
                        code=refused.error.code,
                        message=refused.error.message,
                        row=number,
                    )
                )
            else:
                transaction.savepoint_commit(row_savepoint)
    if report.problems:
        transaction.savepoint_rollback(everything)
        raise DomainError(
            code="import.rows_invalid",
            message=f"导入未执行：共有 {len(report.problems)} 处问题，请修改后重新导入（未写入任何数据）。",
            problems=report.problems,
        )
    if dry_run:
        transaction.savepoint_rollback(everything)
    else:
        transaction.savepoint_commit(everything)
    return report


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(float(value)) if value else None
    except ValueError:
        return None
