import ExcelJS from 'exceljs';

export type SheetFormat = 'csv' | 'xlsx';

/** A sheet as text: the header row and the data rows (cells trimmed, empty rows dropped, numbers kept). */
export interface Sheet {
  headers: string[];
  /** Data rows with their row number in the file (the header is row 1). */
  rows: { row: number; cells: string[] }[];
}

/**
 * CSV as Excel and WPS write it: RFC 4180 quoting, CRLF or LF, a UTF-8 BOM, or GB18030 (GBK) when
 * the bytes are not UTF-8 — what "另存为 CSV" gives on a Chinese Windows.
 */
export function decodeCsv(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

function toSheet(matrix: string[][]): Sheet {
  const [header = [], ...data] = matrix;
  const rows = data
    .map((cells, i) => ({ row: i + 2, cells: cells.map((c) => c.trim()) }))
    .filter((r) => r.cells.some((c) => c !== ''));
  return { headers: header.map((h) => h.trim()), rows };
}

export async function readSheet(bytes: Buffer, format: SheetFormat): Promise<Sheet> {
  if (format === 'csv') return toSheet(parseCsv(decodeCsv(bytes)));
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0];
  if (!sheet) return { headers: [], rows: [] };
  const matrix: string[][] = [];
  const width = sheet.columnCount;
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= width; c++) {
      const v = row.getCell(c).value;
      // identity numbers typed as numbers lose digits in Excel; a text cell keeps them (the template says so)
      cells.push(v === null || v === undefined ? '' : typeof v === 'object' && 'text' in (v as object) ? String((v as { text: unknown }).text) : String(row.getCell(c).text ?? v));
    }
    matrix.push(cells);
  }
  return toSheet(matrix);
}

/** A sheet of `headers` and `rows` as CSV (UTF-8 with BOM, so Excel opens it right) or XLSX. */
export async function writeSheet(format: SheetFormat, headers: string[], rows: string[][], name: string): Promise<Buffer> {
  if (format === 'csv') {
    const esc = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    return Buffer.from('\uFEFF' + [headers, ...rows].map((r) => r.map(esc).join(',')).join('\r\n') + '\r\n', 'utf8');
  }
  const workbook = new ExcelJS.Workbook();
  workbook.creator = '心愿 Xinyuan';
  workbook.created = new Date(0);
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.addRow(headers);
  for (const r of rows) sheet.addRow(r);
  sheet.getRow(1).font = { bold: true };
  // every column is text: identity and phone numbers must not become numbers
  sheet.columns.forEach((c) => {
    c.numFmt = '@';
    c.width = 16;
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
