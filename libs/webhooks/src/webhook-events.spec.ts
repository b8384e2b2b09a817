import { MAX_ATTEMPTS, nextAttemptDelay, RETRY_SCHEDULE_MS, toWebhookEvent, webhookBody } from './webhook-events';

const order = '11111111-1111-4111-8111-111111111111';
const team = '22222222-2222-4222-8222-222222222222';

describe('webhook events', () => {
  it('turns an order status change into ids and statuses only', () => {
    const e = toWebhookEvent(
      { id: 7, type: 'order.accepted', order_id: order, team_id: null, subject_id: null, data: { from: 'offered', to: 'accepted', actorRole: 'volunteer' }, created_at: '2026-11-29T01:00:00Z' },
      { regionId: null, serviceCode: 'meal', teamId: team },
    )!;
    expect(e.type).toBe('order.accepted');
    expect(JSON.parse(webhookBody(e))).toEqual({
      type: 'order.accepted', timestamp: '2026-11-29T01:00:00.000Z',
      data: { orderId: order, status: 'accepted', previousStatus: 'offered', serviceCode: 'meal', regionId: null, teamId: team },
    });
  });

  it('ignores events no endpoint subscribes to and strips care facts to ids and statuses', () => {
    expect(toWebhookEvent({ id: 1, type: 'offer.created', order_id: order, team_id: team, subject_id: null, data: null, created_at: new Date() }, null)).toBeNull();
    expect(toWebhookEvent({ id: 1, type: 'order.dispatching', order_id: order, team_id: null, subject_id: null, data: null, created_at: new Date() }, null)).toBeNull();
    const care = toWebhookEvent(
      { id: 2, type: 'care.checkin_missed', order_id: null, team_id: null, subject_id: order, data: { beneficiaryId: team, phone: '13800000000', address: '古城路18号', status: 'missed' }, created_at: new Date() },
      null,
    )!;
    expect(care.data).toEqual({ subjectId: order, beneficiaryId: team, status: 'missed' });
  });

  it('retries for about three days, then stops', () => {
    const total = RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0);
    expect(total / 3600e3).toBeGreaterThan(60);
    expect(total / 3600e3).toBeLessThan(80);
    expect(nextAttemptDelay(1)).toBe(5000);
    expect(nextAttemptDelay(2)).toBe(300000);
    expect(nextAttemptDelay(MAX_ATTEMPTS)).toBeNull();
  });
});
