import { eq } from 'drizzle-orm';
import { hashPassword } from '../auth/password.js';
import type { Role } from '../auth/access.js';
import { creditCodeCheckChar } from '../enterprises/credit-code.js';
import type { Db } from '../db/client.js';
import { enterprises, nodes, parks, signatories, users } from '../db/schema.js';

/** The one password of every demo account. Demo accounts exist only outside production (see config.seedDemo). */
export const DEMO_PASSWORD = 'Demo@NQI2026';

/** Synthetic credit codes (Zhoushan area codes, valid GB 32100 check character computed here). */
const code = (first17: string) => first17 + creditCodeCheckChar(first17);

export const DEMO_ENTERPRISES = [
  { key: 'shipyard', name: '舟山海星船舶修造有限公司', creditCode: code('91330902MA2A0B1C4'), park: 'P-DINGHAI', address: '舟山市定海区白泉镇工业园区船厂路 18 号' },
  { key: 'petro', name: '浙江鱼山石化储运有限公司', creditCode: code('91330921MA2B7K3D5'), park: 'P-GREENPETRO', address: '舟山市岱山县鱼山岛石化基地储运一路 6 号' },
  { key: 'bunker', name: '舟山港航保税燃料供应有限公司', creditCode: code('91330900MA2C8H2E6'), park: 'P-FTZ', address: '舟山市定海区舟山港综合保税区海天大道 120 号' },
  { key: 'seafood', name: '普陀东港水产食品有限公司', creditCode: code('91330903MA2D5F7G8'), park: 'P-PUTUO', address: '舟山市普陀区东港街道海莲路 66 号' },
] as const;

type DemoUser = { mobile: string; email: string; name: string; role: Role; enterprise?: string; node?: string; park?: string };

export const DEMO_USERS: DemoUser[] = [
  { mobile: '13900000001', email: 'admin@nqi.example.com', name: '平台管理员 赵云', role: 'platform_admin' },
  { mobile: '13900000002', email: 'park.dinghai@nqi.example.com', name: '定海园区管理员 钱立', role: 'park_admin', park: 'P-DINGHAI' },
  { mobile: '13900000003', email: 'park.petro@nqi.example.com', name: '石化基地管理员 孙洁', role: 'park_admin', park: 'P-GREENPETRO' },
  { mobile: '13900000010', email: 'mgr.metrology@nqi.example.com', name: '陈建国', role: 'node_manager', node: 'ZS-METROLOGY' },
  { mobile: '13900000011', email: 'li.ming@nqi.example.com', name: '李明', role: 'lab_staff', node: 'ZS-METROLOGY' },
  { mobile: '13900000012', email: 'zhou.hua@nqi.example.com', name: '周华', role: 'lab_staff', node: 'ZS-METROLOGY' },
  { mobile: '13900000020', email: 'mgr.oillab@nqi.example.com', name: '林海', role: 'node_manager', node: 'ZS-OILLAB' },
  { mobile: '13900000021', email: 'he.lan@nqi.example.com', name: '何兰', role: 'lab_staff', node: 'ZS-OILLAB' },
  { mobile: '13900000022', email: 'xu.bo@nqi.example.com', name: '徐波', role: 'lab_staff', node: 'ZS-OILLAB' },
  { mobile: '13900000030', email: 'mgr.dinghai@nqi.example.com', name: '王磊', role: 'node_manager', node: 'ST-DINGHAI' },
  { mobile: '13900000031', email: 'sun.qiang@nqi.example.com', name: '孙强', role: 'lab_staff', node: 'ST-DINGHAI' },
  { mobile: '13900000032', email: 'zheng.li@nqi.example.com', name: '郑丽', role: 'lab_staff', node: 'ST-DINGHAI' },
  { mobile: '13900000040', email: 'mgr.centre@nqi.example.com', name: '周敏', role: 'node_manager', node: 'ZS-CENTRE' },
  { mobile: '13900000041', email: 'wu.jianping@nqi.example.com', name: '吴建平', role: 'lab_staff', node: 'ZS-CENTRE' },
  { mobile: '13900000042', email: 'shen.yu@nqi.example.com', name: '沈宇', role: 'lab_staff', node: 'ZS-CENTRE' },
  { mobile: '13900000050', email: 'mgr.putuo@nqi.example.com', name: '叶晓燕', role: 'node_manager', node: 'ST-PUTUO' },
  { mobile: '13900000051', email: 'chen.jie@nqi.example.com', name: '陈杰', role: 'lab_staff', node: 'ST-PUTUO' },
  { mobile: '13900000052', email: 'lin.na@nqi.example.com', name: '林娜', role: 'lab_staff', node: 'ST-PUTUO' },
  { mobile: '13900000060', email: 'mgr.daishan@nqi.example.com', name: '张涛', role: 'node_manager', node: 'ST-DAISHAN' },
  { mobile: '13900000061', email: 'wang.fang@nqi.example.com', name: '王芳', role: 'lab_staff', node: 'ST-DAISHAN' },
  { mobile: '13900000062', email: 'cao.jun@nqi.example.com', name: '曹军', role: 'lab_staff', node: 'ST-DAISHAN' },
  { mobile: '13900000070', email: 'mgr.shengsi@nqi.example.com', name: '吴静', role: 'node_manager', node: 'ST-SHENGSI' },
  { mobile: '13900000071', email: 'lu.yang@nqi.example.com', name: '陆洋', role: 'lab_staff', node: 'ST-SHENGSI' },
  { mobile: '13900000072', email: 'fang.lei@nqi.example.com', name: '方磊', role: 'lab_staff', node: 'ST-SHENGSI' },
  { mobile: '13900000080', email: 'mgr.xincheng@nqi.example.com', name: '徐帆', role: 'node_manager', node: 'ST-XINCHENG' },
  { mobile: '13900000081', email: 'gao.min@nqi.example.com', name: '高敏', role: 'lab_staff', node: 'ST-XINCHENG' },
  { mobile: '13900000082', email: 'tang.xin@nqi.example.com', name: '唐欣', role: 'lab_staff', node: 'ST-XINCHENG' },
  { mobile: '13900000101', email: 'zhang.wei@haixing-ship.example.com', name: '张伟', role: 'enterprise', enterprise: 'shipyard' },
  { mobile: '13900000102', email: 'liu.fang@haixing-ship.example.com', name: '刘芳', role: 'enterprise', enterprise: 'shipyard' },
  { mobile: '13900000201', email: 'yang.fan@yushan-petro.example.com', name: '杨帆', role: 'enterprise', enterprise: 'petro' },
  { mobile: '13900000301', email: 'huang.hai@zs-bunker.example.com', name: '黄海', role: 'enterprise', enterprise: 'bunker' },
  { mobile: '13900000401', email: 'ma.li@donggang-food.example.com', name: '马丽', role: 'enterprise', enterprise: 'seafood' },
];

