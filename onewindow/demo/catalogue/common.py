"""Building blocks of the demo catalogue: themes, each department's counter and phones, the shared materials
(one key per real document, so life-event bundles ask for it once), application-form templates and the
``item()`` helper that turns a compact description into the guide fields ``catalogue.services`` expects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from onewindow.catalogue.models import (
    AssuranceLevel,
    CaseType,
    CrossRegionScope,
    HandlingForm,
    MaterialSource,
    Necessity,
    OnlineDepth,
    ResultType,
    ServiceObject,
)

# National theme lists (全国一体化政务服务平台 自然人/法人主题): (code, name).
PERSON_THEMES = [
    ("birth-adoption", "生育收养"),
    ("household", "户籍办理"),
    ("education", "教育科研"),
    ("employment", "就业创业"),
    ("person-setup", "设立变更"),
    ("person-permits", "准营准办"),
    ("marriage", "婚姻登记"),
    ("housing", "住房保障"),
    ("social-security", "社会保障"),
    ("certificates", "证件办理"),
    ("transport", "交通出行"),
    ("exit-entry", "出境入境"),
    ("medical", "医疗卫生"),
    ("retirement", "离职退休"),
    ("death-funeral", "死亡殡葬"),
    ("veterans", "优待抚恤"),
    ("justice", "司法公证"),
    ("disability", "残疾人服务"),
    ("assistance", "社会救助"),
    ("real-estate", "房产登记"),
    ("tax-person", "个人纳税"),
]
COMPANY_THEMES = [
    ("company-setup", "设立变更"),
    ("company-permits", "准营准办"),
    ("qualification", "资质认证"),
    ("tax", "税收财务"),
    ("human-resources", "人力资源"),
    ("company-social-security", "社会保障"),
    ("investment", "投资审批"),
    ("planning-construction", "规划建设"),
    ("company-medical", "医疗卫生"),
    ("safety", "安全生产"),
    ("company-closure", "法人注销"),
    ("environment", "环保绿化"),
    ("company-transport", "交通运输"),
    ("culture-tourism", "文化体育"),
]

CENTRE = "福州市鼓楼区乌山路96号福州市行政服务中心"
HOURS = "周一至周五 上午8:30—12:00，下午14:30—17:30（法定节假日除外）"
HOURS_WEEKEND = "周一至周日 上午8:30—12:00，下午14:30—17:30（法定节假日除外；周末仅办理个人业务）"
COMPLAINT = "0591-12345"

# key -> (consultation phone, address, office hours)
COUNTERS: dict[str, tuple[str, str, str]] = {
    "approval": ("0591-87113801", f"{CENTRE}二层 市行政审批局综合受理窗口", HOURS),
    "market": ("0591-87113822", f"{CENTRE}一层 市场准入综合窗口", HOURS),
    "health": ("0591-87113860", f"{CENTRE}三层 卫生健康窗口", HOURS),
    "police": ("0591-87113110", f"{CENTRE}一层 公安综合窗口及各派出所户籍窗口", HOURS_WEEKEND),
    "police_exit": ("0591-87113130", f"{CENTRE}一层 公安出入境窗口及各区出入境办证点", HOURS_WEEKEND),
    "police_traffic": ("0591-87113122", "福州市公安局交通警察支队车辆管理所及各车驾管服务站", HOURS_WEEKEND),
    "hrss": ("0591-87113812", f"{CENTRE}二层 人力资源和社会保障窗口", HOURS),
    "housing": ("0591-87113850", f"{CENTRE}四层 工程建设项目审批窗口", HOURS),
    "land": ("0591-87113836", f"{CENTRE}四层 规划和自然资源窗口", HOURS),
    "estate": ("0591-87113869", f"{CENTRE}一层 不动产登记和交易窗口", HOURS_WEEKEND),
    "environment": ("0591-87113855", f"{CENTRE}四层 生态环境窗口", HOURS),
    "transport": ("0591-87113843", f"{CENTRE}三层 交通运输窗口", HOURS),
    "civil": ("0591-87113865", f"{CENTRE}三层 民政窗口", HOURS),
    "medical": ("0591-87113876", f"{CENTRE}二层 医疗保障窗口及各区医保经办窗口", HOURS),
    "data": ("0591-87113890", f"{CENTRE}五层 市数据管理局", HOURS),
    "gulou": ("0591-87113100", "福州市鼓楼区行政服务中心（鼓楼区铜盘路）", HOURS),
    "gulou_market": ("0591-87113105", "福州市鼓楼区行政服务中心 市场监管窗口", HOURS),
    "housing_fund": ("0591-87113920", f"{CENTRE}二层 住房公积金窗口及各管理部", HOURS),
    "education": ("0591-87113930", f"{CENTRE}三层 教育窗口", HOURS),
    "disabled": ("0591-87113940", "福州市残疾人综合服务中心及各区残联服务窗口", HOURS),
    "tax": ("0591-87113966", "国家税务总局福州市各区税务局办税服务厅", HOURS),
    "veterans": ("0591-87113950", f"{CENTRE}三层 退役军人事务窗口", HOURS),
    "justice": ("0591-87113148", "福州市公共法律服务中心（各区公共法律服务中心）", HOURS),
    "gulou_civil": ("0591-87113520", "福州市鼓楼区婚姻登记处（鼓楼区行政服务中心内）", HOURS),
    "gulou_education": ("0591-87113530", "福州市鼓楼区教育局招生窗口", HOURS),
    "culture": ("0591-87113880", f"{CENTRE}三层 文化和旅游窗口", HOURS),
    "emergency": ("0591-87113870", f"{CENTRE}四层 应急管理窗口", HOURS),
    "fire": ("0591-87113119", f"{CENTRE}四层 消防救援窗口", HOURS),
    "urban": ("0591-87113895", f"{CENTRE}四层 城市管理窗口", HOURS),
}

# E-licence type codes follow GB/T 36904: the issuing ministry's credit code + a 3-digit sequence. 营业执照
# carries the national code of 国家市场监督管理总局; the others are demo codes in the same shape.
LICENCE = {
    "business-licence": "11100000000013127D001",
    "id-card": "11100000MB0148400N001",
    "household-register": "11100000MB0148400N002",
    "driving-licence": "11100000MB0148400N010",
    "vehicle-licence": "11100000MB0148400N011",
    "passport": "11100000MB0148400N020",
    "marriage-certificate": "11100000MB0163480Y001",
    "divorce-certificate": "11100000MB0163480Y002",
    "birth-medical-certificate": "11100000MB0160218X001",
    "medical-practitioner": "11100000MB0160218X010",
    "real-estate-certificate": "11100000MB0189472M001",
    "planning-permit": "11100000MB0189472M010",
    "land-planning-permit": "11100000MB0189472M011",
    "construction-permit": "11100000000013338W020",
    "food-business-licence": "11100000000013127D010",
    "drug-retail-licence": "11100000000013127D020",
    "social-security-card": "11100000MB0172520T001",
    "disability-certificate": "11100000MB0120361R001",
    "discharge-certificate": "11100000MB1A9436X8001",
    "veteran-card": "11100000MB1A9436X8002",
    "road-transport-licence": "11100000000019713D001",
    "pollutant-permit": "11100000MB1592543U001",
}

M = MaterialSource
# The shared materials. Items refer to them by key and may override any field.
MATERIALS: dict[str, dict[str, Any]] = {
    "id-card": {
        "name": "居民身份证",
        "source": M.ELICENCE,
        "licence_type_code": LICENCE["id-card"],
        "originals": 1,
        "copies": 0,
        "acceptance_standard": "在有效期内；已关联电子证照的由系统调取，无需提交复印件",
        "legal_basis": "《中华人民共和国居民身份证法》第十四条",
    },
    "household-register": {
        "name": "居民户口簿",
        "source": M.ELICENCE,
        "licence_type_code": LICENCE["household-register"],
        "originals": 1,
        "copies": 0,
        "acceptance_standard": "户主页及本人页信息与身份证一致",
    },
    "photo": {
        "name": "近期正面免冠彩色照片",
        "source": M.APPLICANT,
        "originals": 2,
        "copies": 0,
        "paper_size": "",
        "acceptance_standard": "近6个月内、白色或浅蓝色背景、不着制式服装",
        "filling_notes": "可在网上上传符合要求的电子照片（JPG，不小于 358×441 像素）。",
    },
    "application-form": {
        "name": "申请表",
        "source": M.APPLICANT,
        "generated_online": True,
        "form": "electronic",
        "originals": 1,
        "copies": 0,
        "acceptance_standard": "网上申请时在线填写，由系统生成；窗口申请时现场填写并签字",
    },
    "agent-authorisation": {
        "name": "授权委托书及受托人身份证件",
        "necessity": Necessity.CONDITIONAL,
        "condition": "委托他人代为办理的",
        "originals": 1,
        "copies": 0,
        "acceptance_standard": "委托事项、权限和期限明确，委托人签字（盖章）",
    },
    "business-licence": {
        "name": "营业执照",
        "source": M.ELICENCE,
        "licence_type_code": LICENCE["business-licence"],
        "originals": 0,
        "copies": 0,
        "acceptance_standard": "由电子证照库调取，申请人无需提交",
    },
    "legal-rep-id": {
        "name": "法定代表人身份证明",
        "source": M.ELICENCE,
        "licence_type_code": LICENCE["id-card"],
        "originals": 0,
        "copies": 0,
        "acceptance_standard": "通过电子营业执照或身份认证核验，无需提交复印件",
    },
    "articles-of-association": {
        "name": "公司章程",
        "originals": 1,
        "copies": 0,
        "acceptance_standard": "全体股东签署；可使用登记系统提供的章程参考格式",
        "legal_basis": "《中华人民共和国公司法》第四十六条",
    },
    "premises-proof": {
        "name": "住所（经营场所）使用证明",
        "originals": 0,
        "copies": 1,
        "acceptance_standard": "自有房产由系统调取不动产登记信息；租赁的提交租赁合同",
        "filling_notes": "福州市实行住所申报承诺制，可填写《住所（经营场所）申报承诺书》代替。",
    },
    "marriage-certificate": {
        "name": "结婚证",
        "source": M.ELICENCE,
        "licence_type_code": LICENCE["marriage-certificate"],
        "originals": 0,
        "copies": 0,
        "acceptance_standard": "由电子证照库调取",
    },
    "birth-medical-certificate": {
        "name": "出生医学证明",
        "source": M.ELICENCE,
        "licence_type_code": LICENCE["birth-medical-certificate"],
        "originals": 0,
        "copies": 0,
        "acceptance_standard": "由电子证照库调取（福建省内医疗机构签发）",
    },
    "real-estate-certificate": {
        "name": "不动产权证书",
        "source": M.ELICENCE,
        "licence_type_code": LICENCE["real-estate-certificate"],
        "originals": 0,
        "copies": 0,
        "acceptance_standard": "由不动产登记信息共享调取",
    },
    "bank-account": {
        "name": "本人社会保障卡或银行账户信息",
        "originals": 0,
        "copies": 0,
        "form": "electronic",
        "acceptance_standard": "账户户名须为申请人本人",
    },
    "death-certificate": {
        "name": "居民死亡医学证明（推断）书",
        "source": M.SHARED,
        "originals": 0,
        "copies": 0,
        "acceptance_standard": "由卫生健康部门死亡信息共享获取；非正常死亡的提交公安机关出具的证明",
    },
    "driving-licence": {
        "name": "机动车驾驶证",
        "source": M.ELICENCE,
        "licence_type_code": LICENCE["driving-licence"],
        "originals": 1,
        "copies": 0,
    },
    "physical-exam": {
        "name": "机动车驾驶人身体条件证明",
        "source": M.SHARED,
        "originals": 0,
        "copies": 0,
        "acceptance_standard": "由具备资质的医疗机构上传至公安交管系统，6个月内有效",
    },
    "purchase-contract": {
        "name": "存量房买卖合同（网签备案）",
        "source": M.SHARED,
        "originals": 0,
        "copies": 0,
        "acceptance_standard": "由房屋交易网签备案系统共享获取",
    },
    "tax-payment-proof": {
        "name": "契税完税信息",
        "source": M.SHARED,
        "originals": 0,
        "copies": 0,
        "acceptance_standard": "由税务部门共享，无需提交纸质完税凭证",
    },
    "social-insurance-record": {
        "name": "社会保险缴费记录",
        "source": M.SHARED,
        "originals": 0,
        "copies": 0,
        "acceptance_standard": "由社会保险信息系统获取",
    },
    "termination-proof": {
        "name": "解除或者终止劳动关系的证明",
        "originals": 0,
        "copies": 1,
        "acceptance_standard": "用人单位已通过系统办理减员的无需提交",
    },
    "land-use-proof": {
        "name": "使用土地的有关证明文件",
        "source": M.SHARED,
        "originals": 0,
        "copies": 0,
        "acceptance_standard": "由不动产登记信息共享获取",
    },
    "planning-permit": {
        "name": "建设工程规划许可证",
        "source": M.ELICENCE,
        "licence_type_code": LICENCE["planning-permit"],
        "originals": 0,
        "copies": 0,
    },
    "construction-drawings-review": {
        "name": "施工图设计文件审查合格信息",
        "source": M.SHARED,
        "originals": 0,
        "copies": 0,
        "acceptance_standard": "由施工图联审系统共享",
    },
    "contractor-contract": {
        "name": "施工合同（中标通知书）",
        "source": M.SHARED,
        "originals": 0,
        "copies": 0,
        "acceptance_standard": "由工程建设项目审批管理系统共享",
    },
    "design-scheme": {
        "name": "建设工程设计方案（总平面图）",
        "originals": 1,
        "copies": 0,
        "form": "electronic",
        "acceptance_standard": "符合控制性详细规划和规划条件，电子文件 PDF/DWG 格式",
    },
    "eia-document": {
        "name": "环境影响评价文件",
        "originals": 1,
        "copies": 0,
        "form": "electronic",
        "acceptance_standard": "由具备能力的单位编制，编制单位和人员已在信用平台登记",
    },
    "safety-system": {
        "name": "安全管理制度和岗位操作规程",
        "originals": 1,
        "copies": 0,
    },
    "professional-certificates": {
        "name": "专业技术人员资格证明",
        "originals": 0,
        "copies": 1,
        "acceptance_standard": "已纳入电子证照库的由系统调取",
    },
    "medical-certificate-assessment": {
        "name": "残疾评定表",
        "source": M.ISSUER,
        "originals": 0,
        "copies": 0,
        "acceptance_standard": "由指定评定医院出具并上传",
    },
    "income-statement": {
        "name": "家庭收入和财产状况申报及授权核对书",
        "originals": 1,
        "copies": 0,
        "acceptance_standard": "共同生活家庭成员签字，授权民政部门开展经济状况核对",
    },
    "discharge-certificate": {
        "name": "退出现役证",
        "source": M.ELICENCE,
        "licence_type_code": LICENCE["discharge-certificate"],
        "originals": 1,
        "copies": 0,
    },
}


def material(key: str, **overrides: Any) -> dict[str, Any]:
    """A shared material by key (with overrides), or an item-specific one when ``name`` is given."""
    fields = dict(MATERIALS.get(key, {}))
    fields.update(overrides)
    fields["key"] = key
    if "name" not in fields:
        raise KeyError(f"material {key!r} is not shared: give it a name")
    return fields


# --- application forms ------------------------------------------------------------------------------------

SCHEMA = "https://json-schema.org/draft/2020-12/schema"
NAME_PATTERN = "^[\u4e00-\u9fa5·]{2,20}$"


def text(title: str, example: str, **schema: Any) -> dict[str, Any]:
    return {"type": "string", "title": title, "examples": [example], **schema}


def date(title: str, example: str = "2026-03-18") -> dict[str, Any]:
    return {"type": "string", "format": "date", "title": title, "examples": [example]}


def choice(title: str, options: list[str]) -> dict[str, Any]:
    return {"type": "string", "title": title, "enum": options, "examples": [options[0]]}


def number(title: str, example: float, minimum: float = 0, **schema: Any) -> dict[str, Any]:
    return {"type": "number", "title": title, "minimum": minimum, "examples": [example], **schema}


def integer(title: str, example: int, minimum: int = 0, **schema: Any) -> dict[str, Any]:
    return {"type": "integer", "title": title, "minimum": minimum, "examples": [example], **schema}


def flag(title: str, example: bool = True) -> dict[str, Any]:
    return {"type": "boolean", "title": title, "examples": [example]}


PERSON_FIELDS = {
    "applicant_name": text("申请人姓名", "林晓燕", pattern=NAME_PATTERN, maxLength=20),
    "id_number": text("公民身份号码", "11010519491231002X", format="citizen-id"),
    "mobile": text("手机号码", "13905912345", format="mobile"),
    "address": text("联系地址", "福州市鼓楼区五四路158号", maxLength=100),
}
PERSON_REQUIRED = ["applicant_name", "id_number", "mobile"]
COMPANY_FIELDS = {
    "company_name": text("单位名称", "福州闽味餐饮管理有限公司", maxLength=100),
    "credit_code": text("统一社会信用代码", "91350100M000100Y43", format="uscc"),
    "legal_representative": text("法定代表人", "陈志强", pattern=NAME_PATTERN),
    "contact_name": text("联系人", "郑丽", pattern=NAME_PATTERN),
    "contact_mobile": text("联系人手机", "13805918888", format="mobile"),
    "address": text("住所（经营场所）", "福州市台江区江滨中大道363号", maxLength=100),
}
COMPANY_REQUIRED = ["company_name", "credit_code", "legal_representative", "contact_name", "contact_mobile"]
TEMPLATES = {
    "person": (PERSON_FIELDS, PERSON_REQUIRED),
    "company": (COMPANY_FIELDS, COMPANY_REQUIRED),
}
TEMPLATE_HELP = {
    "person": {"id_number": "18 位公民身份号码，末位为 X 时请大写。"},
    "company": {"credit_code": "18 位统一社会信用代码，见营业执照左上角。"},
}


def form(
    title: str, template: str, fields: dict[str, Any], required: list[str], help_text: dict[str, str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A JSON Schema (draft 2020-12) application form from a template plus item fields, and its UI hints."""
    base_fields, base_required = TEMPLATES[template]
    properties = base_fields | fields
    schema = {
        "$schema": SCHEMA,
        "title": title,
        "type": "object",
        "properties": properties,
        "required": base_required + [name for name in required if name not in base_required],
        "additionalProperties": False,
        "examples": [{name: spec["examples"][0] for name, spec in properties.items()}],
    }
    widgets = {
        name: "textarea"
        for name, spec in properties.items()
        if spec.get("type") == "string" and spec.get("maxLength", 0) > 100
    }
    ui = {
        "order": list(properties),
        "help": TEMPLATE_HELP[template] | help_text,
        "widgets": widgets | {n: "date" for n, s in properties.items() if s.get("format") == "date"},
        "sections": [
            {"title": "申请人信息", "fields": list(base_fields)},
            {"title": "申请事项信息", "fields": list(fields)},
        ],
    }
    return schema, ui


