import { dateRange, georeportStatus, ordersStatusesFor, Open311Error, splitFormat, toXml } from './georeport';

describe('Open311 GeoReport v2 shapes', () => {
  it('reads the format from the file name', () => {
    expect(splitFormat('services.json')).toEqual({ name: 'services', format: 'json' });
    expect(splitFormat('MEAL_DELIVERY.XML')).toEqual({ name: 'MEAL_DELIVERY', format: 'xml' });
    expect(splitFormat('services')).toBeNull();
  });

  it('maps ten statuses onto open and closed', () => {
    expect(['dispatching', 'offered', 'escalated', 'accepted', 'in_service', 'pending_review'].map(georeportStatus)).toEqual(Array(6).fill('open'));
    expect(['completed', 'closed', 'cancelled', 'rejected'].map(georeportStatus)).toEqual(Array(4).fill('closed'));
    expect(ordersStatusesFor(['closed'])).toEqual(['rejected', 'completed', 'closed', 'cancelled']);
    expect(ordersStatusesFor(['open', 'closed'])).toBeNull();
  });

  it('limits the date range to 90 days and defaults to the last 90', () => {
    const now = new Date('2026-11-29T00:00:00Z');
    expect(dateRange(undefined, undefined, now)).toEqual({ from: new Date('2026-08-31T00:00:00Z'), to: now });
    expect(dateRange('2026-11-01T00:00:00+08:00', '2026-11-10T00:00:00+08:00', now).from.toISOString()).toBe('2026-10-31T16:00:00.000Z');
    expect(() => dateRange('2026-01-01T00:00:00Z', '2026-11-01T00:00:00Z', now)).toThrow(Open311Error);
    expect(() => dateRange('2026-11-10T00:00:00Z', '2026-11-01T00:00:00Z', now)).toThrow(/after/);
    expect(() => dateRange('yesterday', undefined, now)).toThrow(/W3C/);
  });

  it('writes the specification\'s XML, escaped', () => {
    expect(toXml('errors', [{ code: 403, description: 'bad <key> & more' }])).toBe(
      '<?xml version="1.0" encoding="utf-8"?><errors><error><code>403</code><description>bad &lt;key&gt; &amp; more</description></error></errors>',
    );
    expect(toXml('services', [{ service_code: 'A', keywords: null }])).toContain('<services><service><service_code>A</service_code><keywords/></service></services>');
  });
});
