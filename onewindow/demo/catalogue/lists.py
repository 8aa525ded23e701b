"""Life-event bundles, market-access negative list entries and intermediary services of the demo catalogue."""

from __future__ import annotations

from onewindow.catalogue.models import Audience, NegativeListEntry

# How a bundle's items' forms merge beyond same-named fields (Bundle.field_map), by item key here; the loader
# turns the keys into implementation codes.
BUNDLE_FIELD_MAPS: dict[str, dict[str, dict[str, str]]] = {
    "newborn": {"resident-medical-enrolment": {"insured_name": "baby_name"}},
}

# (code, name, audience, description, keywords, popularity, [(item key, stage, optional)])
BUNDLES = [
    (
        "open-restaurant",
        "开办餐饮店",
        Audience.COMPANY,
        "开一家餐馆需要的营业执照、食品经营许可、消防安全检查、户外招牌、排水许可和税务、社保登记，一次申请、一套材料，各部门并联审批。",
        "开饭店 开餐馆 开餐厅 开小吃店 开奶茶店 餐饮店",
        9200,
        [
            ("company-setup", 1, False),
            ("food-business-licence", 2, False),
            ("fire-safety-inspection", 2, False),
            ("outdoor-sign", 2, True),
            ("drainage-permit", 2, False),
            ("tax-new-taxpayer", 3, False),
            ("unit-insurance-registration", 3, True),
        ],
    ),
    (
        "newborn",
        "新生儿出生",
        Audience.PERSON,
        "宝宝出生后一次申请、一张表单：卫生健康部门先签发出生医学证明，办结后户口登记、医保参保和社保卡申领"
        "自动启动，出生医学证明电子证照自动送达，无需再次提交；一个受理编号查询全程，证件邮寄到家。",
        "宝宝出生 新生儿 生孩子 上户口 出生一件事",
        9000,
        [
            # Stage 1: 卫健 issues the 出生医学证明 (a licence); stage 2 needs it and starts once it exists.
            ("birth-medical-certificate", 1, False),
            ("birth-registration", 2, False),
            ("resident-medical-enrolment", 2, False),
            ("social-security-card-apply", 2, False),
            ("maternity-benefits", 2, True),
        ],
    ),
    (
        "company-opening",
        "企业开办",
        Audience.COMPANY,
        "营业执照、公章刻制、新办纳税人套餐、社保登记和住房公积金缴存登记一次申请，1 个工作日内办结，免费刻章、免费寄递。",
        "开公司 注册公司 企业开办 办执照刻章领发票",
        9500,
        [
            ("company-setup", 1, False),
            ("seal-engraving-filing", 2, False),
            ("tax-new-taxpayer", 2, False),
            ("unit-insurance-registration", 2, False),
            ("hpf-unit-registration", 2, False),
        ],
    ),
    (
        "retirement",
        "退休",
        Audience.PERSON,
        "到龄退休时，养老金待遇核定、医保退休待遇核定和住房公积金销户提取一次申请。",
        "办退休 退休手续 到龄退休 退休一件事",
        7000,
        [("pension-claim", 1, False), ("retiree-medical", 2, False), ("hpf-withdraw-retire", 2, True)],
    ),
    (
        "second-hand-house",
        "二手房交易",
        Audience.PERSON,
        "二手房买卖合同网签、税费申报缴纳和不动产转移登记“一窗受理、集成服务”，可同步办理公积金提取。",
        "二手房 买房 卖房 过户 房屋交易 二手房过户",
        8500,
        [
            ("second-hand-contract-filing", 1, False),
            ("tax-deed-tax", 2, False),
            ("tax-second-hand-income", 2, True),
            ("estate-transfer", 3, False),
            ("hpf-withdraw-purchase", 4, True),
        ],
    ),
    (
        "marriage-birth",
        "结婚生育",
        Audience.PERSON,
        "结婚登记后办理生育登记，生育后申领生育津贴，一次告知、材料复用。",
        "结婚 生孩子 生育 婚育 领证后",
        5200,
        [
            ("marriage-registration", 1, False),
            ("birth-registration-health", 2, False),
            ("maternity-benefits", 3, True),
        ],
    ),
    (
        "veteran-discharge",
        "军人退役",
        Audience.PERSON,
        "退役士兵报到、户口登记、养老和医疗保险关系接续、优待证和一次性经济补助一次办理。",
        "退伍 退役 当兵回来 退役报到 军人退役一件事",
        1800,
        [
            ("veteran-reporting", 1, False),
            ("household-move-in", 2, False),
            ("pension-transfer", 2, False),
            ("medical-transfer", 2, False),
            ("veteran-card", 3, False),
            ("veteran-lump-sum", 3, True),
        ],
    ),
    (
        "after-death",
        "身后一件事",
        Audience.PERSON,
        "亲人离世后，死亡医学证明、户口注销、殡葬费用减免和丧葬补助金、抚恤金申领一次办理。",
        "去世 过世 死亡 丧葬 销户 身后事",
        3000,
        [
            ("death-medical-certificate", 1, False),
            ("household-cancel-death", 2, False),
            ("funeral-fee-relief", 2, False),
            ("survivor-benefits", 3, False),
        ],
    ),
]

