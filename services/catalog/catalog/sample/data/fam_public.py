"""Public services: education and exams, schools, culture and tourism, venues (library, museums, archives),
sports, hospitals, justice, and the remaining institutions. See data/README.md for the family format."""

EDU_LAW = ("《中华人民共和国教育法》", "")
CULTURE_LAW = ("《中华人民共和国公共文化服务保障法》", "")

KITS = {
    # Education bureau services for pupils and teachers.
    "education": dict(
        themes=["教育科研"],
        events=["入学"],
        audience="个人",
        type="公共服务",
        dunit="jyj",
        local=True,
        cond=["申请人为{place}中小学（幼儿园）学生或其监护人，符合{subject}的相关规定"],
        mats=["学生及监护人居民身份证或户口簿", "{form}申请表", "?学籍或在读证明"],
        days=(None, 0, 10),
        law=[EDU_LAW],
        result="{outcome}",
        online=0.6,
        portal="school",
        faq=[
            ("可以由学校代为办理吗？", "大部分学籍和资助业务可通过就读学校统一办理，家长向班主任或学校教务处咨询即可。")
        ],
    ),
    # Exams and certificates of the admissions and examinations authority.
    "exam": dict(
        themes=["教育科研", "考试"],
        audience="个人",
        type="公共服务",
        unit="zksy-hall",
        dunit="jyj",
        cond=["申请人为参加相应考试的考生本人"],
        mats=["考生居民身份证", "?准考证或相关证书"],
        days=(None, 0, 10),
        fees=["不收费"],
        law=[EDU_LAW],
        result="{outcome}",
        online=0.8,
        faq=[("证明可以邮寄吗？", "可以选择邮寄，也可以在省教育招生考试院网站申请电子版证明。")],
    ),
    # Services of a school or university to its students and graduates.
    "school": dict(
        themes=["教育科研"],
        events=["入学", "就业"],
        audience="个人",
        type="公共服务",
        cond=["申请人为本校在校生、毕业生或其委托人"],
        mats=["申请人身份证件", "?学生证或毕业证书#复", "?委托书（委托办理的）"],
        days=(None, 0, 5),
        fees=["不收费"],
        law=[EDU_LAW],
        result="{outcome}",
        online=0.5,
        faq=[("毕业多年还能办理吗？", "可以。学校档案部门保存学籍档案，毕业生可凭身份证件申请查询或出具证明。")],
    ),
    # Culture and tourism licences and services.
    "culture": dict(
        themes=["文化体育"],
        audience="个人,法人",
        type="行政许可",
        dunit="wlj",
        steps="licence",
        cond=["申请人符合文化和旅游相关法律法规规定的条件"],
        mats=["{form}申请表", "申请人身份证明或营业执照#复"],
        days=(20, 3, 15),
        law=[CULTURE_LAW],
        result="{outcome}",
        online=0.6,
    ),
    # Services of the library, museums, archives and other venues.
    "venue": dict(
        themes=["文化体育"],
        audience="个人",
        type="公共服务",
        steps="counter",
        cond=["读者或观众持有效身份证件办理"],
        mats=["本人有效身份证件"],
        days=(None, 0, 0),
        fees=["不收费"],
        law=[CULTURE_LAW],
        result="{outcome}",
        online=0.6,
    ),
    # Sports.
    "sports": dict(
        themes=["文化体育"],
        audience="个人,法人",
        type="公共服务",
        dunit="jyj",
        cond=["申请人符合{subject}的相关条件"],
        mats=["申请人身份证件", "{form}申请表", "?相关证明材料"],
        days=(None, 5, 20),
        law=[("《中华人民共和国体育法》", "")],
        result="{outcome}",
        online=0.6,
    ),
    # Hospital services for patients.
    "hospital": dict(
        themes=["医疗卫生"],
        events=["就医"],
        audience="个人",
        type="公共服务",
        steps="counter",
        cond=["患者本人或其委托代理人办理"],
        mats=["患者有效身份证件或医保电子凭证", "?代办人身份证件和委托书"],
        days=(None, 0, 3),
        fees=["不收费"],
        law=[("《医疗机构管理条例》", "")],
        result="{outcome}",
        online=0.5,
        faq=[
            ("可以网上办理吗？", "可以通过医院微信公众号或“健康山东”服务号办理，部分业务支持邮寄。"),
            ("医保可以直接结算吗？", "医院已接入医保结算系统，使用医保电子凭证或社会保障卡可直接结算。"),
        ],
    ),
    # Justice administration.
    "justice": dict(
        themes=["法律服务"],
        audience="个人",
        type="公共服务",
        dunit="sfj",
        cond=["申请人符合{subject}的法定条件"],
        mats=["申请人身份证明", "{form}申请表", "?相关证明材料"],
        days=(None, 5, 20),
        law=[("《中华人民共和国律师法》", "")],
        result="{outcome}",
        online=0.6,
        faq=[("法律问题可以先咨询吗？", "可以拨打12348公共法律服务热线，或到公共法律服务中心（站）免费咨询。")],
    ),
    # Assorted services of institutions (public health, laboratories, parks, sanitation...).
    "institution": dict(
        themes=["便民服务"],
        audience="个人,法人",
        type="公共服务",
        cond=["申请人符合{subject}的服务条件"],
        mats=["申请人身份证件", "?{form}申请表"],
        days=(None, 0, 5),
        result="{outcome}",
        online=0.5,
    ),
}