/** Creates the demo companies and one account per role. Existing rows (by credit code / mobile) are left alone. */
export async function seedDemoAccounts(db: Db): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.transaction(async (tx) => {
    const parkIds = new Map((await tx.select({ id: parks.id, code: parks.code }).from(parks)).map((r) => [r.code, r.id]));
    const nodeIds = new Map((await tx.select({ id: nodes.id, code: nodes.code }).from(nodes)).map((r) => [r.code, r.id]));
    const enterpriseIds = new Map<string, number>();
    for (const e of DEMO_ENTERPRISES) {
      await tx
        .insert(enterprises)
        .values({ name: e.name, creditCode: e.creditCode, parkId: parkIds.get(e.park) ?? null, address: e.address })
        .onConflictDoNothing({ target: enterprises.creditCode });
      const [row] = await tx.select({ id: enterprises.id }).from(enterprises).where(eq(enterprises.creditCode, e.creditCode));
      enterpriseIds.set(e.key, row!.id);
    }
    for (const u of DEMO_USERS) {
      await tx
        .insert(users)
        .values({
          role: u.role,
          name: u.name,
          mobile: u.mobile,
          email: u.email,
          passwordHash,
          enterpriseId: u.enterprise ? enterpriseIds.get(u.enterprise)! : null,
          nodeId: u.node ? nodeIds.get(u.node)! : null,
          parkId: u.park ? parkIds.get(u.park)! : null,
        })
        .onConflictDoNothing();
    }
    // Every node manager is the node's authorised signatory (授权签字人) for all its categories, so that the three
    // people of a report — tester, verifier, approver — exist at every node of the demo.
    const managers = await tx.select({ id: users.id, nodeId: users.nodeId }).from(users).where(eq(users.role, 'node_manager'));
    for (const m of managers) {
      if ((await tx.$count(signatories, eq(signatories.userId, m.id))) > 0) continue;
      await tx.insert(signatories).values({ nodeId: m.nodeId!, userId: m.id, categoryCode: null, validFrom: '2024-01-01' });
    }
  });
}
