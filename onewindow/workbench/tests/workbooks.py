"""Workbooks for the organisation import tests, built with openpyxl the way a spreadsheet program saves them."""

from __future__ import annotations

import io

from openpyxl import Workbook

from onewindow.organisations.services import SHEETS
from tests.factories import valid_credit_code


def workbook_bytes(rows: dict[str, list[dict[str, str]]]) -> bytes:
    """An .xlsx with the template's header row on each named sheet and the given rows under it."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet_name, sheet_rows in rows.items():
        sheet = workbook.create_sheet(sheet_name)
        header = [*SHEETS[sheet_name][0], *SHEETS[sheet_name][1]]
        sheet.append(header)
        for row in sheet_rows:
            sheet.append([row.get(column, "") for column in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def good_workbook() -> bytes:
    """A province, a city, two departments and one clerk."""
    return workbook_bytes(
        {
            "区划": [
                {"行政区划代码": "360000", "名称": "江西省"},
                {"行政区划代码": "360100", "名称": "南昌市", "上级代码": "360000"},
            ],
            "部门": [
                {
                    "名称": "南昌市行政审批局",
                    "简称": "市审批局",
                    "统一社会信用代码": valid_credit_code(9001, "360100"),
                    "行政区划代码": "360100",
                    "行使层级": "3",
                },
                {
                    "名称": "南昌市公安局",
                    "统一社会信用代码": valid_credit_code(9002, "360100"),
                    "行政区划代码": "360100",
                    "行使层级": "3",
                },
            ],
            "人员": [
                {
                    "用户名": "nc_clerk",
                    "姓名": "张敏",
                    "部门信用代码": valid_credit_code(9001, "360100"),
                    "角色": "窗口受理",
                    "初始密码": "Window-Clerk-2026",
                },
            ],
        }
    )


def bad_workbook() -> bytes:
    """The good workbook with one bad row: a department whose region does not exist."""
    return workbook_bytes(
        {
            "区划": [{"行政区划代码": "360000", "名称": "江西省"}],
            "部门": [
                {
                    "名称": "南昌市行政审批局",
                    "统一社会信用代码": valid_credit_code(9001, "360100"),
                    "行政区划代码": "360000",
                    "行使层级": "2",
                },
                {
                    "名称": "南昌市公安局",
                    "统一社会信用代码": valid_credit_code(9002, "360100"),
                    "行政区划代码": "369900",
                    "行使层级": "3",
                },
            ],
        }
    )