SCHOOL_ITEMS = [
    (
        "在读证明开具",
        {"cond": ["本校在校学生因办理签证、实习、乘车优惠等需要"], "days": (None, 0, 1), "aliases": ["在校证明"]},
    ),
    ("成绩单开具", {"cond": ["本校在校生或毕业生需要成绩证明"], "days": (None, 0, 3), "aliases": ["打印成绩单"]}),
    (
        "毕业证明书补办",
        {
            "cond": ["毕业证书遗失或损毁的毕业生"],
            "mats+": ["遗失声明或情况说明"],
            "days": (None, 5, 20),
            "aliases": ["毕业证丢了", "补毕业证"],
        },
    ),
    ("学籍档案查询", {"cond": ["本校毕业生查询本人学籍档案"], "days": (None, 0, 3), "aliases": ["查学籍"]}),
    (
        "家庭经济困难学生资助申请",
        {
            "type": "行政给付",
            "cond": ["家庭经济困难的在校学生"],
            "mats+": ["家庭经济困难认定申请表"],
            "days": (None, 10, 30),
            "aliases": ["助学金", "贫困生补助"],
        },
    ),
    (
        "招生咨询",
        {
            "cond": ["报考本校的考生及家长"],
            "mats": ["无需材料"],
            "days": (None, 0, 0),
            "events": ["入学"],
            "aliases": ["招生简章", "报考咨询"],
        },
    ),
]
UNIVERSITY_ITEMS = SCHOOL_ITEMS + [
    (
        "学位证明书补办",
        {"cond": ["学位证书遗失或损毁的毕业生"], "mats+": ["遗失声明或情况说明"], "days": (None, 5, 20)},
    ),
    ("毕业生就业推荐表办理", {"cond": ["本校应届毕业生"], "days": (None, 0, 3), "events": ["就业"]}),
    (
        "学生档案转递",
        {
            "cond": ["毕业生就业或升学需要转递档案"],
            "mats+": ["接收单位调档函"],
            "days": (None, 3, 10),
            "events": ["就业"],
            "aliases": ["调档", "档案转出"],
        },
    ),
    (
        "国家助学贷款办理",
        {
            "type": "公共服务",
            "cond": ["家庭经济困难的全日制本专科生和研究生"],
            "mats+": ["贷款申请表"],
            "days": (None, 10, 30),
            "aliases": ["助学贷款"],
        },
    ),
]
HOSPITAL_ITEMS = [
    (
        "门诊预约挂号",
        {
            "cond": ["患者通过线上或线下渠道预约门诊号源"],
            "days": (None, 0, 0),
            "online": 1.0,
            "aliases": ["挂号", "网上挂号", "预约专家号"],
        },
    ),
    (
        "病案复印",
        {
            "cond": ["患者出院后申请复印病历资料"],
            "mats+": ["?患者死亡的，提供继承人关系证明"],
            "days": (None, 0, 3),
            "fees": ["按病历复印收费标准收取"],
            "aliases": ["复印病历", "病历复印"],
        },
    ),
    (
        "诊断证明书盖章",
        {
            "cond": ["患者需要医院出具或加盖诊断证明书公章"],
            "mats+": ["医生开具的诊断证明书"],
            "days": (None, 0, 0),
            "aliases": ["诊断证明盖章", "病假条盖章"],
        },
    ),
    (
        "出院结算",
        {
            "cond": ["住院患者办理出院手续"],
            "mats+": ["住院押金收据"],
            "days": (None, 0, 0),
            "fees": ["按实际发生医疗费用结算"],
            "aliases": ["办出院", "住院结账"],
        },
    ),
    (
        "健康体检预约",
        {
            "cond": ["个人或单位预约健康体检"],
            "days": (None, 0, 0),
            "fees": ["按体检套餐价格收取"],
            "aliases": ["体检预约", "入职体检"],
        },
    ),
    (
        "住院预约登记",
        {"cond": ["医生开具住院证的患者"], "mats+": ["住院证"], "days": (None, 0, 3), "aliases": ["住院登记"]},
    ),
    (
        "检查检验报告查询打印",
        {"cond": ["已完成检查检验的患者"], "days": (None, 0, 0), "online": 1.0, "aliases": ["查报告", "打印化验单"]},
    ),
    ("医疗费用电子票据查询", {"cond": ["已缴费的患者"], "days": (None, 0, 0), "online": 1.0, "aliases": ["医院发票"]}),
    (
        "医患纠纷投诉",
        {
            "steps": "complaint",
            "cond": ["患者对医疗服务有异议的"],
            "mats": ["投诉人身份证件", "投诉事实"],
            "days": (None, 5, 30),
            "aliases": ["投诉医院", "医疗纠纷"],
        },
    ),
]

