import { and, eq, isNotNull } from 'drizzle-orm';
import { insertRows } from '../db/bulk-insert.js';
import type { Db } from '../db/client.js';
import { measurementStandards, nodes, nodeServices, services, users } from '../db/schema.js';
import { addDays, addMonths, shanghaiDate } from '../shared/time.js';

/**
 * The demo nodes' measurement standards (计量标准): for each instrument category a node calibrates, the standard such
 * a lab keeps for it, with a 考核证书 of the city's format and a validity one to four years ahead — and, at the city
 * metrology institute, one pressure standard whose certificate ran out last month (the results form shows it and
 * refuses it). Demo only: a real node registers its own, as its certificates state them.
 */
const STANDARDS: Record<string, [name: string, range: string, accuracy: string]> = {
  'CAL-PG': ['0.05 级活塞式压力计标准装置', '(0.04～60) MPa', '0.05 级'],
  'CAL-PPG': ['0.02 级活塞式压力计标准装置', '(0.04～60) MPa', '0.02 级'],
  'CAL-DPG': ['数字压力计检定装置', '(-0.1～60) MPa', '0.02 级'],
  'CAL-PT': ['压力变送器检定装置', '(-0.1～60) MPa', '0.02 级'],
  'CAL-EBAL': ['E2 等级砝码组', '1 mg～20 kg', 'E2 等级'],
  'CAL-DIS': ['M1 等级砝码组', '1 g～1 000 kg', 'M1 等级'],
  'CAL-NSI': ['M1 等级砝码组（案秤）', '1 g～50 kg', 'M1 等级'],
  'CAL-AWI': ['动态汽车衡检定装置（控制衡器）', '(0～60) t', '0.1 级'],
  'CAL-WT': ['F1 等级砝码标准装置', '1 mg～20 kg', 'F1 等级'],
  'CAL-LIGT': ['二等标准水银温度计标准装置', '(-30～300) ℃', '二等'],
  'CAL-BT': ['体温计检定装置（恒温水槽及二等标准水银温度计）', '(35～42) ℃', 'U=0.02 ℃（k=2）'],
  'CAL-RTD': ['二等标准铂电阻温度计标准装置', '(-40～420) ℃', '二等'],
  'CAL-TC': ['二等标准铂铑10-铂热电偶标准装置', '(300～1 200) ℃', '二等'],
  'CAL-TIND': ['温度显示仪表检定装置（多功能过程校准仪）', '(-200～1 800) ℃', '0.02 级'],
  'CAL-ENVCH': ['温湿度巡检仪校准装置', '(-40～150) ℃；(10～95) %RH', 'U=0.1 ℃，1.5 %RH（k=2）'],
  'CAL-TAPE': ['标准钢卷尺检定装置', '(0～50) m', '二等'],
  'CAL-CAL': ['量块标准装置（卡尺）', '(0.5～500) mm', '4 等'],
  'CAL-MIC': ['量块标准装置（千分尺）', '(0.5～100) mm', '4 等'],
  'CAL-TW': ['扭矩扳子检定仪', '(1～2 000) N·m', '0.3 级'],
  'CAL-UTM': ['标准测力仪', '(0～1 000) kN', '0.3 级'],
  'CAL-FD': ['二等标准金属量器', '(5～200) L', '二等'],
  'CAL-GD': ['加气机检定装置（质量法）', '(0～100) kg/min', '0.2 级'],
  'CAL-FM': ['液体流量标准装置（静态质量法）', '(0.1～200) m³/h', 'Urel=0.05 %（k=2）'],
  'CAL-WM': ['水表检定装置（容积法）', 'DN15～DN50，(0.01～16) m³/h', '0.2 级'],
  'CAL-GM': ['钟罩式气体流量标准装置', '(0.016～16) m³/h', '0.3 级'],
  'CAL-HM': ['热量表检定装置', 'DN15～DN50', 'Urel=0.3 %（k=2）'],
  'CAL-EM': ['电能表检定装置', '(57.7～380) V，(0.01～100) A', '0.05 级'],
  'CAL-DMM': ['多功能校准源', '直流电压 (0～1 000) V 等', 'Urel=12×10⁻⁶（k=2）'],
  'CAL-IRT': ['绝缘电阻表检定装置（高阻箱）', '(0～10) TΩ', '0.5 级'],
  'CAL-CGD': ['甲烷/空气气体标准物质', '(0～100) %LEL', 'Urel=2 %（k=2）'],
  'CAL-COD': ['一氧化碳气体标准物质', '(0～1 000) μmol/mol', 'Urel=2 %（k=2）'],
  'CAL-H2SD': ['硫化氢气体标准物质', '(0～100) μmol/mol', 'Urel=2 %（k=2）'],
  'CAL-O2': ['氮中氧气体标准物质', '(0～25) %', 'Urel=1 %（k=2）'],
  'CAL-BP': ['血压计检定装置（数字压力计）', '(0～40) kPa', '0.05 级'],
  'CAL-TAXI': ['出租汽车计价器检定装置（标准滚筒）', '(0～9 999) km', '0.2 级'],
  'CAL-SPEED': ['机动车雷达测速仪检定装置', '(20～250) km/h', 'U=0.3 km/h（k=2）'],
  'CAL-BAC': ['呼出气体酒精含量标准装置（湿式气体模拟器）', '(0～2.0) mg/L', 'U=0.004 mg/L（k=2）'],
  'CAL-SLM': ['声级计检定装置（标准声源）', '(94～114) dB', '1 级'],
  'CAL-SMOKE': ['烟度计检定装置（标准滤光片）', '(0～100) %', 'U=0.5 %（k=2）'],
  'CAL-VTANK': ['立式金属罐容量测量装置（全站仪）', '(100～100 000) m³', 'Urel=0.1 %（k=2）'],
  'CAL-SHIPTANK': ['船舱容量测量装置（激光扫描仪）', '(10～20 000) m³', 'Urel=0.2 %（k=2）'],
  'CAL-HYDRO': ['一等标准密度计组', '(600～1 100) kg/m³', '一等'],
  'CAL-DMETER': ['液体密度标准物质', '(700～1 000) kg/m³', 'U=0.05 kg/m³（k=2）'],
  'CAL-VISC': ['一等标准毛细管黏度计组', '(0.5～10 000) mm²/s', '一等'],
  'CAL-KF': ['微量水分标准物质', '(10～1 000) μg', 'Urel=2 %（k=2）'],
  'CAL-PH': ['pH 标准缓冲物质', 'pH 1.68～12.45', 'U=0.01 pH（k=2）'],
  'CAL-GC': ['气相色谱仪检定用标准物质', '正十六烷/异辛烷等', 'Urel=3 %（k=2）'],
};

