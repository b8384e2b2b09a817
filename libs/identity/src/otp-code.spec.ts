import { generateOtpCode, OTP_CODE_PATTERN, OTP_LOG_LINE, otpLogLine } from './otp-code';

describe('SMS login codes', () => {
  it('are 6 digits and keep leading zeros', () => {
    expect(generateOtpCode(() => 0)).toBe('000000');
    expect(generateOtpCode(() => 42)).toBe('000042');
    expect(generateOtpCode(() => 999_999)).toBe('999999');
  });

  it('draw from the full range of a million codes', () => {
    let max = 0;
    generateOtpCode((m) => {
      max = m;
      return 0;
    });
    expect(max).toBe(1_000_000);
  });

  it('come from the CSPRNG with no visible bias', () => {
    const codes = Array.from({ length: 20_000 }, () => generateOtpCode());
    for (const c of codes) expect(c).toMatch(OTP_CODE_PATTERN);
    // first digit roughly uniform: every digit 0..9 between 7 % and 13 % of the draws
    const counts = new Array(10).fill(0);
    for (const c of codes) counts[Number(c[0])]++;
    for (const n of counts) {
      expect(n / codes.length).toBeGreaterThan(0.07);
      expect(n / codes.length).toBeLessThan(0.13);
    }
    expect(new Set(codes).size).toBeGreaterThan(19_000);
  });

  it('the development log line carries the masked phone and the code, and is read back by the pattern', () => {
    const line = otpLogLine('137****1234', '012345', 300);
    expect(line).not.toMatch(/1370{4}1234/);
    const match = [...line.matchAll(OTP_LOG_LINE)][0];
    expect(match[1]).toBe('137****1234');
    expect(match[2]).toBe('012345');
    expect(line).toContain('5 分钟');
  });
});
