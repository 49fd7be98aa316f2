/**
 * 统一社会信用代码 (unified social credit code), GB 32100-2015.
 * 18 characters from a 31-character set (digits and capitals without I, O, Z, S, V); the 18th is a check character:
 * C18 = 31 − (Σ value(ci)·wi mod 31), 31 → 0, with wi = 3^(i−1) mod 31.
 */
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const FORMAT = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

export type CreditCodeCheck =
  | { status: 'valid'; code: string }
  | { status: 'bad_check'; code: string; expected: string }
  | { status: 'bad_format'; code: string; reason: string };

/** Upper-cases and strips spaces, so "9133 0900 ma2a0b1c4r" is read as the user meant it. */
export function normalizeCreditCode(input: string): string {
  return input.replace(/[\s\u3000-]/g, '').toUpperCase();
}

export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = CHARSET.indexOf(first17[i]!);
    if (value < 0) throw new Error(`invalid character ${first17[i]}`);
    sum += value * WEIGHTS[i]!;
  }
  const check = 31 - (sum % 31);
  return CHARSET[check === 31 ? 0 : check]!;
}

export function checkCreditCode(input: string): CreditCodeCheck {
  const code = normalizeCreditCode(input);
  if (code.length !== 18) {
    return { status: 'bad_format', code, reason: `统一社会信用代码应为 18 位，您输入了 ${code.length} 位` };
  }
  if (!FORMAT.test(code)) {
    const bad = [...code].find((ch) => !CHARSET.includes(ch));
    const reason = bad
      ? `统一社会信用代码不能包含字符“${bad}”（不使用 I、O、Z、S、V）`
      : '统一社会信用代码格式不正确：第 3–8 位应为行政区划数字代码';
    return { status: 'bad_format', code, reason };
  }
  const expected = creditCodeCheckChar(code.slice(0, 17));
  return expected === code[17] ? { status: 'valid', code } : { status: 'bad_check', code, expected };
}
