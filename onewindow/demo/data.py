"""The demo: a province, a city with its districts, departments and a persona for every staff role.

Created through the same services as real data (so it is validated and audited) and only where missing,
so running it again never overwrites what someone changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from onewindow.core.identifiers import credit_code_check_digit, organisation_code_check_digit
from onewindow.demo.appointments import appointments_demo_load
from onewindow.demo.assist import assist_demo_load
from onewindow.demo.catalogue_import import catalogue_load
from onewindow.demo.fees import fees_demo_load
from onewindow.demo.halls import halls_demo_load
from onewindow.demo.hotline import hotline_demo_load
from onewindow.demo.identity import identity_demo_load
from onewindow.demo.licences import licences_demo_load
from onewindow.demo.ratings import ratings_demo_load
from onewindow.demo.sharing_demo import sharing_demo_load
from onewindow.demo.webhooks import webhooks_demo_load
from onewindow.demo.workflow import workflow_demo_load
from onewindow.organisations.models import Department, ExerciseLevel, Region, Role
from onewindow.organisations.services import department_create, membership_grant, region_create

DEMO_PASSWORD = "Demo@2026!"

REGIONS = [
    ("350000", "福建省", None),
    ("350100", "福州市", "350000"),
    ("350102", "鼓楼区", "350100"),
    ("350103", "台江区", "350100"),
    ("350104", "仓山区", "350100"),
    ("350111", "晋安区", "350100"),
    ("350102001", "鼓东街道", "350102"),
    ("350102002", "鼓西街道", "350102"),
    ("350102001001", "三坊七巷社区", "350102001"),
]

# (key, name, short name, region, level)
DEPARTMENTS = [
    ("approval", "福州市行政审批局", "市审批局", "350100", ExerciseLevel.MUNICIPAL),
    ("market", "福州市市场监督管理局", "市市场监管局", "350100", ExerciseLevel.MUNICIPAL),
    ("health", "福州市卫生健康委员会", "市卫健委", "350100", ExerciseLevel.MUNICIPAL),
    ("police", "福州市公安局", "市公安局", "350100", ExerciseLevel.MUNICIPAL),
    ("hrss", "福州市人力资源和社会保障局", "市人社局", "350100", ExerciseLevel.MUNICIPAL),
    ("housing", "福州市住房和城乡建设局", "市住建局", "350100", ExerciseLevel.MUNICIPAL),
    ("land", "福州市自然资源和规划局", "市自然资源局", "350100", ExerciseLevel.MUNICIPAL),
    ("environment", "福州市生态环境局", "市生态环境局", "350100", ExerciseLevel.MUNICIPAL),
    ("transport", "福州市交通运输局", "市交通局", "350100", ExerciseLevel.MUNICIPAL),
    ("civil", "福州市民政局", "市民政局", "350100", ExerciseLevel.MUNICIPAL),
    ("medical", "福州市医疗保障局", "市医保局", "350100", ExerciseLevel.MUNICIPAL),
    (
        "data",
        "福州市数字福州建设领导小组办公室（市数据管理局）",
        "市数据管理局",
        "350100",
        ExerciseLevel.MUNICIPAL,
    ),
    ("gulou", "福州市鼓楼区行政服务中心管理委员会", "鼓楼区行政服务中心", "350102", ExerciseLevel.COUNTY),
    ("gulou_market", "福州市鼓楼区市场监督管理局", "鼓楼区市场监管局", "350102", ExerciseLevel.COUNTY),
    # The catalogue's implementing bodies; appended so earlier departments keep their credit codes.
    ("housing_fund", "福州住房公积金中心", "市公积金中心", "350100", ExerciseLevel.MUNICIPAL),
    ("education", "福州市教育局", "市教育局", "350100", ExerciseLevel.MUNICIPAL),
    ("disabled", "福州市残疾人联合会", "市残联", "350100", ExerciseLevel.MUNICIPAL),
    ("tax", "国家税务总局福州市税务局", "市税务局", "350100", ExerciseLevel.MUNICIPAL),
    ("veterans", "福州市退役军人事务局", "市退役军人局", "350100", ExerciseLevel.MUNICIPAL),
    ("justice", "福州市司法局", "市司法局", "350100", ExerciseLevel.MUNICIPAL),
    ("gulou_civil", "福州市鼓楼区民政局", "鼓楼区民政局", "350102", ExerciseLevel.COUNTY),
    ("gulou_education", "福州市鼓楼区教育局", "鼓楼区教育局", "350102", ExerciseLevel.COUNTY),
    ("culture", "福州市文化和旅游局", "市文旅局", "350100", ExerciseLevel.MUNICIPAL),
    ("emergency", "福州市应急管理局", "市应急局", "350100", ExerciseLevel.MUNICIPAL),
    ("fire", "福州市消防救援支队", "市消防救援支队", "350100", ExerciseLevel.MUNICIPAL),
    ("urban", "福州市城市管理委员会", "市城管委", "350100", ExerciseLevel.MUNICIPAL),
]


def demo_credit_code(index: int, region: str) -> str:
    """A credit code that passes both GB 32100 and GB 11714 checks: 11 (机构编制 · 机关) + region + org code."""
    org8 = f"M{index:07d}"
    body = f"11{region[:6]}{org8}{organisation_code_check_digit(org8)}"
    return body + credit_code_check_digit(body)


@dataclass(frozen=True)
class Persona:
    username: str
    name: str
    department: str
    roles: tuple[Role, ...]
    description: str
    superuser: bool = False


PERSONAS = [
    Persona(
        "clerk",
        "窗口受理员 王芳",
        "approval",
        (Role.WINDOW_CLERK,),
        "市审批局 窗口受理，福州市民服务中心综合窗口（受理进驻事项、出件）",
    ),
    Persona("reviewer", "审核员 李明", "market", (Role.REVIEWER,), "市市场监管局 审核"),
    Persona("reviewer2", "审核员 陈静", "health", (Role.REVIEWER,), "市卫健委 审核（并联审批的第二个部门）"),
    Persona("approver", "审批员 张伟", "market", (Role.APPROVER,), "市市场监管局 审批"),
    Persona("head", "局长 周强", "market", (Role.HEAD,), "市市场监管局 负责人（批准延期）"),
    Persona("deptadmin", "部门管理员 刘洋", "market", (Role.DEPARTMENT_ADMIN,), "市市场监管局 部门管理员"),
    Persona("supervisor", "监察员 赵敏", "data", (Role.SUPERVISOR,), "市数据管理局 电子监察"),
    # 市数据管理局 runs the 12345 office in the demo: the operator takes calls; the supervisor decides returns.
    Persona(
        "operator", "话务员 孙悦", "data", (Role.WINDOW_CLERK,), "12345 热线话务员（接听、派单、并单、回访）"
    ),
    Persona("head_approval", "局长 陈刚", "approval", (Role.HEAD,), "市审批局 负责人（差评回访与整改）"),
    # The departments of the demo's parallel joint reviews (demo/workflow.py): a window clerk, a reviewer and
    # an approver in each, so every step of the demo processes has someone to do it.
    Persona("clerk_market", "窗口受理员 林雪", "market", (Role.WINDOW_CLERK,), "市市场监管局 窗口受理"),
    Persona("clerk_health", "窗口受理员 吴婷", "health", (Role.WINDOW_CLERK,), "市卫健委 窗口受理"),
    Persona("approver_health", "审批员 郑浩", "health", (Role.APPROVER,), "市卫健委 审批"),
    Persona("clerk_housing", "窗口受理员 黄磊", "housing", (Role.WINDOW_CLERK,), "市住建局 窗口受理"),
    Persona("reviewer_housing", "审核员 许丽", "housing", (Role.REVIEWER,), "市住建局 审核（联合审查）"),
    Persona("approver_housing", "审批员 何军", "housing", (Role.APPROVER,), "市住建局 审批"),
    Persona("clerk_land", "窗口受理员 蔡琳", "land", (Role.WINDOW_CLERK,), "市自然资源局 窗口受理"),
    Persona("reviewer_land", "审核员 郭鹏", "land", (Role.REVIEWER,), "市自然资源局 审核（联合审查）"),
    Persona("approver_land", "审批员 杨帆", "land", (Role.APPROVER,), "市自然资源局 审批"),
    Persona("clerk_env", "窗口受理员 邱敏", "environment", (Role.WINDOW_CLERK,), "市生态环境局 窗口受理"),
    Persona("reviewer_env", "审核员 曾涛", "environment", (Role.REVIEWER,), "市生态环境局 审核（联合审查）"),
    Persona("approver_env", "审批员 罗勇", "environment", (Role.APPROVER,), "市生态环境局 审批"),
    Persona("clerk_fire", "窗口受理员 谢宁", "fire", (Role.WINDOW_CLERK,), "市消防救援支队 窗口受理"),
    Persona("reviewer_fire", "审核员 彭刚", "fire", (Role.REVIEWER,), "市消防救援支队 审核（联合验收）"),
    Persona("approver_fire", "审批员 范毅", "fire", (Role.APPROVER,), "市消防救援支队 审批"),
    Persona("clerk_tax", "窗口受理员 宋佳", "tax", (Role.WINDOW_CLERK,), "市税务局 窗口受理"),
    Persona("reviewer_tax", "审核员 唐杰", "tax", (Role.REVIEWER,), "市税务局 审核（联合审核）"),
    Persona("approver_tax", "审批员 韩冰", "tax", (Role.APPROVER,), "市税务局 审批"),
    # A village service station's staff member (onewindow.assist): files for residents who cannot go online.
    Persona(
        "helper",
        "帮办员 陈秀英",
        "gulou",
        (Role.WINDOW_CLERK,),
        "三坊七巷社区便民服务站 帮办代办（为不会上网的群众代为申请）",
    ),
    Persona(
        "admin", "平台管理员 周强", "data", (Role.PLATFORM_ADMIN,), "平台管理员（可进入后台）", superuser=True
    ),
]


@transaction.atomic
def demo_load(*, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Create whatever part of the demo is missing; return how many of each thing were created.

    ``progress`` is told each step's name as it starts (the quick start's console shows it)."""
    step = progress or (lambda name: None)
    step("regions, departments and staff")
    created = {"regions": 0, "departments": 0, "staff": 0}
    regions = {r.code: r for r in Region.objects.all()}
    for code, name, parent in REGIONS:
        if code not in regions:
            regions[code] = region_create(
                actor=None, code=code, name=name, parent=regions[parent] if parent else None
            )
            created["regions"] += 1
    departments = {}
    for index, (key, name, short, region, level) in enumerate(DEPARTMENTS, start=1):
        code = demo_credit_code(index, region)
        department = Department.objects.filter(credit_code=code).first()
        if department is None:
            department = department_create(
                actor=None,
                name=name,
                short_name=short,
                credit_code=code,
                region=regions[region],
                level=level,
            )
            created["departments"] += 1
        departments[key] = department
    user_model = get_user_model()
    # One hash for every persona (a deliberately slow hash): 25 accounts would add seconds to each quick start.
    password_hash = make_password(DEMO_PASSWORD)
    for persona in PERSONAS:
        user = user_model.objects.filter(username=persona.username).first()
        if user is None:
            user = user_model.objects.create_user(
                username=persona.username,
                password=None,
                name=persona.name,
                is_staff=True,
                is_superuser=persona.superuser,
            )
            user.password = password_hash
            user.save(update_fields=["password"])
            created["staff"] += 1
        for role in persona.roles:
            membership_grant(actor=None, user=user, department=departments[persona.department], role=role)
    step("service catalogue (items, guides, forms)")
    created |= catalogue_load()
    step("citizens, companies and single sign-on clients")
    created |= identity_demo_load(password=DEMO_PASSWORD, staff_usernames=[p.username for p in PERSONAS])
    step("fee schedules of charged items")
    created |= fees_demo_load()
    step("service centres and their comprehensive windows")
    created |= halls_demo_load(departments=departments)
    step("hall windows, queue lines, appointment slots and bookings")
    created |= appointments_demo_load(departments=departments)
    step("grassroots points and the elderly mode")
    created |= assist_demo_load(departments=departments)
    step("licence types, signing keys and licences")
    created |= licences_demo_load(departments=departments)
    step("shared resources and approvals")
    created |= sharing_demo_load(departments=departments)
    step("webhook subscriptions of the demo department systems")
    created |= webhooks_demo_load(departments=departments)
    step("processes and cases")
    created |= workflow_demo_load(departments=departments)
    step("12345 hotline, questions and complaints")
    created |= hotline_demo_load(departments=departments)
    step("好差评 (ratings and rectifications)")
    created |= ratings_demo_load()
    return created