C = NegativeListEntry.Category
# (code, category, title, measures, legal basis, item keys) — after the 市场准入负面清单（2022年版）.
NEGATIVE_LIST = [
    (
        "101",
        C.PROHIBITED,
        "法律、法规、国务院决定等明确设立且与市场准入相关的禁止性规定",
        "禁止违反法律、法规、国务院决定的规定从事相关经营活动。",
        "《市场准入负面清单（2022年版）》禁止准入类第1项",
        [],
    ),
    (
        "102",
        C.PROHIBITED,
        "国家产业政策明令淘汰和限制的产品、技术、工艺、设备及行为",
        "禁止投资《产业结构调整指导目录》中的淘汰类项目；限制类项目禁止新建。",
        "《产业结构调整指导目录（2024年本）》",
        [],
    ),
    (
        "203",
        C.LICENSED,
        "未获得许可，不得从事食品生产经营",
        "食品生产许可；食品经营许可；小餐饮经营登记。",
        "《中华人民共和国食品安全法》第三十五条",
        ["food-business-licence", "food-production-licence", "small-catering-registration"],
    ),
    (
        "215",
        C.LICENSED,
        "未获得许可，不得从事药品、医疗器械的生产、经营",
        "药品经营许可；第二类医疗器械经营备案。",
        "《中华人民共和国药品管理法》第五十一条；《医疗器械监督管理条例》第四十一条",
        ["drug-retail-licence", "medical-device-class2-filing"],
    ),
    (
        "232",
        C.LICENSED,
        "未获得许可，不得从事危险化学品、烟花爆竹经营",
        "危险化学品经营许可；烟花爆竹经营（零售）许可。",
        "《危险化学品安全管理条例》第三十三条；《烟花爆竹安全管理条例》第十九条",
        ["hazardous-chemicals-licence", "fireworks-retail-licence"],
    ),
    (
        "241",
        C.LICENSED,
        "未获得许可，不得从事娱乐场所、互联网上网服务营业场所经营",
        "娱乐场所经营许可；互联网上网服务营业场所经营单位设立审批。",
        "《娱乐场所管理条例》第九条；《互联网上网服务营业场所管理条例》第七条",
        ["entertainment-licence", "internet-cafe-licence"],
    ),
    (
        "250",
        C.LICENSED,
        "未获得许可或资质，不得从事房地产开发、建筑施工",
        "房地产开发企业资质；建筑业企业资质；商品房预售许可；建筑工程施工许可。",
        "《中华人民共和国城市房地产管理法》第三十条、第四十五条；《中华人民共和国建筑法》第七条、第十三条",
        ["developer-qualification", "builder-qualification", "presale-permit", "construction-permit"],
    ),
    (
        "262",
        C.LICENSED,
        "未获得许可，不得从事道路运输经营",
        "道路旅客运输经营许可；道路货物运输经营许可；网络预约出租汽车运输证。",
        "《中华人民共和国道路运输条例》第八条、第二十一条",
        ["road-passenger-licence", "road-freight-licence", "ride-hailing-vehicle"],
    ),
    (
        "270",
        C.LICENSED,
        "未获得许可，不得从事职业中介、劳务派遣经营",
        "人力资源服务许可；劳务派遣经营许可。",
        "《中华人民共和国就业促进法》第四十条；《中华人民共和国劳动合同法》第五十七条",
        ["hr-service-licence", "labour-dispatch-licence"],
    ),
    (
        "281",
        C.LICENSED,
        "未获得许可，不得从事危险废物收集、贮存、利用、处置经营",
        "危险废物经营许可。",
        "《中华人民共和国固体废物污染环境防治法》第八十条",
        ["hazardous-waste-licence"],
    ),
]

