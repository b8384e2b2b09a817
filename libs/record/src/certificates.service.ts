import { AuditLog, RequestMeta } from '@xinyuan/audit';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainException, ErrorCode } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import type { AuthUser } from '@xinyuan/identity';
import { JurisdictionService } from '@xinyuan/org';
import { hoursOf, maskName, parseStarThresholds, starLevel } from './record-rules';
import type { CertificateRow } from './record.tables';

export interface CertificateCheck {
  number: string;
  holder: string;
  verifiedHours: number;
  issuedAt: string;
  issuer: string;
  valid: boolean;
  revokedAt: string | null;
}

const NUMBER_PATTERN = /^ZYFW-\d{8}-[A-Z0-9]{10}$/;
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A certificate number: ZYFW-<issue date>-<10 random characters> (not guessable, not sequential). */
export function certificateNumber(issuedOn: string): string {
  const bytes = randomBytes(10);
  return `ZYFW-${issuedOn.replace(/-/g, '')}-${[...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('')}`;
}

/** The CJK font the PDF embeds (Noto Sans SC from the @embedpdf/fonts-sc package), read once. */
let fontCache: Buffer | null = null;
function cjkFont(): Buffer {
  if (!fontCache) {
    const entry = require.resolve('@embedpdf/fonts-sc');
    fontCache = readFileSync(join(dirname(entry), '..', 'fonts', 'NotoSansHans-Regular.otf'));
  }
  return fontCache;
}

/**
 * 志愿服务记录证明: numbered, with the holder, verified hours, a summary of services by type, the
 * issuer, the date and a QR code of its public verify URL. GET /me/certificate reuses the latest
 * valid certificate while the verified minutes are unchanged, else issues a new number.
 */
const NO_META: RequestMeta = { ip: null, userAgent: null };