export async function seedDemoStandards(db: Db, now: Date = new Date()): Promise<number> {
  if ((await db.$count(measurementStandards)) > 0) return 0;
  const today = shanghaiDate(now);
  const offered = await db
    .selectDistinct({ nodeId: nodes.id, code: nodes.code, category: services.instrumentCategoryCode })
    .from(nodeServices)
    .innerJoin(nodes, eq(nodes.id, nodeServices.nodeId))
    .innerJoin(services, eq(services.id, nodeServices.serviceId))
    .where(and(eq(services.bookingKind, 'calibration'), isNotNull(services.instrumentCategoryCode)))
    .orderBy(nodes.id, services.instrumentCategoryCode);
  const managers = new Map((await db.select({ nodeId: users.nodeId, id: users.id }).from(users).where(eq(users.role, 'node_manager'))).map((m) => [m.nodeId, m.id]));
  let n = 0;
  const rows = offered.flatMap((o) => {
    const template = STANDARDS[o.category!];
    if (!template) return [];
    n++;
    const [name, measuringRange, accuracy] = template;
    const year = 2019 + (n % 6);
    // 考核证书 run four years; renewed ones are spread so that some run out within the coming year
    return [{ nodeId: o.nodeId, name, measuringRange, accuracy, certificateNo: `［${year}］浙量标舟证字第 ${String(100 + n).padStart(3, '0')} 号`, validUntil: addMonths(today, 3 + ((n * 7) % 40)), categoryCodes: [o.category!], createdBy: managers.get(o.nodeId) ?? null }];
  });
  const metrology = offered.find((o) => o.code === 'ZS-METROLOGY' && o.category === 'CAL-PG');
  if (metrology) {
    rows.push({ nodeId: metrology.nodeId, name: '0.05 级活塞式压力计标准装置（原装置）', measuringRange: '(0.04～25) MPa', accuracy: '0.05 级', certificateNo: '［2018］浙量标舟证字第 021 号', validUntil: addDays(today, -20), categoryCodes: ['CAL-PG'], createdBy: managers.get(metrology.nodeId) ?? null });
  }
  await insertRows(db, measurementStandards, rows);
  return rows.length;
}
