"""Accepting and handling units (受理单位 / 办理机构).

* CITY_HALL: the 市民服务中心, where most city departments have a window.
* CITY_UNITS: city-level units with their own hall, or inside the 市民服务中心 (district "hall").
* DISTRICT_UNITS: one unit per district and row; {p} is the district's prefix (芝罘区, 烟台开发区...), {police},
  {traffic} and {tax} are the names of the district's police bureau, traffic brigade and tax bureau.
* TOWN_UNITS: one unit per town (乡镇街道) and row; {town} is the town's name, {short} without 街道/镇/乡.
Every unit row: (tag, department key, name pattern, window pattern). Unit keys are "<tag>" (city) or
"<tag>-<district key>" / "<tag>-<district key>-<town index>".
"""

CITY_HALL = {
    "name": "市民服务中心",
    "district": "laishan",
    "street": "港城东大街",
    "number": 1333,
    "department": "zwzx",
}

# (key, department, name, district or "hall", street, window pattern)
CITY_UNITS = [
    ("jjzd-cgs", "jjzd", "市公安局交通警察支队车辆管理所", "fushan", "福海路", "业务大厅{n}号窗口"),
    ("jjzd-ks", "jjzd", "市公安局交通警察支队驾驶人考试中心", "fushan", "永达街", "考试服务大厅{n}号窗口"),
    ("jjzd-wfcl", "jjzd", "市公安局交通警察支队违法处理中心", "laishan", "观海路", "违法处理{n}号窗口"),
    ("jjzd-sg", "jjzd", "市公安局交通警察支队事故处理大队", "zhifu", "只楚路", "事故处理{n}号接待室"),
    ("crj-hall", "crj", "市公安局出入境管理支队出入境接待大厅", "hall", "", "出入境{n}号窗口"),
    ("gaj-hz", "gaj", "市民服务中心公安户政窗口", "hall", "", "公安户政{n}号窗口"),
    ("mzj-hydj", "mzj", "市婚姻登记处", "zhifu", "幸福中路", "婚姻登记{n}号窗口"),
    ("byg-yw", "byg", "市殡仪馆业务大厅", "fushan", "奇泉路", "业务{n}号窗口"),
    ("sbzx-hall", "sbzx", "市社会保险服务中心服务大厅", "hall", "", "社保{n}号窗口"),
    ("rsj-ldzc", "rsj", "市劳动人事争议仲裁院", "laishan", "迎春大街", "立案{n}号窗口"),
    ("rsj-jc", "rsj", "市劳动保障监察支队", "laishan", "迎春大街", "投诉举报{n}号窗口"),
    ("jyzx-hall", "jyzx", "市公共就业和人才服务中心服务大厅", "hall", "", "就业人才{n}号窗口"),
    ("ybzx-hall", "ybzx", "市医疗保障服务中心服务大厅", "hall", "", "医保{n}号窗口"),
    ("gjj-hall", "gjj", "市住房公积金管理中心市区管理部服务大厅", "laishan", "港城东大街", "公积金{n}号窗口"),
    ("bdc-hall", "bdc", "市不动产登记中心登记大厅", "hall", "", "不动产登记{n}号窗口"),
    ("zfbz-hall", "zfbz", "市住房保障和房产交易中心服务大厅", "zhifu", "西南河路", "住房保障{n}号窗口"),
    ("sfj-gzc", "sfj", "市公证处", "zhifu", "解放路", "公证受理{n}号窗口"),
    ("flyz-hall", "flyz", "市公共法律服务中心法律援助窗口", "zhifu", "解放路", "法律援助{n}号窗口"),
    ("cl-hall", "cl", "市残疾人综合服务中心", "zhifu", "幸福中路", "残疾人服务{n}号窗口"),
    ("tyjrfw-hall", "tyjrfw", "市退役军人服务中心服务大厅", "zhifu", "西大街", "退役军人服务{n}号窗口"),
    ("jzz-hall", "jzz", "市救助管理站接待大厅", "zhifu", "只楚路", "救助接待{n}号窗口"),
    ("cgj-zf", "cgj", "市城市管理综合执法支队", "zhifu", "环山路", "执法受理{n}号窗口"),
    ("sthjj-zf", "sthjj", "市生态环境保护综合执法支队", "laishan", "银海路", "投诉受理{n}号窗口"),
    ("scjgj-12315", "scjgj", "市消费者投诉举报中心", "laishan", "山海路", "投诉受理{n}号窗口"),
    ("zksy-hall", "zksy", "市教育招生考试院服务大厅", "laishan", "府后路", "考试服务{n}号窗口"),
    ("gjjt-ic", "gjjt", "烟台公交IC卡服务中心", "zhifu", "北马路", "IC卡服务{n}号窗口"),
    ("gdgs-zf", "gdgs", "国网烟台供电公司芝罘营业厅", "zhifu", "西大街", "营业{n}号窗口"),
    ("gdgs-ls", "gdgs", "国网烟台供电公司莱山营业厅", "laishan", "观海路", "营业{n}号窗口"),
    ("zls-kf", "zls", "烟台市自来水公司客户服务中心", "zhifu", "大海阳路", "营业{n}号窗口"),
    ("rq-kf", "rq", "烟台市燃气公司客户服务中心", "zhifu", "青年南路", "营业{n}号窗口"),
    ("rl-kf", "rl", "烟台市热力公司客户服务中心", "zhifu", "上夼西路", "营业{n}号窗口"),
    ("cdc-ym", "cdc", "市疾病预防控制中心预防接种门诊", "zhifu", "只楚路", "接种登记{n}号窗口"),
]

