import { startPlatform, Platform } from './support/apps';
import { Http } from './support/http';
import { beneficiaryBody, buildJurisdictionWorld, JurisdictionWorld } from './support/jurisdiction-world';
import { expectOk } from './support/world';

/**
 * GET /api/v1/beneficiaries?q=: finding a profile by name (the console's search box). The search
 * only narrows what the caller may list anyway — a grid worker their grid, staff their jurisdiction,
 * a resident what they recorded — and takes % and _ literally.
 */
describe('beneficiaries: search by name (?q=)', () => {
  const tag = `S${Date.now() % 100000}`;
  let platform: Platform;
  let w: JurisdictionWorld;
  const ids: Record<string, string> = {};

  const names = async (who: Http, query: string) => {
    const page = expectOk(await who.get(`/api/v1/beneficiaries?limit=100&${query}`), 200, `list ?${query}`);
    return page.items.map((b: any) => b.name).sort();
  };

  beforeAll(async () => {
    platform = await startPlatform(`bsearch-${tag}`);
    w = await buildJurisdictionWorld(new Http(platform.api.url), tag, { lat: 35.5, lng: 113.0 });
    const record = async (who: Http, name: string, at: typeof w.at.a1, extra: Record<string, unknown> = {}) => {
      ids[name] = expectOk(await who.post('/api/v1/beneficiaries', beneficiaryBody(at, { name, ...extra })), 201, name).id;
    };
    await record(w.grid.a.http, `张阿婆${tag}`, w.at.a1, { tags: ['living_alone'] });
    await record(w.grid.a.http, `李阿公${tag}`, w.at.a1);
    await record(w.grid.b.http, `张大爷${tag}`, w.at.b1);
    await record(w.residents.bob.http, `张奶奶${tag}`, w.at.b1);
    await record(w.grid.a.http, `王100%_${tag}`, w.at.a1);
  }, 180000);

  afterAll(async () => {
    await platform?.stop();
  });

  it('a grid worker finds people of their own grid only', async () => {
    expect(await names(w.grid.a.http, `q=${encodeURIComponent(`张`)}`)).toEqual([`张阿婆${tag}`]);
    expect(await names(w.grid.a.http, `q=${encodeURIComponent(`阿`)}`)).toEqual([`张阿婆${tag}`, `李阿公${tag}`].sort());
    expect(await names(w.grid.b.http, `q=${encodeURIComponent(`张`)}`)).toEqual([`张大爷${tag}`, `张奶奶${tag}`].sort());
  });

  it('staff find across their jurisdiction; a resident only what they recorded', async () => {
    const all = [`张阿婆${tag}`, `张大爷${tag}`, `张奶奶${tag}`].sort();
    expect((await names(w.staff.countyDispatcher.http, `q=${encodeURIComponent(`张`)}`)).filter((n: string) => n.endsWith(tag))).toEqual(all);
    expect((await names(w.staff.townDispatcherA.http, `q=${encodeURIComponent(`张`)}`)).filter((n: string) => n.endsWith(tag))).toEqual([`张阿婆${tag}`]);
    expect(await names(w.residents.bob.http, `q=${encodeURIComponent(`张`)}`)).toEqual([`张奶奶${tag}`]);
    expect(await names(w.residents.alice.http, `q=${encodeURIComponent(`张`)}`)).toEqual([]);
  });

  it('combines with the tag filter, is case-insensitive and takes % and _ literally', async () => {
    expect(await names(w.grid.a.http, `q=${encodeURIComponent(tag.toLowerCase())}&tag=living_alone`)).toEqual([`张阿婆${tag}`]);
    expect(await names(w.grid.a.http, `q=${encodeURIComponent('%')}`)).toEqual([`王100%_${tag}`]);
    expect(await names(w.grid.a.http, `q=${encodeURIComponent('0%_')}`)).toEqual([`王100%_${tag}`]);
    expect(await names(w.grid.a.http, `q=${encodeURIComponent('阿_')}`)).toEqual([]);
  });

  it('refuses an empty or over-long search with the field named', async () => {
    for (const q of ['', 'x'.repeat(51)]) {
      const res = await w.grid.a.http.get(`/api/v1/beneficiaries?q=${q}`);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.fields.map((f: any) => f.field)).toContain('q');
    }
  });
});