# --- handling profiles (consistent with the quality rules) --------------------------------------------------

F, D = HandlingForm, OnlineDepth
PROFILES: dict[str, dict[str, Any]] = {
    # 全程网办: applied, handled and delivered online; no visit.
    "online": {
        "handling_forms": [F.WINDOW, F.ONLINE_PC, F.ONLINE_MOBILE],
        "online_depth": [
            D.CONSULTATION,
            D.RECEIPT,
            D.PRE_REVIEW,
            D.ACCEPTANCE,
            D.HANDLING,
            D.RESULT_FEEDBACK,
        ],
        "onsite_visits": 0,
    },
    # 最多跑一次: apply online, one visit (to verify identity, take fingerprints, or collect the result).
    "once": {
        "handling_forms": [F.WINDOW, F.ONLINE_PC, F.ONLINE_MOBILE],
        "online_depth": [D.CONSULTATION, D.RECEIPT, D.PRE_REVIEW, D.ACCEPTANCE, D.RESULT_FEEDBACK],
        "onsite_visits": 1,
    },
    # Window only, booked online.
    "window": {
        "handling_forms": [F.WINDOW],
        "online_depth": [D.CONSULTATION],
        "onsite_visits": 1,
    },
    # Applied at the window or by post, result posted: no visit needed.
    "post": {
        "handling_forms": [F.WINDOW, F.POST],
        "online_depth": [D.CONSULTATION],
        "onsite_visits": 0,
    },
}
PERSON, COMPANY = [ServiceObject.NATURAL_PERSON], [ServiceObject.ENTERPRISE]
ORGS = [ServiceObject.ENTERPRISE, ServiceObject.PUBLIC_INSTITUTION, ServiceObject.SOCIAL_ORGANISATION]
RESULT_TYPES = {"证": ResultType.CERTIFICATE, "文": ResultType.DOCUMENT, "批复": ResultType.REPLY}


