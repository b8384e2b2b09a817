import { randomInt } from 'node:crypto';

/** A one-time login code: 6 decimal digits from the CSPRNG, uniformly distributed, leading zeros kept. */
export function generateOtpCode(random: (max: number) => number = (max) => randomInt(0, max)): string {
  return String(random(1_000_000)).padStart(6, '0');
}

export const OTP_CODE_PATTERN = /^\d{6}$/;

/** The form the development sender writes to the log; tests (and developers) read the code back from it. */
export function otpLogLine(maskedPhone: string, code: string, ttlSeconds: number): string {
  return `[dev SMS] ${maskedPhone} 登录验证码 ${code}，${Math.round(ttlSeconds / 60)} 分钟内有效`;
}

export const OTP_LOG_LINE = /\[dev SMS\] (\d{3}\*{4}\d{4}) 登录验证码 (\d{6})/g;
