import { asc, desc, eq, sql } from 'drizzle-orm';
import { insertRows } from '../db/bulk-insert.js';
import type { Db } from '../db/client.js';
import { enterprises, instrumentCategories, instruments, ledgerSettings, users } from '../db/schema.js';
import { recordEvents } from '../events/record.js';
import { certificateLines, entryFromLine } from '../ledger/certificate-sync.js';
import { addMonthsInclusive, serialKey, type CompulsoryUse, type InstrumentStatus, type Regime } from '../ledger/rules.js';
import { addDays, shanghaiDate } from '../shared/time.js';
import { prng } from './history.js';

/*
 * Demo instrument ledgers: the certificates of the demo history's calibration bookings (through the same code that
 * runs when a report is issued), then realistic ledgers typed in by each company — tens of instruments for the four
 * demo companies, a handful for the others — with some 强检, some due soon, some overdue, a few out of use.
 */

interface Kind {
  cat: string;
  name: string;
  models: string[];
  makers: string[];
  range?: string;
  acc?: string;
  use?: CompulsoryUse;
  depts: string[];
  places?: string[];
  regime?: Regime;
  months?: number;
}

const K: Record<string, Kind> = {
  oxygenGauge: { cat: 'CAL-PG', name: '氧气压力表', models: ['YO-100', 'YO-60'], makers: ['上海自动化仪表四厂', '红旗仪表'], range: '0-25 MPa', acc: '1.6', use: 'safety', depts: ['船坞车间', '焊接车间'], places: ['2 号船坞氧气站', '焊接工位 A3', '气瓶库'] },
  acetyleneGauge: { cat: 'CAL-PG', name: '乙炔压力表', models: ['YQE-60'], makers: ['上海自动化仪表四厂'], range: '0-0.25 MPa', acc: '2.5', use: 'safety', depts: ['焊接车间'], places: ['焊接工位 A3', '气瓶库'] },
  airGauge: { cat: 'CAL-PG', name: '压缩空气压力表', models: ['Y-100', 'Y-150'], makers: ['红旗仪表', '布莱迪'], range: '0-1.6 MPa', acc: '1.6', use: 'safety', depts: ['动力站', '机修车间', '锅炉房'], places: ['空压机房', '储气罐'] },
  boilerGauge: { cat: 'CAL-PG', name: '锅炉压力表', models: ['Y-150'], makers: ['布莱迪'], range: '0-2.5 MPa', acc: '1.6', use: 'safety', depts: ['锅炉房'], places: ['1 号蒸汽锅炉', '分汽缸'] },
  ammoniaGauge: { cat: 'CAL-PG', name: '氨用压力表', models: ['YA-100'], makers: ['红旗仪表'], range: '-0.1-2.4 MPa', acc: '1.6', use: 'safety', depts: ['冷库'], places: ['制冷机房'] },
  tankGauge: { cat: 'CAL-PG', name: '储罐压力表', models: ['Y-100BF'], makers: ['布莱迪', '上海自动化仪表四厂'], range: '0-1.0 MPa', acc: '1.6', use: 'safety', depts: ['罐区', '码头'], places: ['3# 罐', '5# 罐', '1 号泊位输油臂'] },
  torque: { cat: 'CAL-TW', name: '扭矩扳子', models: ['TW-340', 'DB200N'], makers: ['世达', '东日'], range: '40-340 N·m', acc: '±4%', depts: ['机修车间', '船坞车间'] },
  caliper: { cat: 'CAL-CAL', name: '数显卡尺', models: ['0-150 mm', '0-300 mm'], makers: ['哈量', '三丰'], range: '0-300 mm', acc: '0.01 mm', depts: ['质检部', '机修车间'] },
  micrometer: { cat: 'CAL-MIC', name: '外径千分尺', models: ['0-25 mm', '25-50 mm'], makers: ['哈量', '上量'], acc: '0.001 mm', depts: ['质检部'] },
  tape: { cat: 'CAL-TAPE', name: '钢卷尺', models: ['5 m', '50 m'], makers: ['长城精工'], range: '0-50 m', acc: 'Ⅱ级', depts: ['船坞车间', '质检部'] },
  gasDetector: { cat: 'CAL-CGD', name: '可燃气体检测报警器', models: ['GT-2000', 'BW GasAlert'], makers: ['汉威科技', '霍尼韦尔', '梅思安'], range: '0-100 %LEL', use: 'safety', depts: ['安环部', '罐区', '船坞车间'], places: ['3# 罐区', '5# 罐区', '泵房', '船舱动火点'] },
  coDetector: { cat: 'CAL-COD', name: '一氧化碳检测报警器', models: ['CO-300'], makers: ['汉威科技'], range: '0-1000 ppm', use: 'safety', depts: ['安环部', '锅炉房'] },
  h2sDetector: { cat: 'CAL-H2SD', name: '硫化氢气体检测仪', models: ['H2S-100'], makers: ['梅思安', '霍尼韦尔'], range: '0-100 ppm', use: 'safety', depts: ['安环部', '码头'], places: ['1 号泊位', '泵房'] },
  oxygenMeter: { cat: 'CAL-O2', name: '便携式氧测定仪', models: ['O2-25'], makers: ['梅思安'], range: '0-25 %VOL', use: 'safety', depts: ['安环部'] },
  insulation: { cat: 'CAL-IRT', name: '绝缘电阻表', models: ['ZC-7', 'UT502'], makers: ['优利德', '上海第六电表厂'], range: '0-2500 MΩ', acc: '10 级', depts: ['电工班', '机修车间'] },
  benchScale: { cat: 'CAL-DIS', name: '电子台秤', models: ['TCS-150', 'ACS-30'], makers: ['上海耀华', '凯丰'], range: '0-150 kg', acc: 'Ⅲ', use: 'trade', depts: ['仓库', '销售门市', '加工车间'], places: ['收货口', '门市 1 号柜台', '出货口'] },
  priceScale: { cat: 'CAL-DIS', name: '电子计价秤', models: ['ACS-15'], makers: ['凯丰', '上海耀华'], range: '0-15 kg', acc: 'Ⅲ', use: 'trade', depts: ['销售门市'], places: ['门市 1 号柜台', '门市 2 号柜台'] },
  truckScale: { cat: 'CAL-DIS', name: '电子汽车衡', models: ['SCS-100'], makers: ['梅特勒-托利多'], range: '0-100 t', acc: 'Ⅲ', use: 'trade', depts: ['仓库'], places: ['厂区东门地磅'] },
  caseScale: { cat: 'CAL-NSI', name: '案秤', models: ['AGT-10'], makers: ['上海衡器厂'], range: '0-10 kg', acc: 'Ⅲ', use: 'trade', depts: ['销售门市'] },
  tester: { cat: 'CAL-UTM', name: '万能材料试验机', models: ['WE-600'], makers: ['济南试金'], range: '0-600 kN', acc: '1 级', depts: ['质检部'] },
  transmitter: { cat: 'CAL-PT', name: '压力变送器', models: ['3051', 'EJA430A'], makers: ['罗斯蒙特', '横河'], range: '0-4 MPa', acc: '0.075 级', depts: ['仪表班'], places: ['输油管线 A', '输油管线 B'] },
  flowmeter: { cat: 'CAL-FM', name: '科里奥利质量流量计', models: ['CMF400', 'Promass 83F'], makers: ['艾默生高准', 'E+H'], range: '0-800 t/h', acc: '0.1 级', use: 'trade', depts: ['码头', '供油船队'], places: ['1 号泊位计量撬', '舟港油 18 轮', '海通 6 轮'] },
  tank: { cat: 'CAL-VTANK', name: '立式金属罐', models: ['5 万 m³', '10 万 m³'], makers: ['中石化第十建设'], use: 'trade', depts: ['罐区'], places: ['3# 罐', '5# 罐', '7# 罐'] },
  cargoTank: { cat: 'CAL-SHIPTANK', name: '船舶液货计量舱', models: ['1#左舱', '2#右舱'], makers: ['舟山船厂'], use: 'trade', depts: ['供油船队'], places: ['舟港油 18 轮', '海通 6 轮'] },
  hydrometer: { cat: 'CAL-HYDRO', name: '石油密度计', models: ['SY-05 0.850-0.900', 'SY-05 0.950-1.000'], makers: ['上海华辰'], acc: '0.0005 g/cm³', depts: ['化验室'] },
  densityMeter: { cat: 'CAL-DMETER', name: '振动式液体密度仪', models: ['DMA 4500M'], makers: ['安东帕'], acc: '0.00005 g/cm³', depts: ['化验室'] },
  viscometer: { cat: 'CAL-VISC', name: '毛细管黏度计', models: ['品氏 0.8 mm', '品氏 1.5 mm'], makers: ['上海良晶'], depts: ['化验室'] },
  karlFischer: { cat: 'CAL-KF', name: '卡尔·费休水分测定仪', models: ['C20S'], makers: ['梅特勒-托利多'], depts: ['化验室'] },
  glassThermo: { cat: 'CAL-LIGT', name: '石油产品用玻璃液体温度计', models: ['GB-40', 'GB-55'], makers: ['河北武强'], range: '-20-100 ℃', acc: '0.1 ℃', depts: ['化验室'] },
  tempIndicator: { cat: 'CAL-TIND', name: '温度显示仪表', models: ['XMT-808'], makers: ['余姚长江'], range: '-40-50 ℃', depts: ['冷库'], places: ['1 号冷库', '2 号冷库', '速冻间'] },
  chamber: { cat: 'CAL-ENVCH', name: '恒温恒湿箱', models: ['LHS-150'], makers: ['上海一恒'], depts: ['化验室'] },
  phMeter: { cat: 'CAL-PH', name: '实验室 pH 计', models: ['PHS-3C'], makers: ['上海雷磁'], acc: '0.01 pH', depts: ['化验室'] },
  balance: { cat: 'CAL-EBAL', name: '电子天平', models: ['ME204', 'BSA224S'], makers: ['梅特勒-托利多', '赛多利斯'], range: '0-220 g', acc: 'Ⅰ', depts: ['化验室'] },
  waterMeter: { cat: 'CAL-WM', name: '冷水水表 DN25', models: ['LXS-25E'], makers: ['宁波水表'], range: 'Q3=6.3 m³/h', acc: '2 级', use: 'trade', depts: ['动力站', '加工车间'], regime: 'limited_life', months: 72 },
  gasMeter: { cat: 'CAL-GM', name: '膜式燃气表 G4', models: ['G4'], makers: ['浙江苍南仪表'], range: '0.04-6 m³/h', use: 'trade', depts: ['锅炉房', '食堂'], regime: 'limited_life', months: 120 },
  bloodPressure: { cat: 'CAL-BP', name: '电子血压计', models: ['HBP-1320'], makers: ['欧姆龙'], use: 'medical', depts: ['门诊部', '体检中心'] },
  thermometer: { cat: 'CAL-BT', name: '医用电子体温计', models: ['MC-347'], makers: ['欧姆龙'], use: 'medical', depts: ['门诊部'] },
  multimeter: { cat: 'CAL-DMM', name: '数字多用表', models: ['Fluke 17B+', 'UT61E'], makers: ['福禄克', '优利德'], depts: ['电工班', '研发部'] },
  gc: { cat: 'CAL-GC', name: '气相色谱仪', models: ['GC-2014'], makers: ['岛津'], depts: ['化验室'] },
};