FAMILIES = [
    dict(
        dept="jyj",
        kit="education",
        levels="CD",
        items=[
            (
                "中小学生转学",
                {
                    "cond+": ["因户籍迁移、家庭搬迁等原因需要转学的义务教育阶段学生"],
                    "mats+": ["转学申请表", "?户籍或房产变动证明"],
                    "days": (None, 5, 15),
                    "aliases": ["转学手续", "孩子转学"],
                },
            ),
            (
                "中小学生休学、复学",
                {
                    "cond+": ["因病或其他特殊原因需要休学，或休学期满申请复学的学生"],
                    "mats+": ["?医院诊断证明"],
                    "days": (None, 3, 10),
                    "aliases": ["休学", "复学"],
                },
            ),
            (
                "随迁子女入学申请",
                {
                    "cond+": ["进城务工人员随迁子女，父母持有{place}居住证并在{place}务工就业"],
                    "mats+": ["居住证", "务工或经营证明", "社会保险缴费证明"],
                    "days": (None, 10, 30),
                    "aliases": ["外地孩子上学", "随迁子女上学"],
                },
            ),
            (
                "学前教育资助",
                {
                    "type": "行政给付",
                    "cond+": ["家庭经济困难儿童、孤儿和残疾儿童接受普惠性学前教育"],
                    "days": (None, 10, 30),
                    "aliases": ["幼儿园补助"],
                },
            ),
            (
                "普通高中国家助学金申请",
                {
                    "type": "行政给付",
                    "cond+": ["具有正式注册学籍的普通高中在校生中的家庭经济困难学生"],
                    "days": (None, 10, 30),
                    "aliases": ["高中助学金"],
                },
            ),
            (
                "中等职业学校国家助学金申请",
                {
                    "type": "行政给付",
                    "cond+": ["中等职业学校一、二年级涉农专业和家庭经济困难学生"],
                    "days": (None, 10, 30),
                },
            ),
            (
                "义务教育阶段学生学籍信息变更",
                {
                    "cond+": ["学生姓名、身份证号等学籍信息发生变化"],
                    "mats+": ["信息变更证明材料"],
                    "days": (None, 3, 10),
                },
            ),
            (
                "特殊教育学生入学评估",
                {
                    "cond+": ["残疾适龄儿童少年需要接受入学评估"],
                    "mats+": ["残疾人证或医学诊断证明"],
                    "events": ["入学", "残疾人服务"],
                    "days": (None, 10, 30),
                },
            ),
            (
                "校外培训机构投诉",
                {
                    "steps": "complaint",
                    "cond": ["学生家长对校外培训机构收费、退费、教学质量等有异议的"],
                    "mats": ["投诉人联系方式", "培训合同和缴费凭证"],
                    "days": (None, 5, 15),
                    "aliases": ["培训机构退费"],
                },
            ),
            (
                "教师资格证书补发、换发",
                {
                    "cond": ["教师资格证书遗失、损毁或者信息有误的"],
                    "mats": ["补发换发申请表", "身份证件", "?损毁的证书"],
                    "days": (None, 10, 30),
                    "law": [("《教师资格条例》", "")],
                    "events": ["就业"],
                    "aliases": ["教师资格证丢了"],
                },
            ),
            (
                "中小学教师职称评审",
                {
                    "type": "行政确认",
                    "cond": ["在中小学任教、符合相应职称申报条件的教师"],
                    "mats": ["职称评审申报表", "学历和资格证书#复", "教育教学业绩材料"],
                    "days": (None, 30, 90),
                    "events": ["就业"],
                    "aliases": ["教师评职称"],
                },
            ),
            (
                "幼儿园招生报名",
                {
                    "cond+": ["年满3周岁的适龄幼儿"],
                    "mats+": ["幼儿出生医学证明", "预防接种证"],
                    "days": (None, 5, 20),
                    "aliases": ["上幼儿园报名", "幼儿园入园"],
                },
            ),
        ],
    ),
    dict(
        dept="zksy",
        kit="exam",
        levels="C",
        items=[
            ("高考成绩证明出具", {"cond": ["参加过普通高考的考生需要证明本人高考成绩"], "aliases": ["高考成绩证明"]}),
            ("中考成绩证明出具", {"cond": ["参加过本市中考的考生"], "aliases": ["中考成绩查询"]}),
            (
                "高等教育自学考试毕业证书申请",
                {
                    "cond": ["自学考试各门课程考试合格，思想品德鉴定合格"],
                    "mats+": ["毕业生登记表", "近期免冠照片"],
                    "days": (None, 30, 60),
                    "result": "自学考试毕业证书",
                    "aliases": ["自考毕业"],
                },
            ),
            ("自学考试转考", {"cond": ["自学考试考生因工作或居住地变动需要转考"], "days": (None, 10, 30)}),
            ("自学考试课程免考", {"cond": ["已取得相应课程合格成绩或学历的考生"], "days": (None, 10, 30)}),
            ("学业水平考试成绩证明出具", {"cond": ["参加过普通高中学业水平考试的学生"]}),
            (
                "成人高考报名确认",
                {
                    "cond": ["报名参加全国成人高考的考生完成网上报名后"],
                    "mats+": ["学历证明#复"],
                    "days": (None, 0, 0),
                    "fees": ["按考试收费标准缴纳报名考试费"],
                    "aliases": ["成考报名"],
                },
            ),
            (
                "考试违纪处理申诉",
                {
                    "type": "其他行政权力",
                    "cond": ["考生对考试违纪认定或处理决定有异议的"],
                    "mats": ["申诉书", "考生身份证件"],
                    "days": (None, 10, 30),
                    "result": "申诉复核结论",
                },
            ),
        ],
    ),
    dict(dept="ytdx", kit="school", levels="C", unit="ytdx-main", prefix=True, items=UNIVERSITY_ITEMS),
    dict(dept="ldu", kit="school", levels="C", unit="ldu-main", prefix=True, items=UNIVERSITY_ITEMS),
    dict(dept="sdgs", kit="school", levels="C", unit="sdgs-main", prefix=True, items=UNIVERSITY_ITEMS),
    dict(dept="ytzy", kit="school", levels="C", unit="ytzy-main", prefix=True, items=UNIVERSITY_ITEMS),
    dict(
        dept="ytjs",
        kit="school",
        levels="C",
        unit="ytjs-main",
        prefix=True,
        items=SCHOOL_ITEMS
        + [
            (
                "职业技能等级认定报名",
                {
                    "cond": ["参加学院组织的职业技能等级认定的学员和社会人员"],
                    "events": ["就业"],
                    "fees": ["按评价机构公布的收费标准收取"],
                    "aliases": ["技能鉴定报名"],
                },
            ),
            (
                "社会人员技能培训报名",
                {"cond": ["有技能培训需求的社会人员"], "events": ["就业"], "aliases": ["学技术", "技能培训"]},
            ),
        ],
    ),
    dict(dept="ytyz", kit="school", levels="C", unit="ytyz-main", prefix=True, items=SCHOOL_ITEMS),
    dict(dept="ytez", kit="school", levels="C", unit="ytez-main", prefix=True, items=SCHOOL_ITEMS),
    dict(
        dept="wlj",
        kit="culture",
        levels="CD",
        items=[
            (
                "导游证核发",
                {
                    "audience": "个人",
                    "cond": ["取得导游人员资格证书，与旅行社订立劳动合同或在旅游行业组织注册"],
                    "mats": ["导游证申请", "导游人员资格证书", "劳动合同或注册证明"],
                    "law": [("《中华人民共和国旅游法》", "第三十七条"), ("《导游管理办法》", "")],
                    "result": "电子导游证",
                    "events": ["就业"],
                    "aliases": ["考导游证", "导游证"],
                },
            ),
            (
                "文物保护单位保护范围内其他建设工程审批",
                {
                    "audience": "法人",
                    "cond": ["在文物保护单位保护范围内进行其他建设工程"],
                    "law": [("《中华人民共和国文物保护法》", "")],
                    "result": "审批意见",
                },
            ),
            ("A级旅游景区评定申报", {"type": "其他行政权力", "audience": "法人", "result": "A级旅游景区评定结果"}),
            ("星级饭店评定申报", {"type": "其他行政权力", "audience": "法人", "result": "星级饭店评定结果"}),
            (
                "旅游投诉",
                {
                    "type": "公共服务",
                    "audience": "个人",
                    "steps": "complaint",
                    "cond": ["旅游者与旅游经营者发生旅游纠纷"],
                    "mats": ["投诉人联系方式", "旅游合同和相关票据"],
                    "law": [("《中华人民共和国旅游法》", "第九十一条")],
                    "days": (None, 5, 30),
                    "result": "投诉处理结果",
                    "aliases": ["投诉旅行社", "景区投诉"],
                },
            ),
            ("非物质文化遗产代表性传承人申报", {"type": "其他行政权力", "audience": "个人", "result": "传承人认定"}),
            (
                "文化市场举报",
                {
                    "type": "公共服务",
                    "audience": "个人",
                    "steps": "complaint",
                    "cond": ["发现网吧接纳未成年人、无证演出等文化市场违法行为"],
                    "mats": ["举报线索"],
                    "days": (None, 5, 30),
                    "result": "举报处理结果",
                    "aliases": ["举报网吧"],
                },
            ),
            (
                "设置卫星电视广播地面接收设施审批",
                {"audience": "法人", "law": [("《卫星电视广播地面接收设施管理规定》", "")], "result": "接收设施许可证"},
            ),
        ],
    ),
    dict(
        dept="tsg",
        kit="venue",
        levels="C",
        unit="tsg-main",
        items=[
            (
                "图书借阅与续借",
                {
                    "cond": ["持有效读者证的读者"],
                    "mats": ["读者证或身份证"],
                    "online": 0.9,
                    "aliases": ["借书", "续借"],
                },
            ),
            ("馆际互借和文献传递", {"cond": ["持有效读者证的读者，需要本馆未收藏的文献"], "days": (None, 3, 10)}),
            (
                "少儿读者证办理",
                {
                    "cond": ["16周岁以下少年儿童，由监护人陪同办理"],
                    "mats": ["儿童户口簿或身份证", "监护人身份证"],
                    "aliases": ["儿童借书证"],
                },
            ),
            ("读者证挂失补办", {"cond": ["读者证遗失的读者"], "aliases": ["借书证丢了"]}),
            ("图书捐赠", {"cond": ["个人或单位向图书馆捐赠图书"], "mats": ["捐赠图书清单"], "aliases": ["捐书"]}),
            (
                "公益讲座和培训报名",
                {"cond": ["对讲座、培训感兴趣的读者"], "online": 1.0, "aliases": ["图书馆讲座报名"]},
            ),
            (
                "视障读者服务",
                {"cond": ["视力残疾读者"], "mats": ["残疾人证"], "events": ["残疾人服务"], "aliases": ["盲人阅览"]},
            ),
        ],
    ),
    dict(
        dept="bwg",
        kit="venue",
        levels="C",
        unit="bwg-main",
        items=[
            ("团体参观预约", {"cond": ["10人以上团体参观"], "mats": ["领队身份证件"], "online": 1.0}),
            (
                "文物鉴定咨询",
                {"cond": ["民间收藏者需要文物鉴定咨询的"], "mats": ["藏品及照片"], "aliases": ["文物鉴定"]},
            ),
            ("志愿讲解员招募报名", {"cond": ["年满16周岁，热爱文博事业"], "aliases": ["博物馆志愿者"]}),
        ],
    ),
    dict(
        dept="dag",
        kit="venue",
        levels="C",
        unit="dag-main",
        items=[
            ("档案查阅利用", {"cond": ["公民查阅本人档案或已开放档案"], "aliases": ["查档案", "档案查询"]}),
            ("婚姻登记档案查询（历史档案）", {"cond": ["查询本馆保存的历史婚姻登记档案"], "events": ["婚姻"]}),
            ("知青档案查询", {"cond": ["查询上山下乡知识青年档案"], "aliases": ["知青证明"]}),
            ("档案捐赠征集", {"cond": ["个人或单位向档案馆捐赠具有保存价值的档案资料"]}),
        ],
    ),
    dict(
        dept="kjg",
        kit="venue",
        levels="C",
        unit="kjg-main",
        items=[
            ("科技馆参观预约", {"cond": ["个人或团体参观科技馆"], "online": 1.0, "aliases": ["科技馆预约"]}),
            ("科普研学活动报名", {"cond": ["中小学生参加科普研学活动"], "online": 1.0}),
        ],
    ),
    dict(
        dept="whg",
        kit="venue",
        levels="C",
        unit="whg-main",
        items=[
            (
                "公益艺术培训报名",
                {"cond": ["本市居民，按课程要求年龄报名"], "online": 1.0, "aliases": ["免费艺术培训"]},
            ),
            ("文化志愿者注册", {"cond": ["热爱群众文化工作的市民"]}),
            ("场馆公益使用预约", {"cond": ["群众文艺团队申请使用排练厅、展厅"], "audience": "个人,法人"}),
        ],
    ),
    dict(
        dept="tyj",
        kit="sports",
        levels="CD",
        items=[
            (
                "高危险性体育项目经营许可",
                {
                    "type": "行政许可",
                    "audience": "法人",
                    "steps": "licence",
                    "cond": [
                        "相关体育设施符合国家标准",
                        "具有达到规定数量的取得国家职业资格证书的社会体育指导人员和救助人员",
                    ],
                    "mats+": ["体育设施符合标准的说明", "社会体育指导人员和救助人员资格证书#复"],
                    "law": [("《全民健身条例》", "第三十二条")],
                    "result": "高危险性体育项目经营许可证",
                    "aliases": ["游泳馆许可", "攀岩经营许可"],
                },
            ),
            ("社会体育指导员技术等级认定", {"type": "行政确认", "audience": "个人", "result": "社会体育指导员证书"}),
            (
                "运动员技术等级称号授予",
                {
                    "type": "行政确认",
                    "audience": "个人",
                    "cond": ["运动员在规定赛事中达到相应等级标准"],
                    "result": "运动员技术等级证书",
                    "aliases": ["二级运动员"],
                },
            ),
            (
                "体育赛事活动备案",
                {
                    "type": "其他行政权力",
                    "audience": "法人",
                    "cond": ["举办马拉松、自行车等体育赛事活动"],
                    "result": "备案",
                },
            ),
            (
                "全民健身场地开放预约",
                {
                    "audience": "个人",
                    "cond": ["市民预约公共体育场馆免费或低收费时段"],
                    "online": 1.0,
                    "result": "场地预约",
                },
            ),
        ],
    ),
    dict(
        dept="sfj",
        kit="justice",
        levels="CD",
        items=[
            (
                "人民调解申请",
                {
                    "cond": ["当事人之间发生民间纠纷，自愿申请人民调解"],
                    "mats": ["当事人身份证明", "纠纷情况说明"],
                    "law": [("《中华人民共和国人民调解法》", "第十七条")],
                    "days": (None, 5, 30),
                    "fees": ["不收费"],
                    "result": "人民调解协议书",
                    "aliases": ["邻里纠纷调解", "找调解员"],
                },
            ),
            (
                "律师执业许可",
                {
                    "type": "行政许可",
                    "levels": "C",
                    "cond": [
                        "拥护中华人民共和国宪法，通过国家统一法律职业资格考试取得法律职业资格",
                        "在律师事务所实习满一年，品行良好",
                    ],
                    "mats+": ["法律职业资格证书#复", "律师协会出具的实习考核合格材料", "拟执业律师事务所的证明"],
                    "law": [("《中华人民共和国律师法》", "第五条、第六条")],
                    "days": (20, 10, 20),
                    "result": "律师执业证书",
                    "aliases": ["律师证"],
                },
            ),
            (
                "律师事务所设立许可",
                {
                    "type": "行政许可",
                    "audience": "法人",
                    "levels": "C",
                    "law": [("《中华人民共和国律师法》", "第十四条")],
                    "result": "律师事务所执业许可证",
                },
            ),
            ("基层法律服务工作者执业核准", {"type": "行政许可", "levels": "C", "result": "基层法律服务工作者执业证"}),
            (
                "司法鉴定机构登记",
                {
                    "type": "行政许可",
                    "audience": "法人",
                    "levels": "C",
                    "law": [("《全国人民代表大会常务委员会关于司法鉴定管理问题的决定》", "")],
                    "result": "司法鉴定许可证",
                },
            ),
            (
                "司法鉴定投诉",
                {
                    "steps": "complaint",
                    "cond": ["对司法鉴定机构或鉴定人的执业活动有异议"],
                    "mats": ["投诉书", "相关证据"],
                    "days": (None, 30, 60),
                    "result": "投诉处理结果",
                },
            ),
            (
                "律师执业投诉",
                {
                    "steps": "complaint",
                    "cond": ["对律师或律师事务所执业活动有异议"],
                    "mats": ["投诉书", "相关证据"],
                    "days": (None, 30, 60),
                    "result": "投诉处理结果",
                    "aliases": ["投诉律师"],
                },
            ),
            (
                "行政复议申请",
                {
                    "type": "行政裁决",
                    "audience": "个人,法人",
                    "cond": [
                        "公民、法人或者其他组织认为行政行为侵犯其合法权益，可以自知道或者应当知道该行政行为之日起六十日内提出"
                    ],
                    "mats": ["行政复议申请书", "申请人身份证明", "行政行为相关材料"],
                    "steps": "hearing",
                    "law": [("《中华人民共和国行政复议法》", "第二十条")],
                    "days": (60, 30, 60),
                    "fees": ["不收费"],
                    "result": "行政复议决定书",
                    "aliases": ["申请复议", "不服行政处罚"],
                },
            ),
            ("安置帮教服务", {"cond": ["刑满释放人员回归社会需要帮扶的"], "result": "帮教服务"}),
            (
                "法律咨询（公共法律服务中心）",
                {
                    "cond": ["群众有法律问题需要咨询"],
                    "mats": ["无需材料"],
                    "days": (None, 0, 0),
                    "fees": ["不收费"],
                    "result": "法律咨询意见",
                    "aliases": ["免费法律咨询", "问律师"],
                },
            ),
        ],
    ),
    dict(
        dept="wsb",
        kit="institution",
        levels="C",
        items=[
            (
                "APEC商务旅行卡申办",
                {
                    "audience": "个人",
                    "cond": ["经常赴APEC经济体从事商务活动的企业人员"],
                    "mats": ["申请表", "护照#复", "企业经营情况材料"],
                    "days": (None, 20, 60),
                    "result": "APEC商务旅行卡",
                },
            ),
            (
                "邀请外国人来华审核",
                {
                    "audience": "法人",
                    "cond": ["企事业单位因经贸、科技、文化交流需要邀请外国人来华"],
                    "mats": ["邀请函申请表", "被邀请人护照#复"],
                    "days": (None, 5, 10),
                    "result": "邀请函",
                },
            ),
            (
                "因公出国（境）证照办理",
                {
                    "audience": "个人",
                    "cond": ["经批准因公出国（境）的人员"],
                    "days": (None, 5, 15),
                    "result": "因公护照",
                },
            ),
        ],
    ),
    dict(
        dept="xfj",
        kit="institution",
        levels="C",
        items=[
            (
                "来访接待",
                {
                    "audience": "个人",
                    "cond": ["信访人到信访接待场所提出信访事项"],
                    "mats": ["信访人身份证件", "信访事项材料"],
                    "law": [("《信访工作条例》", "")],
                    "days": (None, 15, 60),
                    "result": "信访事项处理意见",
                    "aliases": ["上访", "信访接待"],
                },
            ),
            (
                "信访事项复查复核",
                {
                    "audience": "个人",
                    "cond": ["信访人对信访事项处理意见不服的"],
                    "days": (None, 30, 30),
                    "law": [("《信访工作条例》", "")],
                    "result": "复查（复核）意见",
                },
            ),
        ],
    ),
    dict(
        dept="dsjj",
        kit="institution",
        levels="C",
        items=[
            (
                "政务数据共享申请",
                {
                    "audience": "法人",
                    "cond": ["政务部门因履职需要使用其他部门政务数据"],
                    "days": (None, 5, 15),
                    "result": "数据共享授权",
                },
            ),
            (
                "公共数据开放申请",
                {"cond": ["个人或企业申请获取有条件开放的公共数据"], "days": (None, 5, 20), "result": "数据开放授权"},
            ),
            (
                "电子证照申领",
                {
                    "audience": "个人",
                    "cond": ["已完成实名认证的“爱山东”APP用户"],
                    "days": (None, 0, 0),
                    "online": 1.0,
                    "result": "电子证照",
                    "aliases": ["电子身份证", "电子驾驶证"],
                },
            ),
        ],
    ),
    dict(
        dept="tjj",
        kit="institution",
        levels="C",
        items=[
            ("统计调查项目审批", {"audience": "法人", "type": "行政许可", "result": "统计调查项目批复"}),
            (
                "统计数据查询",
                {
                    "cond": ["公众查询已公开的统计数据"],
                    "days": (None, 0, 0),
                    "result": "统计资料",
                    "aliases": ["统计年鉴", "GDP数据"],
                },
            ),
            (
                "统计违法举报",
                {
                    "steps": "complaint",
                    "cond": ["发现统计造假、弄虚作假等统计违法行为"],
                    "days": (None, 15, 60),
                    "result": "举报处理结果",
                },
            ),
        ],
    ),
    dict(
        dept="cdc",
        kit="institution",
        levels="C",
        unit="cdc-ym",
        items=[
            (
                "预防接种异常反应补偿申请",
                {
                    "audience": "个人",
                    "type": "行政给付",
                    "cond": ["受种者经诊断或鉴定属于预防接种异常反应，造成损害的"],
                    "mats": ["补偿申请书", "预防接种异常反应诊断或鉴定结论", "医疗费用票据"],
                    "law": [("《中华人民共和国疫苗管理法》", "第五十六条")],
                    "days": (None, 20, 60),
                    "result": "预防接种异常反应补偿",
                },
            ),
            (
                "公共场所卫生检测委托",
                {
                    "audience": "法人",
                    "cond": ["公共场所经营者委托卫生检测"],
                    "fees": ["按检测收费标准收取"],
                    "days": (None, 5, 15),
                    "result": "卫生检测报告",
                },
            ),
            (
                "水质检测委托",
                {
                    "audience": "个人,法人",
                    "cond": ["单位或个人委托生活饮用水水质检测"],
                    "fees": ["按检测收费标准收取"],
                    "days": (None, 5, 15),
                    "result": "水质检测报告",
                    "aliases": ["测水质"],
                },
            ),
        ],
    ),
    dict(
        dept="xz",
        kit="institution",
        levels="C",
        items=[
            (
                "无偿献血者用血费用报销",
                {
                    "audience": "个人",
                    "type": "行政给付",
                    "cond": ["无偿献血者及其配偶和直系亲属临床用血"],
                    "mats": ["献血者身份证件", "用血者身份证件", "用血费用票据", "亲属关系证明"],
                    "law": [("《中华人民共和国献血法》", "第十四条")],
                    "days": (None, 0, 5),
                    "result": "用血费用报销",
                    "aliases": ["献血报销"],
                },
            ),
            (
                "无偿献血证补办",
                {
                    "audience": "个人",
                    "cond": ["献血证遗失的献血者"],
                    "days": (None, 0, 3),
                    "result": "献血证",
                    "aliases": ["献血证丢了"],
                },
            ),
            (
                "团体献血预约",
                {"audience": "法人", "cond": ["单位组织员工集体献血"], "days": (None, 0, 5), "result": "采血车预约"},
            ),
        ],
    ),
    dict(
        dept="jjzx",
        kit="institution",
        levels="C",
        items=[
            (
                "院前急救病历复印",
                {
                    "audience": "个人",
                    "cond": ["接受过120院前急救服务的患者或家属"],
                    "days": (None, 0, 3),
                    "result": "院前急救病历",
                },
            ),
            (
                "非急救转运预约",
                {
                    "audience": "个人",
                    "cond": ["出院、转院等非急救转运需求的患者"],
                    "fees": ["按转运收费标准收取"],
                    "days": (None, 0, 1),
                    "result": "转运服务",
                    "aliases": ["救护车转院", "出院用车"],
                },
            ),
        ],
    ),
    dict(
        dept="nyjs",
        kit="institution",
        levels="C",
        items=[
            (
                "农业技术咨询服务",
                {
                    "audience": "个人",
                    "themes": ["农业农村"],
                    "cond": ["农民、合作社等农业生产经营主体"],
                    "mats": ["无需材料"],
                    "days": (None, 0, 3),
                    "result": "技术指导",
                    "aliases": ["种地技术咨询"],
                },
            ),
            (
                "测土配方施肥服务",
                {
                    "themes": ["农业农村"],
                    "cond": ["种植户申请土壤检测和施肥建议"],
                    "days": (None, 10, 30),
                    "result": "施肥建议卡",
                },
            ),
        ],
    ),
    dict(
        dept="dyk",
        kit="institution",
        levels="C",
        items=[
            (
                "动物疫病检测委托",
                {
                    "themes": ["农业农村"],
                    "cond": ["养殖场户委托动物疫病检测"],
                    "days": (None, 3, 10),
                    "fees": ["按检测收费标准收取"],
                    "result": "检测报告",
                },
            ),
            (
                "犬只狂犬病免疫",
                {
                    "audience": "个人",
                    "themes": ["公共安全", "生活服务"],
                    "cond": ["养犬人为犬只接种狂犬病疫苗"],
                    "days": (None, 0, 0),
                    "fees": ["按规定收取疫苗费"],
                    "result": "犬只免疫证明",
                    "aliases": ["狗打疫苗"],
                },
            ),
        ],
    ),
    dict(
        dept="tzy",
        kit="institution",
        levels="C",
        items=[
            (
                "电梯定期检验",
                {
                    "audience": "法人",
                    "themes": ["公共安全"],
                    "cond": ["在用电梯每年进行定期检验"],
                    "law": [("《中华人民共和国特种设备安全法》", "第四十条")],
                    "fees": ["按特种设备检验收费标准收取"],
                    "days": (None, 5, 15),
                    "result": "电梯检验报告",
                },
            ),
            (
                "锅炉和压力容器检验",
                {
                    "audience": "法人",
                    "themes": ["公共安全"],
                    "fees": ["按特种设备检验收费标准收取"],
                    "days": (None, 5, 20),
                    "result": "检验报告",
                },
            ),
        ],
    ),
    dict(
        dept="sjzx",
        kit="institution",
        levels="C",
        items=[
            (
                "食品委托检验",
                {
                    "cond": ["单位或个人委托食品检验"],
                    "fees": ["按检验收费标准收取"],
                    "days": (None, 7, 20),
                    "result": "检验报告",
                },
            ),
            (
                "药品委托检验",
                {"audience": "法人", "fees": ["按检验收费标准收取"], "days": (None, 10, 30), "result": "检验报告"},
            ),
        ],
    ),
    dict(
        dept="hjjc",
        kit="institution",
        levels="C",
        items=[
            (
                "环境监测数据申请",
                {"cond": ["公众申请获取环境监测数据"], "days": (None, 5, 15), "result": "环境监测数据"},
            ),
        ],
    ),
    dict(
        dept="psfw",
        kit="institution",
        levels="C",
        items=[
            (
                "排水管道疏通报修",
                {
                    "audience": "个人,法人",
                    "themes": ["公用事业"],
                    "steps": "complaint",
                    "cond": ["市政排水管道堵塞、井盖缺失等"],
                    "mats": ["报修人联系方式", "报修地点"],
                    "days": (None, 0, 1),
                    "result": "维修结果",
                    "aliases": ["下水道堵了", "井盖丢了"],
                },
            ),
            (
                "排水接入技术服务",
                {
                    "audience": "法人",
                    "themes": ["公用事业"],
                    "cond": ["新建项目需要接入市政排水管网"],
                    "days": (None, 5, 15),
                    "result": "接入技术意见",
                },
            ),
        ],
    ),
    dict(
        dept="ylzx",
        kit="institution",
        levels="C",
        items=[
            (
                "公园场地使用申请",
                {
                    "themes": ["文化体育"],
                    "cond": ["单位或个人在市属公园举办公益活动"],
                    "days": (None, 3, 10),
                    "result": "场地使用意见",
                },
            ),
            (
                "树木修剪和病虫害报告",
                {
                    "themes": ["城市管理"],
                    "steps": "complaint",
                    "cond": ["发现行道树倒伏、遮挡或病虫害"],
                    "days": (None, 1, 7),
                    "result": "处理结果",
                    "aliases": ["树枝挡窗户", "树要倒了"],
                },
            ),
        ],
    ),
    dict(
        dept="hwzx",
        kit="institution",
        levels="C",
        items=[
            (
                "道路保洁投诉",
                {
                    "audience": "个人",
                    "themes": ["城市管理"],
                    "steps": "complaint",
                    "cond": ["发现道路不洁、垃圾未及时清运"],
                    "days": (None, 0, 2),
                    "result": "处理结果",
                },
            ),
            (
                "公厕维修报告",
                {
                    "audience": "个人",
                    "themes": ["城市管理"],
                    "steps": "complaint",
                    "cond": ["发现公共厕所设施损坏"],
                    "days": (None, 0, 3),
                    "result": "维修结果",
                },
            ),
        ],
    ),
    dict(
        dept="flg",
        kit="institution",
        levels="C",
        items=[
            (
                "社会老年人入住申请",
                {
                    "audience": "个人",
                    "themes": ["养老服务"],
                    "events": ["养老"],
                    "cond": ["有入住需求的老年人"],
                    "mats": ["老年人身份证件", "体检报告", "老年人能力评估结果"],
                    "fees": ["按照公示的收费标准收取"],
                    "days": (None, 3, 10),
                    "result": "入住协议",
                    "aliases": ["福利院入住", "住养老院"],
                },
            ),
        ],
    ),
    dict(
        dept="kx",
        kit="institution",
        levels="C",
        items=[
            ("科普基地认定申报", {"audience": "法人", "result": "科普教育基地认定"}),
            (
                "青少年科技创新大赛报名",
                {"audience": "个人", "themes": ["教育科研"], "cond": ["在校中小学生"], "result": "参赛资格"},
            ),
        ],
    ),
    dict(
        dept="gsl",
        kit="institution",
        levels="C",
        items=[
            (
                "民营企业维权服务",
                {
                    "audience": "法人",
                    "themes": ["企业经营"],
                    "cond": ["民营企业合法权益受到侵害"],
                    "result": "维权服务",
                },
            ),
            ("商会登记指导", {"audience": "法人", "result": "登记指导意见"}),
        ],
    ),
    dict(
        dept="ql",
        kit="institution",
        levels="C",
        items=[
            (
                "归侨侨眷身份确认",
                {
                    "audience": "个人",
                    "type": "行政确认",
                    "cond": ["归国华侨及其眷属申请身份确认"],
                    "mats": ["申请人身份证件", "华侨身份相关证明"],
                    "days": (None, 10, 30),
                    "result": "归侨侨眷身份证明",
                },
            ),
        ],
    ),
    dict(
        dept="wl",
        kit="institution",
        levels="C",
        items=[
            (
                "文艺家协会会员入会申请",
                {
                    "audience": "个人",
                    "themes": ["文化体育"],
                    "cond": ["在文艺创作、表演等方面取得一定成绩"],
                    "result": "入会审批结果",
                },
            ),
        ],
    ),
    dict(
        dept="gxs",
        kit="institution",
        levels="C",
        items=[
            ("农资供应服务", {"audience": "个人", "themes": ["农业农村"], "result": "农资供应"}),
        ],
    ),
    dict(
        dept="rx12345",
        kit="institution",
        levels="C",
        items=[
            (
                "12345热线诉求办理进度查询",
                {
                    "audience": "个人,法人",
                    "cond": ["已通过12345热线提交诉求的群众"],
                    "mats": ["诉求工单编号"],
                    "days": (None, 0, 0),
                    "online": 1.0,
                    "result": "办理进度",
                    "aliases": ["12345进度查询"],
                },
            ),
        ],
    ),
    dict(
        dept="zwzx",
        kit="institution",
        levels="CD",
        items=[
            (
                "政务服务帮办代办",
                {
                    "audience": "个人,法人",
                    "cond": ["老年人、残疾人等特殊群体或重点项目企业有帮办代办需求"],
                    "mats": ["申请人身份证件"],
                    "days": (None, 0, 0),
                    "fees": ["不收费"],
                    "result": "帮办代办服务",
                    "aliases": ["帮办代办", "代办服务"],
                },
            ),
            (
                "“办不成事”反映",
                {
                    "audience": "个人,法人",
                    "cond": ["办事过程中遇到办不成、办得慢等问题"],
                    "mats": ["反映人联系方式", "问题描述"],
                    "days": (None, 0, 5),
                    "fees": ["不收费"],
                    "result": "协调解决结果",
                },
            ),
            (
                "政务服务“好差评”差评整改反馈",
                {
                    "audience": "个人,法人",
                    "cond": ["对政务服务作出差评的办事群众"],
                    "days": (None, 1, 15),
                    "fees": ["不收费"],
                    "result": "整改反馈",
                },
            ),
        ],
    ),
]
# Hospitals share one list of patient services.
FAMILIES += [
    dict(dept=key, kit="hospital", levels="C", unit=f"{key}-main", prefix=True, items=HOSPITAL_ITEMS)
    for key in ("yhd", "ytsyy", "zyy", "fybj", "kqyy", "qsyy", "jswszx", "ydyy", "zfyy", "lsyy")
]