def item(
    key: str,
    dept: str,
    name: str,
    code: str,
    *,
    basis: str,
    conditions: str,
    days: tuple[int, int],
    materials: list[dict[str, Any]],
    themes: list[str],
    keywords: str,
    result: str,
    profile: str = "online",
    visit_reason: str = "",
    visits: int | None = None,
    applicant: str = "person",
    fields: dict[str, Any] | None = None,
    required: list[str] | None = None,
    help_text: dict[str, str] | None = None,
    faq: list[tuple[str, str]] | None = None,
    fees: list[dict[str, Any]] | None = None,
    fee_basis: str = "",
    result_type: str = "证",
    licence: str = "",
    popularity: int = 100,
    process: str = "",
    statutory_note: str = "",
    promised_note: str = "",
    scope: str = CrossRegionScope.NONE,
    assurance: int = AssuranceLevel.L2,
    joint: list[str] | None = None,
    counter: str | None = None,
    objects: Sequence[str] | None = None,
    booking: bool | None = None,
    kiosk: bool = False,
    postal: bool | None = None,
    level: int | None = None,
) -> dict[str, Any]:
    """One item of the demo catalogue: everything ``item_create`` needs plus where it belongs."""
    statutory, promised = days
    profile_fields = dict(PROFILES[profile])
    if visits is not None:
        profile_fields["onsite_visits"] = visits
    if licence and OnlineDepth.HANDLING in profile_fields["online_depth"]:
        profile_fields["online_depth"] = [*profile_fields["online_depth"], OnlineDepth.LICENCE_FEEDBACK]
    phone, address, hours = COUNTERS[counter or dept]
    schema, ui = form(
        f"{name}申请表", applicant, fields or {}, required or list(fields or {}), help_text or {}
    )
    guide = {
        "name": name,
        "item_type": code[2:4],
        "legal_basis": basis,
        "acceptance_conditions": conditions,
        "process_description": process
        or (
            "网上申请（闽政通 App 或福建省网上办事大厅）或窗口申请 → 受理 → 审查 → 决定 → 送达（电子证照同步推送）"
            if profile != "window"
            else "预约取号 → 窗口申请 → 受理 → 审查 → 决定 → 领取结果"
        ),
        "keywords": keywords,
        "statutory_days": statutory,
        "statutory_note": statutory_note,
        "promised_days": promised,
        "promised_note": promised_note,
        "case_type": CaseType.IMMEDIATE if promised == 0 else CaseType.PROMISED,
        "charges_fee": bool(fees),
        "fee_items": fees or [],
        "fee_basis": fee_basis,
        "service_objects": list(objects or (PERSON if applicant == "person" else COMPANY)),
        "supports_booking": profile != "online" if booking is None else booking,
        "supports_online_payment": bool(fees),
        "supports_postal_delivery": (result_type == "证" and profile != "window")
        if postal is None
        else postal,
        "supports_kiosk": kiosk,
        "onsite_reason": visit_reason if profile_fields["onsite_visits"] else "",
        "min_assurance_level": assurance,
        "cross_region_scope": scope,
        "result_name": result,
        "result_type": RESULT_TYPES.get(result_type, result_type),
        "licence_type_code": licence,
        "address": address,
        "office_hours": hours,
        "consultation_phone": phone,
        "complaint_phone": COMPLAINT,
        "faq": [{"q": q, "a": a} for q, a in (faq or [])],
        "form_schema": schema,
        "form_ui": ui,
        **profile_fields,
    }
    if level is not None:
        guide["level"] = level
    return {
        "key": key,
        "dept": dept,
        "basic_code": code,
        "guide": guide,
        "materials": materials,
        "themes": themes,
        "joint": joint or [],
        "popularity": popularity,
    }


def fee(name: str, standard: str, basis: str, waivable: bool = False) -> dict[str, Any]:
    return {"name": name, "standard": standard, "basis": basis, "waivable": waivable}
