import { csvCell, Dashboard, dashboardTables, tableMatrix, toCsv } from './dashboard';

const dashboard: Dashboard = {
  from: '2026-11-01', to: '2026-11-30', timeZone: 'Asia/Shanghai', regionId: null,
  totals: { orders: 3, completed: 1, cancelled: 1, open: 1 },
  ordersPerDay: [{ day: '2026-11-02', status: 'closed', count: 1 }],
  byGroup: [{ group: '=HYPERLINK("x")', orders: 3, completed: 1, cancelled: 1 }],
  timeToAccept: { count: 1, medianSeconds: 90, p90Seconds: 150 },
  timeToComplete: { count: 1, medianSeconds: 3600, p90Seconds: null },
  satisfaction: { ratings: 1, averageStars: 4.333333, solvedRate: 1, stars: { '1': 0, '2': 0, '3': 0, '4': 1, '5': 0 } },
  volunteerMinutes: { total: 45, orders: 1, volunteers: 2 },
  perRegion: [{ regionId: null, region: '递铺街道, 北区', orders: 3, completed: 1, cancelled: 1, medianAcceptSeconds: 90, p90AcceptSeconds: 150,
    medianCompleteSeconds: 3600, p90CompleteSeconds: null, averageStars: 4.333333, volunteerMinutes: 45 }],
};

describe('dashboard export tables', () => {
  it('quotes CSV cells and defuses spreadsheet formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+86 138')).toBe("'+86 138");
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
  });

  it('writes CSV with a BOM, CRLF lines and headers in the chosen language; seconds become minutes', () => {
    const tables = dashboardTables(dashboard);
    const csv = toCsv(tables.perRegion, 'zh');
    expect(csv.startsWith('\uFEFF区域,订单数')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines[1]).toBe('"递铺街道, 北区",3,1,1,1.5,2.5,60,,4.33,45');
    expect(toCsv(tables.byGroup, 'en').split('\r\n')[1]).toBe(`"'=HYPERLINK(""x"")",3,1,1`);
  });

  it('labels order statuses in the chosen language, never the code', () => {
    const tables = dashboardTables({ ...dashboard, ordersPerDay: [{ day: '2026-11-02', status: 'closed', count: 1 }, { day: '2026-11-02', status: 'offered', count: 2 }] });
    expect(tableMatrix(tables.ordersPerDay, 'zh').slice(1)).toEqual([['2026-11-02', '已评价', 1], ['2026-11-02', '等待接单', 2]]);
    expect(tableMatrix(tables.ordersPerDay, 'en').slice(1)).toEqual([['2026-11-02', 'Closed', 1], ['2026-11-02', 'Offered', 2]]);
    expect(toCsv(tables.ordersPerDay, 'zh').split('\r\n')[1]).toBe('2026-11-02,已评价,1');
  });

  it('names summary metrics in the chosen language', () => {
    const en = tableMatrix(dashboardTables(dashboard).summary, 'en');
    expect(en[0]).toEqual(['Metric', 'Value']);
    expect(en).toContainEqual(['Average stars', 4.33]);
    expect(tableMatrix(dashboardTables(dashboard).summary, 'zh')).toContainEqual(['志愿服务时长（分钟）', 45]);
  });
});
