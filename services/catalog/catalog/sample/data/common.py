"""Building blocks shared by all kinds of guides: step patterns, opening hours, holiday notes, condition intros,
online portals and FAQs whose answers are computed from the item itself (so they are always consistent with it).

Placeholders in templates: {subject} (the item's subject, its name without the place), {result}, {hall},
{window}, {portal}, {days} (promised working days), {finish} (当场 / 在N个工作日内), {place} (本市 or the district /
town), {county} (本市 or the district: who sets standards), {phone}, {outcome} (what the applicant gets, derived from
the name when a recipe gives no result).
"""

# Step patterns: pattern key -> list of (titles, descriptions, probability of being included).
# Titles and descriptions are alternatives; the generator picks one of each.
STEP_PATTERNS = {
    # Licences and other decisions made after a review of the file (and sometimes a site inspection).
    "licence": [
        (
            ["申请", "提交申请"],
            [
                "申请人通过{portal}在线提交申请，或到{hall}{window}提交纸质申请材料。",
                "申请人按照材料清单准备申请材料，到{hall}{window}或通过{portal}提出申请。",
            ],
            1.0,
        ),
        (
            ["受理", "窗口受理"],
            [
                "窗口工作人员对申请材料进行审查，材料齐全、符合法定形式的当场受理并出具受理通知书；"
                "材料不齐全的，一次性告知需要补正的全部内容。",
                "对申请材料齐全、符合法定形式的予以受理；不属于受理范围的，出具不予受理通知书并说明理由。",
            ],
            1.0,
        ),
        (
            ["审查", "材料审查"],
            [
                "审批人员对申请材料的实质内容进行审查，必要时征求相关部门意见。",
                "审核人员对申请人提交的材料进行书面审查。",
            ],
            1.0,
        ),
        (
            ["现场核查", "现场踏勘"],
            [
                "需要现场核查的，由核查人员与申请人约定时间进行现场核查，并填写现场核查记录。",
                "踏勘人员到申请场所进行实地查验，核对场所、设施设备与申请材料是否一致。",
            ],
            0.6,
        ),
        (
            ["决定", "审批决定"],
            [
                "对符合条件的作出准予许可的决定；不符合条件的作出不予许可的书面决定并说明理由，"
                "告知申请人享有依法申请行政复议或者提起行政诉讼的权利。"
            ],
            1.0,
        ),
        (
            ["制证送达", "发证"],
            [
                "准予许可的，制发{result}，申请人可选择窗口领取或免费邮寄送达。",
                "{finish}制发{result}，可到{window}领取，也可选择邮政EMS寄递。",
            ],
            1.0,
        ),
    ],
    # Short licence changes, renewals, cancellations, re-issues.
    "licence_short": [
        (["提交申请"], ["申请人通过{portal}或到{hall}{window}提交申请材料。"], 1.0),
        (["受理审查", "受理"], ["窗口工作人员核对申请材料，材料齐全、符合法定形式的予以受理并进行审查。"], 1.0),
        (["作出决定", "审核办结"], ["符合规定的予以办理，不符合规定的书面告知理由。"], 1.0),
        (["领取结果", "送达"], ["申请人到窗口领取{result}，或选择免费邮寄送达。"], 0.8),
    ],
    # Registrations and certificates issued at a counter, usually on the spot.
    "counter": [
        (["预约", "网上预约"], ["可通过{portal}预约办理时间，也可直接到现场取号。"], 0.5),
        (
            ["提交材料", "申请"],
            ["申请人携带申请材料到{hall}{window}提出申请。", "本人持申请材料到{window}取号并提交材料。"],
            1.0,
        ),
        (
            ["受理审核", "审核"],
            [
                "工作人员当场核验材料，符合条件的予以受理并录入业务系统。",
                "窗口人员对申请材料进行核验，对符合条件的当场受理。",
            ],
            1.0,
        ),
        (["办结", "领取结果"], ["审核通过的，{finish}发放{result}。", "办结后领取{result}，也可选择邮寄送达。"], 1.0),
    ],
    # Benefits paid after household checks and a public notice.
    "benefit": [
        (
            ["申请", "提出申请"],
            [
                "申请人向户籍所在地乡镇人民政府（街道办事处）便民服务中心提出书面申请，也可通过{portal}在线申请。",
                "申请人或其代理人到{hall}{window}提交申请材料，签署家庭经济状况核对授权书。",
            ],
            1.0,
        ),
        (["受理"], ["乡镇（街道）对申请材料进行审查，材料齐全的予以受理。"], 1.0),
        (
            ["调查核实", "家庭经济状况核对"],
            [
                "通过入户调查、邻里访问、信息核对等方式，对申请家庭的收入、财产和实际生活情况进行调查核实。",
                "依托居民家庭经济状况核对信息系统核对申请人及家庭成员的收入和财产状况。",
            ],
            1.0,
        ),
        (["公示"], ["审核意见在申请人所居住的村（社区）公示，公示期为7天。"], 0.7),
        (
            ["审批", "审核确认"],
            ["区市民政部门（或经授权的乡镇人民政府、街道办事处）作出审批决定，不予批准的书面告知理由。"],
            1.0,
        ),
        (["发放", "资金发放"], ["审批通过后，按规定将救助或补贴资金通过社会保障卡或银行账户发放给申请人。"], 1.0),
    ],
    # Services done on a contract with a utility: survey, contract, installation.
    "utility": [
        (
            ["申请"],
            ["通过{portal}、服务热线或到营业厅提出申请。", "携带材料到营业厅办理，也可通过{portal}线上申请。"],
            1.0,
        ),
        (["现场勘查", "勘查"], ["工作人员与客户约定时间上门勘查，确定供应方案。"], 0.8),
        (["签订合同", "签约"], ["客户确认方案后签订供用合同。", "双方签订供用协议并告知收费项目。"], 1.0),
        (["施工安装", "装表接通"], ["按约定时间完成施工、装表，验收合格后接通。"], 1.0),
    ],
    # Complaints and reports.
    "complaint": [
        (["投诉举报", "提出投诉"], ["通过12345热线、{portal}或到{hall}提出投诉举报，说明具体时间、地点和情况。"], 1.0),
        (["登记受理", "受理"], ["对属于本部门职责范围的予以登记受理；不属于的告知向有关部门反映。"], 1.0),
        (["调查处理", "核查处理"], ["执法人员进行现场调查，依法处理。"], 1.0),
        (["反馈结果", "答复"], ["在规定时限内将处理结果反馈投诉举报人。"], 1.0),
    ],
    # Mostly online self-service.
    "online": [
        (["登录", "登录平台"], ["登录{portal}，完成实名认证。"], 1.0),
        (["填报信息", "在线填报"], ["按照页面提示填写申请信息，上传相关材料。"], 1.0),
        (["提交审核", "审核"], ["提交后由工作人员在线审核，审核结果通过短信或平台消息通知。"], 1.0),
        (["获取结果", "结果查询"], ["审核通过后可在平台查询、下载{result}。"], 1.0),
    ],
    # Cases decided by a panel (arbitration, appraisal).
    "hearing": [
        (["申请"], ["申请人提交书面申请及证据材料。"], 1.0),
        (["受理"], ["对符合受理条件的予以受理，并通知当事人。"], 1.0),
        (["调查", "审理"], ["组织调查、鉴定或开庭审理，必要时先行调解。"], 1.0),
        (["作出结论", "出具结果"], ["依法作出{result}并送达当事人。"], 1.0),
    ],
}

