/**
 * What a calibration service works by, read from its standards: 检定规程 (JJG) allow a verification — a 检定证书 or
 * 检定结果通知书, and 强检 —; 校准规范 (JJF) a calibration only. A service with JJF and no JJG only calibrates.
 */
export function metrologyBasis(standards: readonly string[]) {
  const regulations = standards.filter((s) => /^JJG/i.test(s.trim()));
  const specifications = standards.filter((s) => /^JJF/i.test(s.trim()));
  return { regulations, specifications, calibrationOnly: regulations.length === 0 && specifications.length > 0 };
}
