import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
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

/**
 * A zip of `parts` written by hand, to say what a hostile file says: `declared` overrides an entry's
 * uncompressed size in both its headers, `listedTwice` names an entry the directory lists twice,
 * `localSize` overrides the compressed size in the local header only.
 */
function zipOf(parts: { name: string; text: string; declared?: number; localSize?: number }[], listedTwice?: string): Buffer {
  const locals: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const data = Buffer.from(part.text);
    const packed = deflateRawSync(data);
    const name = Buffer.from(part.name);
    const size = part.declared ?? data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(part.localSize ?? packed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    for (let i = 0; i < (part.name === listedTwice ? 2 : 1); i++) directory.push(central, name);
    locals.push(local, name, packed);
    offset += 30 + name.length + packed.length;
  }
  const listed = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(directory.length / 2, 8);
  end.writeUInt16LE(directory.length / 2, 10);
  end.writeUInt32LE(listed.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, listed, end]);
}

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const relsXml = (n: number) =>
  `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${Array.from({ length: n }, (_, i) =>
    `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('')}</Relationships>`;
const workbookXml = (tabs: { name: string; sheetId: number; rId: string }[]) =>
  `<?xml version="1.0"?><workbook ${NS}><sheets>${tabs.map((t) => `<sheet name="${t.name}" sheetId="${t.sheetId}" r:id="${t.rId}"/>`).join('')}</sheets></workbook>`;
const sheetXml = (rows: string[][]) =>
  `<?xml version="1.0"?><worksheet ${NS}><sheetData>${rows.map((r, i) => `<row r="${i + 1}">${r.map((v, j) =>
    `<c r="${String.fromCharCode(65 + j)}${i + 1}" t="inlineStr"><is><t>${v}</t></is></c>`).join('')}</row>`).join('')}</sheetData></worksheet>`;

describe('reading a hostile workbook', () => {
  const oneSheet = [
    { name: 'xl/_rels/workbook.xml.rels', text: relsXml(1) },
    { name: 'xl/workbook.xml', text: workbookXml([{ name: '表', sheetId: 1, rId: 'rId1' }]) },
    { name: 'xl/worksheets/sheet1.xml', text: sheetXml([['姓名'], ['张三']]) },
  ];

  it('reads the first tab when its sheetId is not its file number (tabs moved or deleted in Excel)', async () => {
    const file = zipOf([
      { name: 'xl/_rels/workbook.xml.rels', text: relsXml(2) },
      { name: 'xl/workbook.xml', text: workbookXml([{ name: '甲', sheetId: 2, rId: 'rId1' }, { name: '乙', sheetId: 1, rId: 'rId2' }]) },
      { name: 'xl/worksheets/sheet1.xml', text: sheetXml([['姓名'], ['第一个标签']]) },
      { name: 'xl/worksheets/sheet2.xml', text: sheetXml([['姓名'], ['第二个标签']]) },
    ]);
    expect(await readSheet(file, 'xlsx')).toEqual({ headers: ['姓名'], rows: [{ row: 2, cells: ['第一个标签'] }] });
    expect(await readSheet(zipOf(oneSheet), 'xlsx')).toEqual({ headers: ['姓名'], rows: [{ row: 2, cells: ['张三'] }] });
  });

  it('refuses a part that unpacks to more than it declares, before the reader caches it (a shared-strings bomb)', async () => {
    const bomb = zipOf([...oneSheet, { name: 'xl/sharedStrings.xml', text: `<sst ${NS}><si><t>${'炸'.repeat(200_000)}</t></si></sst>`, declared: 1000 }]);
    expect(unzippedSize(bomb)).toBeLessThan(10_000);
    await expect(readSheet(bomb, 'xlsx')).rejects.toThrow(/unpacks to more than/);
  });

  it('refuses an entry listed twice (it would be inflated once per listing) and a local header that disagrees with the directory, without hanging', async () => {
    await expect(readSheet(zipOf(oneSheet, 'xl/worksheets/sheet1.xml'), 'xlsx')).rejects.toThrow(/overlap/);
    const packed = deflateRawSync(Buffer.from(oneSheet[2].text)).length;
    const short = zipOf([oneSheet[0], oneSheet[1], { ...oneSheet[2], localSize: packed - 5 }]);
    await expect(readSheet(short, 'xlsx')).rejects.toThrow(/disagree/);
  });
});

async function workbookOf(fill: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  fill(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