# Phrases that introduce the list of conditions.
CONDITION_INTROS = [
    "申请人应当符合下列条件：",
    "符合下列条件的，可以申请办理：",
    "受理条件：",
    "具备以下条件的可以申请：",
    "办理本事项应当同时满足以下条件：",
]

# Opening hours of counters and halls.
HOURS = [
    "工作日上午9:00—12:00，下午13:30—17:00（夏季14:00—17:30）",
    "周一至周五 8:30—12:00，13:30—17:00",
    "周一至周五 9:00—17:00（中午不休息），周六9:00—12:00提供延时服务",
    "工作日 8:30—17:00，中午错时服务",
    "周一至周五上午8:30—11:30，下午13:30—16:30",
]

# Notes about weekends and public holidays.
HOLIDAY_NOTES = [
    "法定节假日不对外办公，具体以放假通知为准。",
    "周六上午提供预约延时服务，法定节假日休息。",
    "法定节假日期间暂停窗口服务，网上办理渠道正常开通。",
    "节假日期间可通过“爱山东”APP在线申请，节后统一受理。",
    "春节、国庆等法定节假日按国家规定放假，节前最后一个工作日办理量较大，建议错峰前往。",
]

# Online portals by code, used in steps and FAQ answers.
PORTALS = {
    "ishandong": "“爱山东”APP烟台分厅",
    "zwfw": "山东政务服务网烟台站点",
    "jg12123": "“交管12123”APP",
    "nia": "“移民局”APP",
    "tax": "山东省电子税务局或“个人所得税”APP",
    "ybapp": "“国家医保服务平台”APP",
    "gjjapp": "烟台住房公积金网上业务大厅或“烟台公积金”微信公众号",
    "rsapp": "“烟台人社”微信公众号或“爱山东”APP",
    "utility": "“网上国网”APP",
    "water": "自来水公司微信公众号",
    "gas": "燃气公司微信公众号",
    "heat": "热力公司微信公众号",
    "school": "烟台市义务教育入学服务平台",
}

