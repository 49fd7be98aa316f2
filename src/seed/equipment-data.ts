/*
 * Demo shared instruments of the "1+N" nodes: what a provincial large-instrument sharing platform lists — analytical
 * instruments at the oil laboratory, metrology equipment at the metrology institute, environmental and corrosion test
 * chambers at the park stations. Rates are yuan per hour for park companies / other companies / research institutes,
 * in the range such platforms publish (they are demo figures, not an official price list).
 */

export interface DemoInstrument {
  node: string;
  code: string;
  name: string;
  category: string;
  model: string;
  maker: string;
  location: string;
  specs: [string, string][];
  methods: string[];
  description: string;
  /** yuan per hour: [park, other, research] for each offered mode. */
  self?: [number, number, number];
  assisted?: [number, number, number];
  hours?: [string, string];
  maxHours?: number;
  minNoticeHours?: number;
  billing?: 'actual' | 'booked';
  autoApprove?: boolean;
  status?: 'available' | 'maintenance' | 'retired';
  statusNote?: string;
}

export const DEMO_INSTRUMENTS: DemoInstrument[] = [
  // ── 舟山国际油品检测实验室 ──
  { node: 'ZS-OILLAB', code: 'YP-GX-0001', name: '气相色谱质谱联用仪（GC-MS）', category: '色谱质谱', model: 'GCMS-QP2020 NX', maker: '岛津', location: '油品实验室 3 楼色谱室', specs: [['质量范围', 'm/z 1.5–1090'], ['扫描速度', '20000 u/s'], ['进样方式', '自动进样器 AOC-20i、顶空进样']], methods: ['SH/T 0715 石油产品中痕量有机化合物的测定', 'HJ 644-2013 挥发性有机物的测定 吸附管采样-热脱附/气相色谱-质谱法', '船用燃料油中有机氯、化学残留物筛查'], description: '用于燃料油、溶剂中有机污染物的定性定量分析，可做化学残留物（如苯乙烯、茚类、酚类）筛查。', assisted: [420, 520, 300], maxHours: 6 },
  { node: 'ZS-OILLAB', code: 'YP-GX-0002', name: '电感耦合等离子体发射光谱仪（ICP-OES）', category: '光谱分析', model: 'Avio 500', maker: '珀金埃尔默', location: '油品实验室 3 楼光谱室', specs: [['波长范围', '163–782 nm'], ['观测方式', '垂直炬管双向观测'], ['检出限', 'μg/L 级']], methods: ['IP 501 / ISO 10478 燃料油中铝、硅、钒、镍、铁、钠等元素的测定', 'GB/T 17476 在用润滑油中添加剂元素及磨损金属的测定'], description: '燃料油催化剂粉末（Al+Si）、钒、钠等元素测定，以及润滑油磨损金属分析。', self: [260, 320, 180], assisted: [360, 450, 260], maxHours: 6 },
  { node: 'ZS-OILLAB', code: 'YP-GX-0003', name: '宾斯基-马丁闭口闪点仪', category: '理化分析', model: 'APM-8', maker: '杭州川一', location: '油品实验室 2 楼理化室', specs: [['温度范围', '室温～370 ℃'], ['点火方式', '电子点火 / 燃气点火'], ['重复性', '符合 GB/T 261']], methods: ['GB/T 261-2021 闪点的测定 宾斯基-马丁闭口杯法', 'ISO 2719 闪点的测定'], description: '船用燃料油、柴油闭口闪点测定，全自动升温与检测。', self: [60, 80, 40], assisted: [100, 130, 70], autoApprove: true, maxHours: 4 },
  { node: 'ZS-OILLAB', code: 'YP-GX-0004', name: '全自动运动黏度测定仪', category: '理化分析', model: 'HVU 482', maker: '赫尔佐格', location: '油品实验室 2 楼理化室', specs: [['温度范围', '20–100 ℃'], ['控温精度', '±0.01 ℃'], ['测量管', '乌氏黏度计 4 支']], methods: ['GB/T 265 石油产品运动黏度测定法', 'ISO 3104 透明和不透明液体 运动黏度的测定'], description: '50 ℃/40 ℃ 运动黏度测定，适用于残渣燃料油与馏分燃料油。', self: [80, 100, 60], assisted: [120, 150, 90], autoApprove: true },
  { node: 'ZS-OILLAB', code: 'YP-GX-0005', name: '能量色散 X 射线荧光硫含量分析仪', category: '光谱分析', model: 'Lab-X5000', maker: '日立', location: '油品实验室 2 楼仪器室', specs: [['测量范围', '0.0010%–5.00%（质量分数）'], ['测量时间', '100–300 s']], methods: ['GB/T 17040 石油和石油产品中硫含量的测定 能量色散 X 射线荧光光谱法', 'ISO 8754'], description: '船用燃料油硫含量快速测定（MARPOL 附则 VI 0.50% / 0.10% 合规）。', self: [90, 120, 60], assisted: [150, 180, 100], autoApprove: true, maxHours: 3 },
  { node: 'ZS-OILLAB', code: 'YP-GX-0006', name: '卡尔费休库仑法微量水分测定仪', category: '理化分析', model: '917 Coulometer', maker: '瑞士万通', location: '油品实验室 2 楼理化室', specs: [['测量范围', '10 μg–200 mg 水'], ['分辨率', '0.1 μg']], methods: ['GB/T 11133 石油产品、润滑油和添加剂中水含量的测定 卡尔费休库仑滴定法'], description: '润滑油、柴油、绝缘油中微量水分测定。', self: [50, 70, 40], assisted: [80, 100, 60] },
  { node: 'ZS-OILLAB', code: 'YP-GX-0007', name: '微量残炭测定仪', category: '理化分析', model: 'ACR-M3', maker: '日本田中', location: '油品实验室 2 楼理化室', specs: [['样品位', '12 个'], ['加热温度', '500 ℃']], methods: ['GB/T 17144 石油产品残炭测定法（微量法）', 'ISO 10370'], description: '残渣燃料油残炭值测定。', assisted: [120, 150, 90], billing: 'booked' },

  // ── 舟山市计量检定测试院 ──
  { node: 'ZS-METROLOGY', code: 'JL-GX-0001', name: '三坐标测量机', category: '几何量测量', model: 'CONTURA 9/12/7', maker: '蔡司', location: '计量院 1 楼几何量恒温实验室', specs: [['测量范围', '900 × 1200 × 700 mm'], ['示值误差', 'MPE_E = (1.8 + L/300) μm'], ['测头', 'VAST XXT 扫描测头']], methods: ['JJF 1064 坐标测量机校准规范', '船用零部件、阀体、泵壳的尺寸与形位公差检测'], description: '机械零部件复杂形位尺寸测量，可出具检测数据报告。自主上机须通过网点组织的三坐标操作培训。', self: [180, 220, 120], assisted: [260, 320, 180], maxHours: 8 },
  { node: 'ZS-METROLOGY', code: 'JL-GX-0002', name: '激光干涉仪', category: '几何量测量', model: 'XL-80', maker: '雷尼绍', location: '计量院 1 楼几何量实验室', specs: [['线性测量精度', '±0.5 ppm'], ['测量距离', '0–80 m']], methods: ['JJF 1322 激光干涉仪校准规范', '数控机床定位精度、重复定位精度检测（GB/T 17421.2）'], description: '数控机床与长度计量器具的定位精度检测，可携带至企业现场。', assisted: [300, 380, 220], maxHours: 8, minNoticeHours: 48 },
  { node: 'ZS-METROLOGY', code: 'JL-GX-0003', name: '电子万能材料试验机', category: '力学性能', model: 'WDW-100E', maker: '济南试金', location: '计量院 1 楼力学实验室', specs: [['最大试验力', '100 kN'], ['准确度等级', '0.5 级'], ['试验空间', '拉伸 600 mm / 压缩 500 mm']], methods: ['GB/T 228.1 金属材料 拉伸试验 第 1 部分：室温试验方法', 'GB/T 232 金属材料 弯曲试验方法'], description: '金属材料、焊接件拉伸、压缩、弯曲试验。', self: [100, 130, 70], assisted: [150, 190, 110] },
  { node: 'ZS-METROLOGY', code: 'JL-GX-0004', name: '恒温恒湿试验箱', category: '环境与可靠性试验', model: 'SH-642', maker: '爱斯佩克', location: '计量院 2 楼环境实验室', specs: [['温度范围', '-40～150 ℃'], ['湿度范围', '20%–98% RH'], ['内容积', '408 L']], methods: ['GB/T 2423.3 环境试验 第 2 部分：试验方法 试验 Cab：恒定湿热试验', 'GB/T 2423.1 低温试验'], description: '电子电器、仪表的湿热与温度试验。超过一天的连续试验请分日预约或联系网点。', self: [30, 40, 20], assisted: [50, 65, 35], maxHours: 8, billing: 'booked' },
  { node: 'ZS-METROLOGY', code: 'JL-GX-0005', name: '影像测量仪', category: '几何量测量', model: 'VMS-3020', maker: '天准', location: '计量院 1 楼几何量实验室', specs: [['行程', '300 × 200 × 200 mm'], ['示值误差', '(2.5 + L/200) μm']], methods: ['JJF 1318 影像测量仪校准规范', '冲压件、塑料件二维尺寸检测'], description: '小型零件二维尺寸快速检测。', self: [80, 100, 60], assisted: [120, 150, 90], autoApprove: true },
  { node: 'ZS-METROLOGY', code: 'JL-GX-0006', name: '多功能校准器', category: '电学与电磁兼容', model: '5522A', maker: '福禄克', location: '计量院 2 楼电学实验室', specs: [['直流电压', '0–1020 V'], ['交流电流', '0–20.5 A'], ['电阻', '0–1100 MΩ']], methods: ['JJF 1587 数字多用表校准规范', 'JJG 124 电流表、电压表、功率表及电阻表检定规程'], description: '企业自有数字多用表、钳形表的比对与校准（自校需具备相应资质人员）。', self: [60, 80, 40], status: 'maintenance', statusNote: '送上级计量机构溯源中，预计下月恢复' },
  { node: 'ZS-METROLOGY', code: 'JL-GX-0007', name: '表面粗糙度测量仪', category: '几何量测量', model: 'SJ-411', maker: '三丰', location: '计量院 1 楼几何量实验室', specs: [['测量范围', 'Z 轴 800 μm'], ['分辨力', '0.000125 μm']], methods: ['GB/T 1031 表面粗糙度 参数及其数值', 'JJF 1105 触针式表面粗糙度测量仪校准规范'], description: '机加工表面粗糙度 Ra、Rz 测量。', self: [50, 60, 30], assisted: [80, 100, 60], autoApprove: true, maxHours: 4 },

  // ── 舟山市质量基础设施一站式服务中心 ──
  { node: 'ZS-CENTRE', code: 'ZX-GX-0001', name: '傅里叶变换红外光谱仪（FTIR）', category: '光谱分析', model: 'Nicolet iS20', maker: '赛默飞世尔', location: '服务中心 4 楼共享实验室', specs: [['光谱范围', '7800–350 cm⁻¹'], ['分辨率', '0.25 cm⁻¹'], ['附件', 'ATR 金刚石单次反射']], methods: ['GB/T 6040 红外光谱分析方法通则', '塑料、橡胶、涂料成分鉴别'], description: '高分子材料、涂料的成分鉴别与比对，适合企业质量问题诊断。', self: [120, 150, 80], assisted: [180, 220, 120], maxHours: 4 },
  { node: 'ZS-CENTRE', code: 'ZX-GX-0002', name: '紫外可见分光光度计', category: '光谱分析', model: 'UV-2600i', maker: '岛津', location: '服务中心 4 楼共享实验室', specs: [['波长范围', '185–900 nm'], ['光度准确度', '±0.003 Abs']], methods: ['GB/T 26813 双光束紫外可见分光光度计', '水质总磷、氨氮等分光光度法测定'], description: '化学分析常用光度测定。', self: [40, 50, 30], assisted: [70, 90, 50], autoApprove: true },
  { node: 'ZS-CENTRE', code: 'ZX-GX-0003', name: '扫描电子显微镜（含能谱）', category: '其他', model: 'Phenom XL G2', maker: '赛默飞世尔', location: '服务中心 4 楼共享实验室', specs: [['放大倍数', '80–200000×'], ['分辨率', '< 10 nm'], ['能谱', '元素 B–Am']], methods: ['GB/T 17359 微束分析 能谱法定量分析', '金属断口、腐蚀产物形貌观察'], description: '失效分析中的断口与腐蚀形貌观察和元素分析。', assisted: [380, 460, 260], maxHours: 4, minNoticeHours: 48 },

  // ── 定海工业园区服务站 ──
  { node: 'ST-DINGHAI', code: 'DH-GX-0001', name: '中性盐雾试验箱', category: '环境与可靠性试验', model: 'YWX/Q-750', maker: '无锡苏南', location: '定海服务站 1 楼腐蚀试验室', specs: [['工作室尺寸', '1000 × 750 × 500 mm'], ['温度范围', '室温～55 ℃'], ['沉降量', '1–2 mL/(80 cm²·h)']], methods: ['GB/T 10125-2021 人造气氛腐蚀试验 盐雾试验', 'GB/T 2423.17 试验 Ka：盐雾'], description: '船舶配件、紧固件、涂层的耐盐雾腐蚀试验。长时间试验请分日预约。', assisted: [25, 35, 18], maxHours: 8, billing: 'booked' },
  { node: 'ST-DINGHAI', code: 'DH-GX-0002', name: '超声波探伤仪', category: '无损检测', model: 'USM 36', maker: '韦盖特（原 GE 检测）', location: '定海服务站 1 楼无损检测室', specs: [['频率范围', '0.5–20 MHz'], ['检测范围', '0–14000 mm（钢）']], methods: ['GB/T 11345 焊缝无损检测 超声检测', 'CB/T 3559 船舶钢焊缝超声波检测工艺和质量分级'], description: '船体焊缝与钢结构焊接质量检测，自主使用须持 UT 资格并完成设备培训。', self: [60, 80, 40], assisted: [120, 150, 90] },
  { node: 'ST-DINGHAI', code: 'DH-GX-0003', name: '涂层测厚仪', category: '无损检测', model: 'QNix 8500', maker: '德国 Automation 公司', location: '定海服务站 1 楼无损检测室', specs: [['测量范围', '0–5000 μm'], ['准确度', '±(1 μm + 2%)']], methods: ['GB/T 4956 磁性基体上非磁性覆盖层 覆盖层厚度测量 磁性法'], description: '船舶涂装膜厚检测。', self: [20, 30, 15], autoApprove: true, maxHours: 4 },
  { node: 'ST-DINGHAI', code: 'DH-GX-0004', name: '直读光谱仪', category: '光谱分析', model: 'SPECTROMAXx', maker: '斯派克', location: '定海服务站 2 楼', specs: [['基体', 'Fe、Al、Cu、Ni'], ['分析时间', '约 30 s / 次']], methods: ['GB/T 4336 碳素钢和中低合金钢 多元素含量的测定 火花放电原子发射光谱法'], description: '钢材、铝材牌号鉴别与成分分析。', assisted: [150, 190, 110] },
  { node: 'ST-DINGHAI', code: 'DH-GX-0005', name: '洛氏硬度计', category: '力学性能', model: 'HR-150A', maker: '莱州华银', location: '定海服务站 2 楼', specs: [['标尺', 'HRA、HRB、HRC'], ['准确度', '±1.5 HR']], methods: ['GB/T 230.1 金属材料 洛氏硬度试验'], description: '金属材料硬度检测。', self: [20, 30, 15], assisted: [40, 50, 30], autoApprove: true, status: 'retired', statusNote: '设备已报废，替换设备采购中' },

  // ── 普陀经济开发区服务站（水产食品） ──
  { node: 'ST-PUTUO', code: 'PT-GX-0001', name: '原子吸收分光光度计', category: '光谱分析', model: 'AA-7000', maker: '岛津', location: '普陀服务站 2 楼理化室', specs: [['原子化器', '火焰 / 石墨炉'], ['波长范围', '185–900 nm']], methods: ['GB 5009.12 食品中铅的测定', 'GB 5009.15 食品中镉的测定'], description: '水产品重金属（铅、镉、铜等）测定。', self: [150, 190, 110], assisted: [220, 270, 160], maxHours: 6 },
  { node: 'ST-PUTUO', code: 'PT-GX-0002', name: '高效液相色谱仪（HPLC）', category: '色谱质谱', model: '1260 Infinity II', maker: '安捷伦', location: '普陀服务站 2 楼色谱室', specs: [['检测器', 'DAD、FLD'], ['流速范围', '0.001–10 mL/min']], methods: ['GB 5009.208 食品中生物胺的测定', 'GB 5009.28 食品中苯甲酸、山梨酸的测定'], description: '水产品组胺、防腐剂等测定。', self: [160, 200, 120], assisted: [240, 300, 170], maxHours: 6 },
  { node: 'ST-PUTUO', code: 'PT-GX-0003', name: '水分活度仪', category: '理化分析', model: 'AquaLab 4TE', maker: 'METER 公司', location: '普陀服务站 2 楼理化室', specs: [['测量范围', '0.030–1.000 aw'], ['准确度', '±0.003 aw']], methods: ['GB 5009.238 食品水分活度的测定'], description: '干制水产品、调味品水分活度测定。', self: [30, 40, 20], autoApprove: true, maxHours: 3 },
  { node: 'ST-PUTUO', code: 'PT-GX-0004', name: '生化培养箱', category: '其他', model: 'SPX-250B', maker: '上海博迅', location: '普陀服务站 3 楼微生物室', specs: [['温度范围', '5–50 ℃'], ['容积', '250 L']], methods: ['GB 4789.2 食品微生物学检验 菌落总数测定'], description: '微生物检验培养。', assisted: [15, 20, 10], billing: 'booked', maxHours: 8 },

  // ── 岱山·绿色石化基地服务站 ──
  { node: 'ST-DAISHAN', code: 'DS-GX-0001', name: '气相色谱仪（FID/TCD）', category: '色谱质谱', model: 'GC-2030', maker: '岛津', location: '岱山服务站 2 楼色谱室', specs: [['检测器', 'FID、TCD'], ['柱温', '室温+4 ℃～450 ℃']], methods: ['GB/T 3723 工业用化学产品采样安全通则', 'GB/T 2012 芳烃类产品纯度的测定 气相色谱法'], description: '化工产品纯度与组成分析。', self: [140, 180, 100], assisted: [200, 250, 140], maxHours: 6 },
  { node: 'ST-DAISHAN', code: 'DS-GX-0002', name: '红外分光测油仪', category: '光谱分析', model: 'OIL460', maker: '北京华夏科创', location: '岱山服务站 2 楼理化室', specs: [['测量范围', '0.1–1000 mg/L'], ['波数', '2930、2960、3030 cm⁻¹']], methods: ['HJ 637-2018 水质 石油类和动植物油类的测定 红外分光光度法'], description: '含油污水石油类测定。', self: [50, 70, 40], assisted: [90, 110, 70], autoApprove: true },
  { node: 'ST-DAISHAN', code: 'DS-GX-0003', name: '自动电位滴定仪', category: '理化分析', model: 'T5', maker: '梅特勒-托利多', location: '岱山服务站 2 楼理化室', specs: [['滴定管', '10 mL / 20 mL'], ['电极', 'pH、氧化还原、银电极']], methods: ['GB/T 7304 石油产品酸值的测定 电位滴定法', 'GB/T 4945 石油产品和润滑剂酸值和碱值测定'], description: '油品酸值、碱值测定。', self: [50, 60, 35], assisted: [80, 100, 60] },

  // ── 嵊泗服务站 ──
  { node: 'ST-SHENGSI', code: 'SS-GX-0001', name: '便携式多参数水质分析仪', category: '理化分析', model: 'HQ40d', maker: '哈希', location: '嵊泗服务站', specs: [['参数', 'pH、溶解氧、电导率、盐度'], ['防护等级', 'IP67']], methods: ['HJ 506 水质 溶解氧的测定 电化学探头法'], description: '养殖水体现场快速检测，可随网点人员外出使用。', assisted: [40, 50, 30], maxHours: 4 },
  { node: 'ST-SHENGSI', code: 'SS-GX-0002', name: '电子天平（十万分之一）', category: '理化分析', model: 'XPR205', maker: '梅特勒-托利多', location: '嵊泗服务站', specs: [['最大称量', '220 g'], ['实际分度值', '0.01 mg']], methods: ['JJG 1036 电子天平检定规程'], description: '精密称量。', self: [10, 15, 8], autoApprove: true, maxHours: 3 },

  // ── 新城·舟山经济开发区服务站（电子） ──
  { node: 'ST-XINCHENG', code: 'XC-GX-0001', name: '静电放电发生器', category: '电学与电磁兼容', model: 'NSG 438A', maker: '特赛克', location: '新城服务站 EMC 实验室', specs: [['接触放电', '0.2–16.5 kV'], ['空气放电', '0.2–30 kV']], methods: ['GB/T 17626.2 电磁兼容 试验和测量技术 静电放电抗扰度试验'], description: '电子产品静电放电抗扰度预测试。', self: [120, 150, 90], assisted: [180, 220, 130] },
  { node: 'ST-XINCHENG', code: 'XC-GX-0002', name: '电磁振动试验台', category: '环境与可靠性试验', model: 'ES-10', maker: '苏州东菱', location: '新城服务站可靠性实验室', specs: [['额定推力', '10 kN'], ['频率范围', '5–3000 Hz'], ['最大加速度', '100 g']], methods: ['GB/T 2423.10 环境试验 试验 Fc：振动（正弦）', 'GB/T 2423.56 试验 Fh：宽带随机振动'], description: '电子组件、船用仪表的振动试验。', assisted: [160, 200, 120], maxHours: 6, hours: ['08:30', '17:30'] },
  { node: 'ST-XINCHENG', code: 'XC-GX-0003', name: '高低温交变试验箱', category: '环境与可靠性试验', model: 'GDJS-225', maker: '重庆银河', location: '新城服务站可靠性实验室', specs: [['温度范围', '-70～150 ℃'], ['湿度范围', '20%–98% RH'], ['内容积', '225 L']], methods: ['GB/T 2423.22 试验 N：温度变化', 'GB/T 2423.4 试验 Db：交变湿热'], description: '电子产品温度循环与交变湿热试验。', self: [35, 45, 25], assisted: [55, 70, 40], billing: 'booked', hours: ['08:30', '17:30'] },
  { node: 'ST-XINCHENG', code: 'XC-GX-0004', name: '数字存储示波器', category: '电学与电磁兼容', model: 'MSO58', maker: '泰克', location: '新城服务站电子实验室', specs: [['带宽', '1 GHz'], ['采样率', '6.25 GS/s'], ['通道', '8']], methods: ['电子产品信号完整性测试'], description: '研发调试与故障分析。', self: [60, 80, 40], autoApprove: true, maxHours: 4, hours: ['08:30', '17:30'] },
];

/** Research institutes (科研院所) of the demo city, with the research rate. */
export const DEMO_INSTITUTES = [
  { name: '舟山市海洋渔业技术研究所（演示）', body: '12330900MB1A2C3D4', park: null },
  { name: '舟山船舶与海洋工程装备研究院（演示）', body: '12330900MB1B5E6F7', park: 'P-ZSEDZ' },
] as const;
