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

/**
 * How much of a file is read, whatever it declares: a 6 KB sheet with one cell at XFD1048576 claims a
 * million rows × 16,384 columns, and a zip bomb inflates a few MB into gigabytes. Only the rows and
 * cells the file really holds are visited, up to these bounds; callers refuse more than their own
 * row limit (they see at most `maxRows` + 1 rows).
 */
export interface ReadLimits {
  maxRows: number;
  maxColumns: number;
  /** Σ of the uncompressed sizes an XLSX (a zip) declares. */
  maxUnzippedBytes: number;
}

export const READ_LIMITS: ReadLimits = { maxRows: 100_000, maxColumns: 64, maxUnzippedBytes: 256 * 1024 * 1024 };

// exceljs is imported where a workbook is read or written: about 8 MB of heap that an api process should not
// carry from start until someone imports or exports a spreadsheet (issue 17, peak RSS)
export async function readSheet(bytes: Buffer, format: SheetFormat, limits: ReadLimits = READ_LIMITS): Promise<Sheet> {
  if (format === 'csv') return toSheet(parseCsv(decodeCsv(bytes)).slice(0, limits.maxRows + 2).map((r) => r.slice(0, limits.maxColumns)));
  const declared = unzippedSize(bytes);
  if (declared > limits.maxUnzippedBytes) throw new Error(`the workbook unpacks to ${declared} bytes`);
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0];
  if (!sheet) return { headers: [], rows: [] };
  const matrix: string[][] = [];
  let width = 0;
  // eachRow/eachCell visit the rows and cells that exist, not the declared dimensions
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (rowNumber > limits.maxRows + 2) return;
    const cells: string[] = [];
    row.eachCell({ includeEmpty: false }, (cell, col) => {
      if (col > limits.maxColumns) return;
      const v = cell.value;
      // identity numbers typed as numbers lose digits in Excel; a text cell keeps them (the template says so)
      cells[col - 1] = v === null || v === undefined ? '' : typeof v === 'object' && 'text' in (v as object) ? String((v as { text: unknown }).text) : String(cell.text ?? v);
    });
    width = Math.max(width, cells.length);
    matrix[rowNumber - 1] = cells;
  });
  // the row numbers the user sees stay those of the file: rows between are empty
  const dense = Array.from({ length: matrix.length }, (_, r) => Array.from({ length: width }, (_, c) => matrix[r]?.[c] ?? ''));
  return toSheet(dense);
}

/** The sum of the uncompressed sizes in a zip's central directory (0 when it is not a zip: the reader then refuses it). */
export function unzippedSize(zip: Buffer): number {
  // the end-of-central-directory record: the last 22 bytes, or up to 64 KiB earlier when it has a comment
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (zip.readUInt32LE(at) !== 0x06054b50) continue;
    const entries = zip.readUInt16LE(at + 10);
    let entry = zip.readUInt32LE(at + 16);
    let total = 0;
    for (let i = 0; i < entries && entry + 46 <= zip.length && zip.readUInt32LE(entry) === 0x02014b50; i++) {
      const size = zip.readUInt32LE(entry + 24);
      // ZIP64 marks its sizes 0xFFFFFFFF: treat as too large rather than read the extra field
      total += size === 0xffffffff ? Number.MAX_SAFE_INTEGER / 2 : size;
      entry += 46 + zip.readUInt16LE(entry + 28) + zip.readUInt16LE(entry + 30) + zip.readUInt16LE(entry + 32);
    }
    return total;
  }
  return 0;
}

/** A sheet of `headers` and `rows` as CSV (UTF-8 with BOM, so Excel opens it right) or XLSX. */
export async function writeSheet(format: SheetFormat, headers: string[], rows: string[][], name: string): Promise<Buffer> {
  if (format === 'csv') {
    const esc = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    return Buffer.from('\uFEFF' + [headers, ...rows].map((r) => r.map(esc).join(',')).join('\r\n') + '\r\n', 'utf8');
  }
  const { default: ExcelJS } = await import('exceljs');
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
