import { ColumnSpec, listWords, mapColumns, readSkills, rowCells, yesNo } from './import-columns';

// the shape of the teams template (the kind's own file loads NestJS; this spec stays pure)
const TEAM_COLUMNS: ColumnSpec[] = [
  { key: 'name', header: '队伍名称', aliases: ['name'], required: true, example: '' },
  { key: 'region', header: '所属区域', aliases: ['region'], required: true, example: '' },
  { key: 'lat', header: '纬度', aliases: ['lat'], required: true, example: '' },
  { key: 'lng', header: '经度', aliases: ['lng'], required: true, example: '' },
  { key: 'radius', header: '服务半径（米）', aliases: ['服务半径'], required: true, example: '' },
  { key: 'skills', header: '技能', aliases: ['skills'], required: false, example: '' },
  { key: 'capacity', header: '同时接单上限', aliases: ['接单上限'], required: true, example: '' },
];

describe('import columns (shared by every kind)', () => {
  it('maps Chinese headers and their aliases, and names the missing required columns in Chinese', () => {
    const { index, missing } = mapColumns(TEAM_COLUMNS, ['队伍名称', 'region', '纬度', '经度', '服务半径', '接单上限']);
    expect(index).toMatchObject({ name: 0, region: 1, lat: 2, lng: 3, radius: 4, capacity: 5 });
    expect(missing).toEqual([]);
    expect(mapColumns(TEAM_COLUMNS, ['队伍名称']).missing).toEqual(['所属区域', '纬度', '经度', '服务半径（米）', '同时接单上限']);
  });

  it('reads cells by key and files problems under the column header', () => {
    const { index } = mapColumns(TEAM_COLUMNS, ['队伍名称', '所属区域']);
    const { cell, bad, problems } = rowCells(TEAM_COLUMNS, 7, ['  助老队 ', ''], index);
    expect(cell('name')).toBe('助老队');
    expect(cell('capacity')).toBe('');
    bad('region', '所属区域不能为空');
    expect(problems).toEqual([{ row: 7, column: '所属区域', message: '所属区域不能为空' }]);
  });

  it('skills by Chinese name or id, without repeats; unknown words are problems', () => {
    const labels = new Map([['理发', 'haircut']]);
    const said: string[] = [];
    expect(readSkills('理发、haircut，tutoring 开飞机', labels, (m) => said.push(m))).toEqual(['haircut', 'tutoring']);
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('开飞机');
  });

  it('是/否 and list cells', () => {
    expect([yesNo('是'), yesNo('否'), yesNo('Yes'), yesNo('0'), yesNo('也许')]).toEqual([true, false, true, false, undefined]);
    expect(listWords('a、b，c; d  e')).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
