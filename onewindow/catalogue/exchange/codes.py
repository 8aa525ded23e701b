"""The Chinese labels of the catalogue's code lists, as the national exchange tables and provincial
spreadsheets write them (domain reference §2). These are data, not interface text: an exchange file says
“行政许可” whatever language the reader of the web pages chose."""

from __future__ import annotations

ITEM_TYPE = {
    "01": "行政许可",
    "02": "行政处罚",
    "03": "行政强制",
    "04": "行政征收",
    "05": "行政给付",
    "06": "行政检查",
    "07": "行政确认",
    "08": "行政奖励",
    "09": "行政裁决",
    "10": "其他行政权力",
    "20": "公共服务",
}
# Provinces also write the type as two letters (domain reference §2); accepted on import.
ITEM_TYPE_LETTERS = {
    "XK": "01",
    "CF": "02",
    "QZ": "03",
    "ZS": "04",
    "JF": "05",
    "JC": "06",
    "QR": "07",
    "JL": "08",
    "CJ": "09",
    "QT": "10",
    "GG": "20",
}
LEVEL = {
    "1": "国家级",
    "2": "省级",
    "3": "市级",
    "4": "县级",
    "5": "镇(乡、街道)级",
    "6": "村(社区)级",
    "7": "分级管理",
}
CASE_TYPE = {"1": "即办件", "2": "承诺件", "9": "其他"}
SERVICE_OBJECT = {
    "1": "自然人",
    "2": "企业法人",
    "3": "事业法人",
    "4": "社会组织法人",
    "5": "行政机关",
    "6": "其他组织",
}
HANDLING_FORM = {"1": "窗口办理", "2": "电脑端网上办理", "3": "移动端网上申请", "4": "快递申请", "9": "其他"}
ONLINE_DEPTH = {
    "1": "互联网咨询",
    "2": "互联网收件",
    "3": "互联网预审",
    "4": "互联网受理",
    "5": "互联网办理",
    "6": "办理结果信息反馈",
    "7": "电子证照反馈",
}
RESULT_TYPE = {"证": "证照", "文": "文书", "批复": "批复", "其他": "其他"}
CROSS_REGION_SCOPE = {"none": "不通办", "city": "全市通办", "province": "全省通办", "national": "跨省通办"}
ASSURANCE_LEVEL = {"1": "L1", "2": "L2", "3": "L3", "4": "L4"}
AUDIENCE = {"person": "自然人", "company": "法人"}
NEGATIVE_LIST_CATEGORY = {"prohibited": "禁止准入类", "licensed": "许可准入类"}
NECESSITY = {"required": "必要", "conditional": "情形必要", "optional": "非必要"}
MATERIAL_FORM = {"paper": "纸质", "electronic": "电子", "both": "纸质和电子"}
MATERIAL_SOURCE = {
    "applicant": "申请人自备",
    "issuer": "发证机关",
    "elicence": "电子证照库",
    "shared": "共享数据",
}