/** The four demo companies' ledgers (kind, how many) and the pools the other companies draw from by trade. */
const DEMO: Record<string, [keyof typeof K, number][]> = {
  舟山海星船舶修造有限公司: [['oxygenGauge', 4], ['acetyleneGauge', 3], ['airGauge', 3], ['torque', 4], ['caliper', 3], ['micrometer', 2], ['tape', 2], ['gasDetector', 3], ['coDetector', 1], ['insulation', 2], ['truckScale', 1], ['tester', 1], ['waterMeter', 1]],
  浙江鱼山石化储运有限公司: [['gasDetector', 6], ['h2sDetector', 3], ['tankGauge', 6], ['transmitter', 3], ['flowmeter', 3], ['tank', 3], ['hydrometer', 2], ['glassThermo', 2], ['oxygenMeter', 1]],
  舟山港航保税燃料供应有限公司: [['flowmeter', 4], ['cargoTank', 3], ['hydrometer', 2], ['densityMeter', 1], ['viscometer', 2], ['karlFischer', 1], ['tankGauge', 4], ['gasDetector', 3], ['glassThermo', 2]],
  普陀东港水产食品有限公司: [['benchScale', 4], ['priceScale', 3], ['caseScale', 1], ['boilerGauge', 2], ['ammoniaGauge', 2], ['tempIndicator', 3], ['chamber', 1], ['phMeter', 1], ['balance', 2], ['waterMeter', 1], ['gasMeter', 1]],
};