# Base of online service URLs.
ONLINE_URL_BASE = "https://zwfw.yantai.gov.cn/bs/"

# FAQ templates that hold for every guide; answers are filled in from the item's own fields.
FAQ_TIME_INSTANT = ("办理{subject}需要多长时间？", "本事项为即办件，申请材料齐全、符合法定形式的，窗口当场办结。")
FAQ_TIME_PROMISED = (
    "办理{subject}需要多长时间？",
    "本事项承诺{promised}个工作日内办结（法定办结时限{legal}个工作日），自受理之日起计算，"
    "需要现场核查、公示、鉴定的时间不计算在内。",
)
FAQ_TIME_PROMISED_NOLEGAL = ("办理{subject}需要多长时间？", "本事项承诺自受理之日起{promised}个工作日内办结。")
FAQ_ONLINE_YES = (
    "{subject}可以网上办理吗？",
    "可以。登录{portal}，搜索“{subject}”，按提示填写信息、上传材料即可在线申请，办理进度可在平台“我的办件”中查询。",
)
FAQ_ONLINE_NO = (
    "{subject}可以网上办理吗？",
    "目前需要到{hall}现场办理。建议出发前拨打咨询电话{phone}确认材料，争取一次办结。",
)
FAQ_FEE = ("办理{subject}收费吗？", "{fees_answer}")
FAQ_AGENT = (
    "可以委托他人代为办理吗？",
    "可以。代办人需携带本人有效身份证件原件、申请人有效身份证件复印件以及申请人签字的授权委托书。",
)
FAQ_AGENT_COMPANY = (
    "企业可以委托他人代为办理吗？",
    "可以。委托代理人办理的，需提交加盖单位公章的授权委托书和代理人身份证件。",
)
FAQ_DELIVERY = (
    "办理结果如何领取？",
    "可在{window}现场领取，也可在申请时选择免费邮寄送达，邮寄费用由政府购买服务承担。",
)
FAQ_WHERE = ("在哪里办理{subject}？", "可到{hall}（{address}）{window}办理，办理时间为{hours}。")

# Licence lifecycle variants (see data/README.md, "licences"): letter -> how the variant differs from the licence.
# name: suffix appended to the certificate's name; cond/mats replace the licence's own; days: (min, max) promised.
LICENCE_VARIANTS = {
    "新": dict(name="{cert}核发", steps="licence"),
    "变": dict(
        name="{cert}变更",
        steps="licence_short",
        days=(0, 5),
        cond=["已取得{cert}且在有效期内", "{change}等事项发生变化，应当在变化后及时申请变更"],
        mats=["{cert}变更申请书", "原{cert}正、副本", "变更事项相关证明材料"],
        faq=[
            (
                "哪些事项变化需要办理变更？",
                "{change}等许可证载明事项发生变化的，都应当申请变更；涉及场所、设施实质性变化的可能需要重新核查。",
            )
        ],
    ),
    "延": dict(
        name="{cert}延续",
        steps="licence_short",
        days=(1, 10),
        cond=[
            "{cert}有效期届满需要继续{activity}，应当在有效期届满三十日前提出延续申请",
            "许可条件未发生实质性变化，仍符合{cert}核发条件",
        ],
        mats=["{cert}延续申请书", "原{cert}正、副本", "?许可有效期内守法经营情况说明"],
        faq=[("逾期未申请延续会怎样？", "{cert}有效期届满未延续的，许可自行失效，需要继续{activity}的应当重新申请。")],
    ),
    "注": dict(
        name="{cert}注销",
        result="准予注销决定书",
        steps="licence_short",
        days=(0, 1),
        cond=["终止{activity}，或{cert}有效期届满未延续、依法被撤销、撤回、吊销，以及法律法规规定应当注销的其他情形"],
        mats=["{cert}注销申请书", "原{cert}正、副本（遗失的提交书面说明）"],
    ),
    "补": dict(
        name="{cert}补办",
        steps="licence_short",
        days=(0, 3),
        cond=["{cert}遗失、被盗或者损毁，需要补领的"],
        mats=["{cert}补办申请书", "?损毁的{cert}原件"],
        faq=[
            (
                "许可证遗失还需要登报声明吗？",
                "不需要。按照现行规定，申请人在补办申请书中作出遗失声明即可，登记机关在官方网站公示。",
            )
        ],
    ),
}