@Injectable()
export class CertificateService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdiction: JurisdictionService,
    private readonly config: AppConfig,
    private readonly audit: AuditLog,
  ) {}

  verifyPath(number: string): string {
    return `/api/v1/certificates/${number}`;
  }

  verifyUrl(number: string): string {
    return `${this.config.PUBLIC_API_URL ?? ''}${this.verifyPath(number)}`;
  }

  async issue(user: AuthUser, meta: RequestMeta = NO_META): Promise<{ number: string; pdf: Buffer }> {
    const { cert, name, summary } = await this.dataSource.transaction(async (m) => {
      // one issuer at a time per volunteer: two simultaneous downloads get the same number
      await m.query(`SELECT id FROM users WHERE id = $1 FOR UPDATE`, [user.id]);
      const [{ total }] = await m.query(`SELECT COALESCE(sum(minutes), 0)::int AS total FROM service_ledger WHERE volunteer_id = $1`, [user.id]);
      if (total <= 0) throw new DomainException(ErrorCode.NoVerifiedMinutes, 422);
      const [holder] = await m.query(`SELECT name FROM users WHERE id = $1`, [user.id]);
      let [cert]: CertificateRow[] = await m.query(
        `SELECT * FROM certificates WHERE volunteer_id = $1 AND revoked_at IS NULL AND verified_minutes = $2 ORDER BY issued_at DESC LIMIT 1`,
        [user.id, total],
      );
      if (!cert) {
        const [{ today }] = await m.query(`SELECT to_char(now() AT TIME ZONE $1, 'YYYY-MM-DD') AS today`, [this.config.STATS_TIME_ZONE]);
        const [team] = await m.query(
          `SELECT t.region_id FROM team_members tm JOIN teams t ON t.id = tm.team_id WHERE tm.user_id = $1 ORDER BY tm.joined_at LIMIT 1`,
          [user.id],
        );
        [cert] = await m.query(
          `INSERT INTO certificates (number, volunteer_id, holder_masked, verified_minutes, issuer, region_id)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
          [certificateNumber(today), user.id, maskName(holder.name), total, this.config.CERTIFICATE_ISSUER, team?.region_id ?? null],
        );
        // a new number is an act of the issuing organisation: audited in the same transaction
        await this.audit.record({ actor: user, action: 'certificate.issue', objectType: 'user', objectId: user.id, regionId: cert.region_id,
          outcome: 'success', statusCode: 200, meta, data: { number: cert.number, verifiedMinutes: total } }, m);
      }
      const summary: { content: string; minutes: number; services: number }[] = await m.query(
        `SELECT content, sum(minutes)::int AS minutes, count(DISTINCT COALESCE(source_id::text, id::text))::int AS services
           FROM service_ledger WHERE volunteer_id = $1 GROUP BY content HAVING sum(minutes) > 0 ORDER BY sum(minutes) DESC LIMIT 20`,
        [user.id],
      );
      return { cert, name: holder.name as string, summary };
    });
    return { number: cert.number, pdf: await this.render(cert, name, summary) };
  }

  async check(number: string): Promise<CertificateCheck> {
    if (!NUMBER_PATTERN.test(number)) throw DomainException.notFound(ErrorCode.CertificateNotFound);
    const [cert]: CertificateRow[] = await this.dataSource.query(`SELECT * FROM certificates WHERE number = $1`, [number]);
    if (!cert) throw DomainException.notFound(ErrorCode.CertificateNotFound);
    return {
      number: cert.number,
      holder: cert.holder_masked,
      verifiedHours: hoursOf(cert.verified_minutes),
      issuedAt: new Date(cert.issued_at).toISOString(),
      issuer: cert.issuer,
      valid: cert.revoked_at === null,
      revokedAt: cert.revoked_at ? new Date(cert.revoked_at).toISOString() : null,
    };
  }

  /** Staff of the certificate's jurisdiction revoke it; its verify page says so from then on. */
  async revoke(staff: AuthUser, number: string, reason: string, meta: RequestMeta = NO_META): Promise<CertificateCheck> {
    if (!NUMBER_PATTERN.test(number)) throw DomainException.notFound(ErrorCode.CertificateNotFound);
    await this.dataSource.transaction(async (m) => {
      const [cert] = await m.query(`SELECT * FROM certificates WHERE number = $1 FOR UPDATE`, [number]);
      if (!cert || !(await this.jurisdiction.staffCovers(staff, cert.region_id, m))) throw DomainException.notFound(ErrorCode.CertificateNotFound);
      if (cert.revoked_at) throw DomainException.conflict(ErrorCode.CertificateAlreadyRevoked);
      await m.query(`UPDATE certificates SET revoked_at = now(), revoked_by = $2, revoke_reason = $3 WHERE number = $1`, [number, staff.id, reason]);
      await this.audit.record({ actor: staff, action: 'certificate.revoke', objectType: 'user', objectId: cert.volunteer_id, regionId: cert.region_id,
        outcome: 'success', statusCode: 200, meta, data: { number, reason } }, m);
    });
    return this.check(number);
  }

  private async render(cert: CertificateRow, name: string, summary: { content: string; minutes: number; services: number }[]): Promise<Buffer> {
    // loaded on the first certificate, not at start: about 6 MB of heap that the dispatcher and most api processes never use
    const [{ default: QRCode }, { default: PDFDocument }] = await Promise.all([import('qrcode'), import('pdfkit')]);
    const qr = await QRCode.toBuffer(this.verifyUrl(cert.number), { type: 'png', errorCorrectionLevel: 'M', margin: 1, width: 240 });
    const thresholds = parseStarThresholds(this.config.STAR_LEVEL_HOURS);
    const issuedOn = new Intl.DateTimeFormat('zh-CN', { timeZone: this.config.STATS_TIME_ZONE, year: 'numeric', month: 'long', day: 'numeric' })
      .format(new Date(cert.issued_at));
    const doc = new PDFDocument({ size: 'A4', margin: 60, info: { Title: `志愿服务记录证明 ${cert.number}`, Author: cert.issuer } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise<Buffer>((resolve, reject) => {
      doc.on('end', () => resolve(Buffer.concat(chunks)));
      doc.on('error', reject);
    });
    doc.registerFont('cjk', cjkFont());
    doc.font('cjk');
    doc.fontSize(26).text('志愿服务记录证明', { align: 'center' });
    doc.moveDown(0.5).fontSize(11).fillColor('#555').text(`证明编号：${cert.number}`, { align: 'center' }).fillColor('#000');
    doc.moveDown(1.5).fontSize(14);
    doc.text(`志愿者姓名：${name}`);
    doc.text('证件号码：未登记');
    doc.text(`累计志愿服务时长：${hoursOf(cert.verified_minutes)} 小时（${cert.verified_minutes} 分钟，均经服务对象或组织方确认）`);
    doc.text(`星级：${'★'.repeat(starLevel(cert.verified_minutes, thresholds)) || '未评星'}`);
    doc.moveDown(1).fontSize(14).text('服务内容汇总：');
    doc.fontSize(12);
    for (const s of summary) doc.text(`· ${s.content}：${s.services} 次，${hoursOf(s.minutes)} 小时`, { indent: 20 });
    doc.moveDown(1.5).fontSize(12).text(
      '兹证明上述志愿者的志愿服务记录真实、准确、完整。本证明依据志愿服务记录出具，仅记录实际服务时间。扫描右下方二维码可核验本证明的真伪。',
      { lineGap: 4 },
    );
    doc.moveDown(2).fontSize(14).text(`出具组织：${cert.issuer}`, { align: 'right' });
    doc.text(`出具日期：${issuedOn}`, { align: 'right' });
    doc.image(qr, doc.page.width - 60 - 120, doc.page.height - 60 - 150, { width: 120 });
    doc.fontSize(9).text('扫码核验', doc.page.width - 60 - 120, doc.page.height - 60 - 25, { width: 120, align: 'center' });
    doc.end();
    return done;
  }
}
