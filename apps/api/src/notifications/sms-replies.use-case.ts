import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainException, ErrorCode, PiiCipher } from '@xinyuan/common';
import { OfferResponsesUseCase } from '@xinyuan/dispatch';
import { AuthUser, normalizePhone, Role } from '@xinyuan/identity';

export type ReplyResult = 'accepted' | 'declined' | 'already_yours' | 'taken' | 'expired' | 'withdrawn' | 'no_offer' | 'unknown' | 'failed' | 'duplicate' | 'stranger';

/**
 * Two-way SMS for volunteers without smartphones: a reply `1` accepts, `2` declines the newest
 * offer this person was told about by text (the newest still pending first). The answer is the
 * app's own compare-and-set (OfferResponsesUseCase), so of any number of replies and app accepts
 * exactly one wins; every other reply is told why not ("已被其他队伍接单"). Each reply is handled
 * once per provider message id, and its answer is written to the outbox in the same transaction
 * that records it, so a re-posted reply neither acts nor answers twice.
 */
@Injectable()
export class SmsRepliesUseCase {
  private readonly logger = new Logger(SmsRepliesUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: PiiCipher,
    private readonly responses: OfferResponsesUseCase,
  ) {}

  async handle(input: { messageId: string; phone: string; content: string }): Promise<ReplyResult> {
    const [seen] = await this.dataSource.query(`SELECT result FROM sms_inbound WHERE provider_message_id = $1`, [input.messageId]);
    if (seen) return 'duplicate';
    const bidx = this.cipher.blindIndex(normalizePhone(input.phone));
    const [user]: { id: string; roles: Role[]; region_id: string | null }[] = await this.dataSource.query(
      `SELECT id, roles, region_id FROM users WHERE phone_bidx = $1 AND disabled_at IS NULL`,
      [bidx],
    );
    const command = input.content.trim().replace(/[。.！!\s]/g, '');
    const verb = command === '1' ? 'accept' : command === '2' ? 'decline' : 'other';
    let result: ReplyResult;
    let offerId: string | null = null;
    if (!user) result = 'stranger';
    else if (verb === 'other') result = 'unknown';
    else {
      offerId = await this.toldOffer(user.id);
      result = offerId ? await this.answer(offerId, { id: user.id, roles: user.roles, regionId: user.region_id }, verb) : 'no_offer';
    }
    return this.dataSource.transaction(async (m) => {
      const inserted = await m.query(
        `INSERT INTO sms_inbound (provider_message_id, phone_bidx, user_id, command, result, offer_id) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (provider_message_id) DO NOTHING RETURNING id`,
        [input.messageId, bidx, user?.id ?? null, verb, result, offerId],
      );
      if (inserted.length === 0) return 'duplicate';
      // strangers get no answer: an SMS to an unknown number would tell it the number is in use here
      if (user) {
        await m.query(`INSERT INTO outbox_events (type, offer_id, subject_id, data) VALUES ('sms.reply', $1, $2, $3)`, [
          offerId, user.id, { result, inboundId: inserted[0].id },
        ]);
      }
      return result;
    });
  }

  /** The newest offer an offer_new text told this person about (last 24 h), pending ones first. */
  private async toldOffer(userId: string): Promise<string | null> {
    const [row]: { offer_id: string }[] = await this.dataSource.query(
      `SELECT n.offer_id FROM notifications n
         JOIN notification_deliveries d ON d.notification_id = n.id AND d.channel = 'sms'
         LEFT JOIN notification_deliveries a ON a.id = d.coalesced_into
         JOIN offers f ON f.id = n.offer_id
        WHERE n.recipient_user_id = $1 AND n.type IN ('offer_new', 'offer_expiring') AND n.created_at > now() - interval '24 hours'
          AND (d.status IN ('sending', 'sent', 'delivered') OR a.status IN ('sending', 'sent', 'delivered'))
        ORDER BY (f.status = 'pending') DESC, f.created_at DESC LIMIT 1`,
      [userId],
    );
    return row?.offer_id ?? null;
  }

  private async answer(offerId: string, user: AuthUser, verb: 'accept' | 'decline'): Promise<ReplyResult> {
    try {
      if (verb === 'accept') await this.responses.accept(offerId, user);
      else await this.responses.decline(offerId, user, '短信回复婉拒');
      return verb === 'accept' ? 'accepted' : 'declined';
    } catch (e) {
      if (!(e instanceof DomainException)) throw e;
      if (e.code === ErrorCode.OfferExpired) return 'expired';
      if (e.code === ErrorCode.TeamAtCapacity || e.code === ErrorCode.OfferNotFound) return 'failed';
      if (e.code !== ErrorCode.OfferNotPending) throw e;
      const [offer]: { status: string; reason: string | null; order_team: string | null; team_id: string }[] = await this.dataSource.query(
        `SELECT f.status, f.reason, f.team_id, o.team_id AS order_team FROM offers f JOIN orders o ON o.id = f.order_id WHERE f.id = $1`,
        [offerId],
      );
      if (offer?.status === 'accepted') return 'already_yours';
      if (offer?.status === 'expired') return 'expired';
      if (offer?.status === 'withdrawn' && offer.reason === 'taken_by_another_team') return 'taken';
      if (offer?.status === 'withdrawn') return 'withdrawn';
      this.logger.warn(`reply to offer ${offerId}: ${offer?.status}`);
      return 'taken';
    }
  }
}