# Kinds of department whose default unit is a window in the 市民服务中心; others are served at their own seat.
HALL_KINDS = ("政府部门", "垂直管理部门")
# Departments of those kinds that nevertheless serve at their own seat.
OWN_SEAT = ("hg", "hsj", "bjz", "rmyh", "xfzd", "jrjg", "dcd", "yc", "qxj", "yzj")
# Name of a department's own service desk by kind.
OWN_DESK = {
    "事业单位": "服务窗口",
    "公用企业": "客户服务中心",
    "医院": "门诊服务中心",
    "学校": "综合服务大厅",
    "群团组织": "服务大厅",
    "文化场馆": "总服务台",
    "垂直管理部门": "业务受理大厅",
    "政府部门": "服务窗口",
}

DISTRICT_UNITS = [
    ("gaj", "gaj", "{police}户政科", "户籍{n}号窗口"),
    ("jjzd", "jjzd", "{traffic}", "车驾管业务{n}号窗口"),
    ("crj", "crj", "{police}出入境管理大队", "出入境{n}号窗口"),
    ("zwzx", "zwzx", "{p}政务服务中心", "综合受理{n}号窗口"),
    ("xzspj", "xzspj", "{p}行政审批服务局", "审批{n}号窗口"),
    ("mzj", "mzj", "{p}民政局", "社会救助{n}号窗口"),
    ("hydj", "mzj", "{p}婚姻登记处", "婚姻登记{n}号窗口"),
    ("rsj", "rsj", "{p}人力资源和社会保障局", "社保就业{n}号窗口"),
    ("ybj", "ybj", "{p}医疗保障局", "医保{n}号窗口"),
    ("gjj", "gjj", "市住房公积金管理中心{p}管理部", "公积金{n}号窗口"),
    ("bdc", "zrzyj", "{p}不动产登记中心", "不动产登记{n}号窗口"),
    ("zrzyj", "zrzyj", "烟台市自然资源和规划局{p}分局", "规划{n}号窗口"),
    ("zjj", "zjj", "{p}住房和城乡建设局", "住建{n}号窗口"),
    ("sw", "sw", "{tax}办税服务厅", "办税{n}号窗口"),
    ("jyj", "jyj", "{p}教育和体育局", "教育{n}号窗口"),
    ("wjw", "wjw", "{p}卫生健康局", "卫健{n}号窗口"),
    ("sfj", "sfj", "{p}司法局", "公共法律服务{n}号窗口"),
    ("tyjrj", "tyjrj", "{p}退役军人事务局", "退役军人服务{n}号窗口"),
    ("cgj", "cgj", "{p}综合行政执法局", "城管{n}号窗口"),
    ("nyncj", "nyncj", "{p}农业农村局", "农业{n}号窗口"),
    ("sthjj", "sthjj", "烟台市生态环境局{p}分局", "环保{n}号窗口"),
    ("scjgj", "scjgj", "{p}市场监督管理局", "市场监管{n}号窗口"),
    ("cl", "cl", "{p}残疾人联合会", "残联{n}号窗口"),
    ("jtysj", "jtysj", "{p}交通运输局", "交通{n}号窗口"),
    ("wlj", "wlj", "{p}文化和旅游局", "文旅{n}号窗口"),
    ("swj", "swj", "{p}水务局", "水务{n}号窗口"),
    ("yjj", "yjj", "{p}应急管理局", "应急{n}号窗口"),
    ("hyj", "hyj", "{p}海洋发展和渔业局", "渔业{n}号窗口"),
]

TOWN_UNITS = [
    ("bmzx", "zwzx", "{p}{town}便民服务中心", "综合受理{n}号窗口"),
    ("pcs", "gaj", "{police}{short}派出所", "户籍{n}号窗口"),
    ("wsy", "wjw", "{p}{health}", "预防接种{n}号窗口"),
]
