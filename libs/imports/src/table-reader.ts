import { Readable } from 'node:stream';

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
  return toSheet(await readFirstWorksheet(bytes, limits));
}

/**
 * The first sheet (in the workbook's tab order) of an XLSX, read as a stream: exceljs's
 * `WorkbookReader` parses each sheet's XML row by row and keeps only the shared strings and styles,
 * never the workbook's object model (which took about 750 MB for the largest accepted file). A sheet
 * stored before the shared strings is spooled to a temporary file by exceljs and read after them.
 * Every sheet is read to its end (the others only skipped over), so that the reader cleans up after
 * itself.
 */
async function readFirstWorksheet(bytes: Buffer, limits: ReadLimits): Promise<string[][]> {
  const { default: ExcelJS } = await import('exceljs');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([bytes]), {
    worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore',
  });
  const matrix: string[][] = [];
  let width = 0;
  let wanted: string | null | undefined;
  let chosen = false;
  for await (const worksheet of reader) {
    // known once workbook.xml and its rels are read, which every writer stores before the sheets
    wanted ??= firstTabSheetNumber(reader as unknown as WorkbookParts) ?? null;
    const sheetNo = String((worksheet as unknown as { id: string | number }).id);
    const take: boolean = !chosen && (wanted === null || wanted === sheetNo);
    chosen ||= take;
    for await (const row of worksheet) {
      if (!take || row.number > limits.maxRows + 2) continue;
      const cells: string[] = [];
      row.eachCell({ includeEmpty: false }, (cell, col) => {
        if (col > limits.maxColumns) return;
        cells[col - 1] = cellText(cell);
      });
      width = Math.max(width, cells.length);
      matrix[row.number - 1] = cells;
    }
  }
  // the row numbers the user sees stay those of the file: rows between are empty
  return Array.from({ length: matrix.length }, (_, r) => Array.from({ length: width }, (_, c) => matrix[r]?.[c] ?? ''));
}

/** What `WorkbookReader` has read of workbook.xml and its rels (not in exceljs's typings). */
interface WorkbookParts {
  model?: { sheets?: { id: number; rId: string }[] };
  workbookRels?: { Id: string; Target: string }[];
}

/** The number N of `xl/worksheets/sheetN.xml` of the workbook's first tab, when the reader knows it. */
function firstTabSheetNumber(reader: WorkbookParts): string | undefined {
  const first = reader.model?.sheets?.[0];
  const target = first && reader.workbookRels?.find((r) => r.Id === first.rId)?.Target;
  return target ? /sheet(\d+)\.xml$/.exec(target)?.[1] : undefined;
}

function cellText(cell: { value: unknown; text?: string }): string {
  const v = cell.value;
  // identity numbers typed as numbers lose digits in Excel; a text cell keeps them (the template says so)
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && 'text' in (v as object)) return String((v as { text: unknown }).text);
  return String(cell.text ?? v);
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