const POOLS: [RegExp, (keyof typeof K)[]][] = [
  [/医院|医疗/, ['bloodPressure', 'thermometer', 'balance', 'airGauge']],
  [/自来水/, ['waterMeter', 'airGauge', 'phMeter']],
  [/燃气/, ['gasMeter', 'gasDetector', 'tankGauge']],
  [/石化|化工|仓储|燃料|油/, ['gasDetector', 'h2sDetector', 'tankGauge', 'flowmeter', 'hydrometer', 'glassThermo']],
  [/水产|冷链|渔业|海鲜|市场/, ['benchScale', 'priceScale', 'tempIndicator', 'ammoniaGauge']],
  [/船|重工|机械|配件|轮驳|港/, ['oxygenGauge', 'airGauge', 'torque', 'caliper', 'gasDetector', 'insulation']],
  [/./, ['multimeter', 'balance', 'chamber', 'caliper', 'airGauge', 'gc']],
];

/** One typed-in entry: due state drawn (≈ 12 % overdue, 15 % due within 30 days, a few without dates or out of use). */
function entry(k: Kind, i: number, prefix: string, periods: Map<string, number | null>, today: string, rand: () => number) {
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  const months = k.months ?? periods.get(k.cat) ?? 12;
  const r = rand();
  const due = r < 0.12 ? addDays(today, -1 - Math.floor(rand() * 90)) : r < 0.27 ? addDays(today, Math.floor(rand() * 31)) : r < 0.33 ? null : addDays(today, 31 + Math.floor(rand() * Math.max(30, months * 30 - 40)));
  // the last date whose period ends on the due date
  const last = due ? addDays(addMonthsInclusive(addDays(due, 1), -months), 1) : null;
  const s = rand();
  const status: InstrumentStatus = s < 0.05 ? 'stopped' : s < 0.08 ? 'sealed' : s < 0.1 ? 'scrapped' : 'in_use';
  const lastDate = last && last <= today ? last : null;
  return {
    categoryCode: k.cat,
    name: k.name,
    model: pick(k.models),
    serialNo: `${prefix}-${k.cat.slice(4)}-${String(1001 + i)}`,
    manufacturer: pick(k.makers),
    measuringRange: k.range ?? '',
    accuracyClass: k.acc ?? '',
    department: pick(k.depts),
    location: k.places ? pick(k.places) : '',
    compulsory: Boolean(k.use),
    compulsoryUse: k.use ?? null,
    regime: k.regime ?? 'periodic',
    periodMonths: k.months ?? null,
    status,
    lastCalibrationDate: lastDate,
    certificateNo: lastDate ? `${pick(['ZJJL', 'ZSJL', 'NBJL'])}${lastDate.slice(0, 4)}-${String(Math.floor(rand() * 90000) + 10000)}` : null,
    conclusion: lastDate ? (k.use ? 'pass' : pick(['pass', 'calibrated'] as const)) : null,
    nextDueDate: lastDate ? due : null,
    dueSource: lastDate && due ? 'manual' : null,
  };
}

