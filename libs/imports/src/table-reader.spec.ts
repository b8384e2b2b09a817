import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { readSheet, READ_LIMITS, unzippedSize } from './table-reader';

async function workbook(fill: (sheet: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  fill(wb.addWorksheet('数据'));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('reading a spreadsheet within bounds', () => {
  it('visits only the cells a sheet holds: one cell at XFD1048576 does not make a million rows', async () => {
    const file = await workbook((s) => {
      s.addRow(['姓名', '地址']);
      s.addRow(['张三', '一号']);
      s.addRow(['李四', '二号']);
      s.getCell('XFD1048576').value = 'x';
    });
    const started = performance.now();
    const sheet = await readSheet(file, 'xlsx');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(sheet.headers).toEqual(['姓名', '地址']);
    expect(sheet.rows).toEqual([{ row: 2, cells: ['张三', '一号'] }, { row: 3, cells: ['李四', '二号'] }]);
  });

  it('keeps the file\'s row numbers across empty rows, and reads at most maxRows + 1 data rows', async () => {
    const file = await workbook((s) => {
      s.addRow(['姓名']);
      s.getCell('A5').value = '王五';
      for (let r = 10; r < 30; r++) s.getCell(`A${r}`).value = `人${r}`;
    });
    const sheet = await readSheet(file, 'xlsx', { ...READ_LIMITS, maxRows: 5 });
    expect(sheet.rows[0]).toEqual({ row: 5, cells: ['王五'] });
    expect(sheet.rows.length).toBeLessThanOrEqual(6);
    const csv = await readSheet(Buffer.from('姓名\n' + Array.from({ length: 50 }, (_, i) => `人${i}`).join('\n')), 'csv', { ...READ_LIMITS, maxRows: 5 });
    expect(csv.rows).toHaveLength(6);
  });

  it('refuses a workbook that declares more unpacked bytes than allowed, before inflating it', async () => {
    const file = await workbook((s) => s.addRow(['姓名']));
    expect(unzippedSize(file)).toBeGreaterThan(0);
    expect(unzippedSize(file)).toBeLessThan(READ_LIMITS.maxUnzippedBytes);
    await expect(readSheet(file, 'xlsx', { ...READ_LIMITS, maxUnzippedBytes: 100 })).rejects.toThrow(/unpacks to/);
    expect(unzippedSize(Buffer.from('not a zip at all, just text'))).toBe(0);
  });

  it('reads the first tab of the workbook (not the first sheet stored), and only that one', async () => {
    const wb = new ExcelJS.Workbook();
    const stored1 = wb.addWorksheet('甲');
    const stored2 = wb.addWorksheet('乙');
    stored1.addRow(['甲表']);
    stored2.addRow(['乙表']);
    stored2.addRow(['乙一']);
    // the tab order (exceljs's typings leave orderNo out)
    (stored2 as unknown as { orderNo: number }).orderNo = 0;
    (stored1 as unknown as { orderNo: number }).orderNo = 1;
    const sheet = await readSheet(Buffer.from(await wb.xlsx.writeBuffer()), 'xlsx');
    expect(sheet).toEqual({ headers: ['乙表'], rows: [{ row: 2, cells: ['乙一'] }] });
    // an empty first tab is an empty sheet, not the next one
    const empty = await workbookOf((w) => {
      w.addWorksheet('空');
      w.addWorksheet('二').addRow(['二表']);
    });
    expect(await readSheet(empty, 'xlsx')).toEqual({ headers: [], rows: [] });
  });

  it('reads every kind of cell as the text it shows: numbers, long digit strings, links, rich text, formula results', async () => {
    const file = await workbook((s) => {
      s.addRow(['姓名', '身份证', '数字', '链接', '富文本', '公式']);
      s.addRow([' 张三 ', '330102194501011234', 12.5, { text: '主页', hyperlink: 'https://example.org' }, { richText: [{ text: '红' }, { text: '字', font: { bold: true } }] }, { formula: 'C2*2', result: 25 }]);
    });
    expect(await readSheet(file, 'xlsx')).toEqual({
      headers: ['姓名', '身份证', '数字', '链接', '富文本', '公式'],
      rows: [{ row: 2, cells: ['张三', '330102194501011234', '12.5', '主页', '红字', '25'] }],
    });
  });
});

describe('reading a workbook as a stream', () => {
  it('needs no temporary file, whatever the order of the parts and with every text inline', async () => {
    // exceljs, like Excel, stores the sheet before the shared strings: read as stored, it would be spooled to TMPDIR
    const shared = await workbook((s) => s.addRow(['姓名', '地址']).commit());
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('数据').addRow(['姓名', '地址']);
    wb.getWorksheet('数据')!.addRow(['赵六', '三号']);
    const inline = Buffer.from(await wb.xlsx.writeBuffer({ useSharedStrings: false }));
    const dir = mkdtempSync(join(tmpdir(), 'xinyuan-reader-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = join(dir, 'missing');
    try {
      expect(await readSheet(shared, 'xlsx')).toEqual({ headers: ['姓名', '地址'], rows: [] });
      expect(await readSheet(inline, 'xlsx')).toEqual({ headers: ['姓名', '地址'], rows: [{ row: 2, cells: ['赵六', '三号'] }] });
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      process.env.TMPDIR = saved;
      if (saved === undefined) delete process.env.TMPDIR;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses what is not a readable workbook, without hanging: text, a zip without a workbook, a cut-off file', async () => {
    const file = await workbook((s) => {
      s.addRow(['姓名']);
      for (let r = 0; r < 500; r++) s.addRow([`人${r}`]);
    });
    await expect(readSheet(Buffer.from('not a workbook'), 'xlsx')).rejects.toThrow();
    // a zip of something else: the workbook's own parts taken out of a real one
    const parts = await workbookOf((w) => w.addWorksheet('数据').addRow(['姓名']));
    const withoutWorkbook = Buffer.from(parts.toString('latin1').replaceAll('xl/workbook.xml', 'xl/notebook.xml'), 'latin1');
    await expect(readSheet(withoutWorkbook, 'xlsx')).rejects.toThrow(/not a workbook/);
    const cut = Buffer.concat([file.subarray(0, Math.floor(file.length / 2)), file.subarray(file.length - 2000)]);
    await expect(readSheet(cut, 'xlsx')).rejects.toThrow();
  });
});

async function workbookOf(fill: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  fill(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