# (code, name, legal basis, fee basis, time limit, department key, item keys)
INTERMEDIARY_SERVICES = [
    (
        "ZJFW-350100-001",
        "建设工程规划测量（放线、验线、竣工规划测量）",
        "《中华人民共和国测绘法》第二十七条；《福建省实施〈中华人民共和国城乡规划法〉办法》",
        "市场调节价",
        5,
        "land",
        ["building-planning-permit", "planning-acceptance"],
    ),
    (
        "ZJFW-350100-002",
        "环境影响评价文件编制",
        "《中华人民共和国环境影响评价法》第十九条；《建设项目环境影响报告书（表）编制监督管理办法》",
        "市场调节价",
        30,
        "environment",
        ["eia-report", "eia-table"],
    ),
    (
        "ZJFW-350100-003",
        "施工图设计文件审查",
        "《建设工程质量管理条例》第十一条；《房屋建筑和市政基础设施工程施工图设计文件审查管理办法》",
        "政府购买服务，建设单位不付费",
        10,
        "housing",
        ["construction-permit"],
    ),
    (
        "ZJFW-350100-004",
        "建筑消防设施检测",
        "《中华人民共和国消防法》第三十四条；《社会消防技术服务管理规定》（应急管理部令第7号）",
        "市场调节价",
        7,
        "housing",
        ["fire-acceptance"],
    ),
]

# (name, org code body, qualification, phone, address, service codes)
INSTITUTIONS = [
    (
        "福州闽建测绘有限公司",
        "MA2XN101",
        "测绘资质甲级（工程测量、不动产测绘）",
        "0591-83301001",
        "福州市鼓楼区西二环中路318号",
        ["ZJFW-350100-001"],
    ),
    (
        "福建三山地理信息技术有限公司",
        "MA2XN102",
        "测绘资质乙级（工程测量）",
        "0591-83301002",
        "福州市仓山区金山大道618号",
        ["ZJFW-350100-001"],
    ),
    (
        "福建榕城环境科技有限公司",
        "MA2XN103",
        "环境影响评价信用平台登记单位",
        "0591-83301003",
        "福州市晋安区福新东路239号",
        ["ZJFW-350100-002"],
    ),
    (
        "福州海西环保工程咨询有限公司",
        "MA2XN104",
        "环境影响评价信用平台登记单位",
        "0591-83301004",
        "福州市台江区江滨中大道363号",
        ["ZJFW-350100-002"],
    ),
    (
        "福州海峡施工图审查有限公司",
        "MA2XN105",
        "房屋建筑工程施工图审查一类机构",
        "0591-83301005",
        "福州市鼓楼区湖东路168号",
        ["ZJFW-350100-003"],
    ),
    (
        "福建安建消防技术服务有限公司",
        "MA2XN106",
        "消防设施维护保养检测机构（已备案）",
        "0591-83301006",
        "福州市仓山区浦上大道208号",
        ["ZJFW-350100-004"],
    ),
    (
        "福州正衡工程检测有限公司",
        "MA2XN107",
        "建设工程质量检测（消防设施检测）",
        "0591-83301007",
        "福州市晋安区岳峰镇连江北路68号",
        ["ZJFW-350100-004", "ZJFW-350100-001"],
    ),
]