/**
 * The demo history's calibration certificates, as the issuing code would have recorded them one by one (the same
 * fields, through `entryFromLine`), written in bulk: the latest certificate of each instrument wins.
 */
async function ledgerFromHistory(db: Db): Promise<void> {
  const latest = new Map<string, ReturnType<typeof entryFromLine>>();
  for (const line of await certificateLines(db)) {
    if (!line.item.serialNo) continue;
    const row = entryFromLine(line, line.approverId);
    latest.set(`${row.enterpriseId}|${row.categoryCode}|${row.serialKey}`, row);
  }
  const rows = [...latest.values()];
  await db.transaction(async (tx) => {
    const made = await insertRows(tx, instruments, rows, { returning: { id: instruments.id, createdBy: instruments.createdBy, certificateNo: instruments.certificateNo, reportBookingId: instruments.reportBookingId } });
    await recordEvents(tx, made.map((m) => ({ actorUserId: m.createdBy, entityType: 'instrument', entityId: m.id, action: 'instrument.created', note: `按证书自动登记：证书 ${m.certificateNo ?? ''}`, data: { booking: m.reportBookingId } })));
  });
}

export async function seedDemoLedger(db: Db, now: Date = new Date()): Promise<{ instruments: number }> {
  if ((await db.$count(instruments)) > 0) return { instruments: 0 };
  await ledgerFromHistory(db);
  const today = shanghaiDate(now);
  const rand = prng(20261313);
  const periods = new Map((await db.select({ code: instrumentCategories.code, months: instrumentCategories.periodMonths }).from(instrumentCategories)).map((c) => [c.code, c.months]));
  const companies = await db.select({ id: enterprises.id, name: enterprises.name }).from(enterprises).orderBy(asc(enterprises.id));
  const rows: (typeof instruments.$inferInsert)[] = [];
  for (const [ci, c] of companies.entries()) {
    const plan: [keyof typeof K, number][] = DEMO[c.name] ?? POOLS.find(([re]) => re.test(c.name))![1].map((k) => [k, 1 + Math.floor(rand() * 3)] as [keyof typeof K, number]);
    const prefix = `Z${String(ci + 1).padStart(2, '0')}`;
    let i = 0;
    for (const [kind, n] of plan) for (let k = 0; k < n; k++) rows.push({ ...entry(K[kind]!, i++, prefix, periods, today, rand), enterpriseId: c.id, serialKey: '' });
  }
  for (const r of rows) r.serialKey = serialKey(r.serialNo);
  const creators = new Map((await db.select({ id: users.id, enterpriseId: users.enterpriseId }).from(users).where(eq(users.role, 'enterprise')).orderBy(desc(users.id))).map((u) => [u.enterpriseId, u.id]));
  await db.transaction(async (tx) => {
    const withCreators = rows.map((r) => ({ ...r, createdBy: creators.get(r.enterpriseId) ?? null, updatedBy: creators.get(r.enterpriseId) ?? null }));
    const made = await insertRows(tx, instruments, withCreators, { onConflict: { doNothing: true }, returning: { id: instruments.id, enterpriseId: instruments.enterpriseId, name: instruments.name, serialNo: instruments.serialNo } });
    await recordEvents(tx, made.map((m) => ({ actorUserId: creators.get(m.enterpriseId) ?? null, entityType: 'instrument', entityId: m.id, action: 'instrument.created', note: `${m.name}（${m.serialNo}）：建立台账` })));
    // The shipyard receives its reminders by e-mail too (when the platform has SMTP_URL).
    const [shipyard] = await tx.select({ id: enterprises.id }).from(enterprises).where(eq(enterprises.name, '舟山海星船舶修造有限公司'));
    if (shipyard) await tx.insert(ledgerSettings).values({ enterpriseId: shipyard.id, emailReminders: true }).onConflictDoNothing();
  });
  return { instruments: (await db.select({ n: sql<number>`count(*)::int` }).from(instruments))[0]!.n };
}
