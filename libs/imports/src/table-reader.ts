import { Readable } from 'node:stream';
import { crc32, createInflateRaw } from 'node:zlib';

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
 * `WorkbookReader` parses the sheet's XML row by row and keeps only the shared strings and styles,
 * never the workbook's object model (which took about 750 MB for the largest accepted file). It is
 * given the file's parts in the order it reads them without spooling, checked and bounded
 * (`xlsxPartsInReadingOrder`): of the sheets only the first tab's, when workbook.xml tells which.
 * Reading stops after `maxRows` + 2 rows.
 */
async function readFirstWorksheet(bytes: Buffer, limits: ReadLimits): Promise<string[][]> {
  const { default: ExcelJS } = await import('exceljs');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(await xlsxPartsInReadingOrder(bytes)), {
    worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore',
  });
  const matrix: string[][] = [];
  let width = 0;
  let wanted: string | undefined;
  for await (const worksheet of reader) {
    // exceljs names a sheet by its tab's sheetId (workbook.xml, read first); without one, the first sheet
    const id = String((worksheet as unknown as { id: string | number }).id);
    wanted ??= String((reader as unknown as WorkbookParts).model?.sheets?.[0]?.id ?? id);
    if (id !== wanted) continue;
    for await (const row of worksheet) {
      if (row.number > limits.maxRows + 2) break;
      const cells: string[] = [];
      row.eachCell({ includeEmpty: false }, (cell, col) => {
        if (col > limits.maxColumns) return;
        cells[col - 1] = cellText(cell);
      });
      width = Math.max(width, cells.length);
      matrix[row.number - 1] = cells;
    }
    break;
  }
  // the row numbers the user sees stay those of the file: rows between are empty
  return Array.from({ length: matrix.length }, (_, r) => Array.from({ length: width }, (_, c) => matrix[r]?.[c] ?? ''));
}

/** What `WorkbookReader` has read of workbook.xml (not in exceljs's typings). */
interface WorkbookParts {
  model?: { sheets?: { id: number; rId: string }[] };
}

function cellText(cell: { value: unknown; text?: string }): string {
  const v = cell.value;
  // identity numbers typed as numbers lose digits in Excel; a text cell keeps them (the template says so)
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && 'text' in (v as object)) return String((v as { text: unknown }).text);
  return String(cell.text ?? v);
}

/** One entry of a zip's central directory. */
interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

/** The entries a zip's central directory lists (none when it is not a zip: the reader then refuses it). */
function centralDirectory(zip: Buffer): ZipEntry[] {
  // the end-of-central-directory record: the last 22 bytes, or up to 64 KiB earlier when it has a comment
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (zip.readUInt32LE(at) !== 0x06054b50) continue;
    const count = zip.readUInt16LE(at + 10);
    let entry = zip.readUInt32LE(at + 16);
    const entries: ZipEntry[] = [];
    for (let i = 0; i < count && entry + 46 <= zip.length && zip.readUInt32LE(entry) === 0x02014b50; i++) {
      const nameLength = zip.readUInt16LE(entry + 28);
      entries.push({
        name: zip.toString('utf8', entry + 46, Math.min(zip.length, entry + 46 + nameLength)),
        flags: zip.readUInt16LE(entry + 8),
        method: zip.readUInt16LE(entry + 10),
        compressedSize: zip.readUInt32LE(entry + 20),
        uncompressedSize: zip.readUInt32LE(entry + 24),
        localHeaderOffset: zip.readUInt32LE(entry + 42),
      });
      entry += 46 + nameLength + zip.readUInt16LE(entry + 30) + zip.readUInt16LE(entry + 32);
    }
    return entries;
  }
  return [];
}

/** The sum of the uncompressed sizes in a zip's central directory (0 when it is not a zip: the reader then refuses it). */
export function unzippedSize(zip: Buffer): number {
  // ZIP64 marks its sizes 0xFFFFFFFF: treat as too large rather than read the extra field
  return centralDirectory(zip).reduce((total, e) => total + (e.uncompressedSize === 0xffffffff ? Number.MAX_SAFE_INTEGER / 2 : e.uncompressedSize), 0);
}

const EMPTY_SHARED_STRINGS = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>',
);

/** The parts exceljs reads a workbook from; of the sheets, only the first tab's when it is known. */
const WORKBOOK_PARTS = ['xl/_rels/workbook.xml.rels', 'xl/workbook.xml', 'xl/sharedStrings.xml', 'xl/styles.xml'];
/** workbook.xml and its relations are small; anything larger is not a workbook we read. */
const MAX_INDEX_PART_BYTES = 4 * 1024 * 1024;

/**
 * The parts of an XLSX the sheet reader uses, as a zip stream in the order it wants them: the
 * workbook's relations, the workbook (its tabs), the shared strings, the styles, then the first tab's
 * sheet. Each part is the file's own local entry, still compressed, sliced out of the buffer;
 * anything else (other sheets, themes, pictures, properties) is left out. In Excel's own order the
 * sheets come before the shared strings, and exceljs's streaming reader then spools each sheet to a
 * temporary file to read it afterwards; in this order it reads the sheet as it streams, with the tabs
 * and number formats already known. A workbook without shared strings (every text inline) gets an
 * empty table, for the same reason.
 *
 * The file is untrusted (any import staff can send 16 MB), so before exceljs sees a byte: every
 * local entry must agree with the central directory (name, method, sizes) and no two may overlap (one
 * entry listed 65,535 times would be inflated as often), and every part passed on is inflated once,
 * counting, and refused when it unpacks to more than its declared size — so the declared sizes, which
 * `readSheet` bounds, bound what exceljs inflates and caches (a shared-strings bomb declared at 1 KB
 * would otherwise run the process out of heap).
 */
async function xlsxPartsInReadingOrder(zip: Buffer): Promise<Buffer[]> {
  const entries = centralDirectory(zip);
  const ranges = new Map<ZipEntry, { start: number; dataStart: number; end: number }>();
  for (const e of entries) {
    const at = e.localHeaderOffset;
    if (at + 30 > zip.length || zip.readUInt32LE(at) !== 0x04034b50) throw new Error(`no local header for ${e.name}`);
    const nameLength = zip.readUInt16LE(at + 26);
    const dataStart = at + 30 + nameLength + zip.readUInt16LE(at + 28);
    if (zip.toString('utf8', at + 30, Math.min(zip.length, at + 30 + nameLength)) !== e.name || zip.readUInt16LE(at + 8) !== e.method) {
      throw new Error(`the local header of ${e.name} disagrees with the directory`);
    }
    if (!(e.flags & 0x08) && (zip.readUInt32LE(at + 18) !== e.compressedSize || zip.readUInt32LE(at + 22) !== e.uncompressedSize)) {
      throw new Error(`the local sizes of ${e.name} disagree with the directory`);
    }
    let end = dataStart + e.compressedSize;
    // sizes after the data (bit 3): a data descriptor, with or without its signature
    if (e.flags & 0x08) end += end + 4 <= zip.length && zip.readUInt32LE(end) === 0x08074b50 ? 16 : 12;
    if (end > zip.length) throw new Error(`${e.name} runs past the end of the file`);
    ranges.set(e, { start: at, dataStart, end });
  }
  const sorted = [...ranges.values()].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) if (sorted[i].start < sorted[i - 1].end) throw new Error('zip entries overlap');

  const named = (name: string) => entries.find((e) => e.name === name);
  const sheetNumber = (name: string) => Number(/^xl\/worksheets\/sheet(\d+)\.xml$/.exec(name)?.[1] ?? NaN);
  const sheets = entries.filter((e) => !Number.isNaN(sheetNumber(e.name))).sort((a, b) => sheetNumber(a.name) - sheetNumber(b.name));
  const workbook = named('xl/workbook.xml');
  if (!workbook || sheets.length === 0) throw new Error('not a workbook: no xl/workbook.xml or no sheet');
  const data = (e: ZipEntry) => zip.subarray(ranges.get(e)!.dataStart, ranges.get(e)!.dataStart + e.compressedSize);

  const checked = new Set<ZipEntry>();
  const unpack = async (e: ZipEntry, keep: boolean): Promise<Buffer | null> => {
    if (checked.has(e) && !keep) return null;
    checked.add(e);
    if (e.method !== 0 && e.method !== 8) throw new Error(`${e.name}: compression method ${e.method}`);
    const chunks: Buffer[] = [];
    let size = 0;
    const source = e.method === 0 ? [data(e)] : Readable.from([data(e)]).pipe(createInflateRaw());
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > e.uncompressedSize) throw new Error(`${e.name} unpacks to more than the ${e.uncompressedSize} bytes it declares`);
      if (keep) chunks.push(chunk);
    }
    return keep ? Buffer.concat(chunks) : null;
  };
  const small = async (e: ZipEntry | undefined) => {
    if (!e) return undefined;
    if (e.uncompressedSize > MAX_INDEX_PART_BYTES) throw new Error(`${e.name} is too large`);
    return (await unpack(e, true))!.toString('utf8');
  };
  const firstTab = firstTabPartName(await small(workbook), await small(named('xl/_rels/workbook.xml.rels')));
  const wanted = sheets.filter((e) => e.name === firstTab);

  // the first tab is read by its sheetId (`readFirstWorksheet`) when its part could not be told here
  const passed = [...WORKBOOK_PARTS.map(named), ...(wanted.length ? wanted : sheets)];
  for (const entry of passed) if (entry) await unpack(entry, false);
  return passed.flatMap((e, i) =>
    e ? [zip.subarray(ranges.get(e)!.start, ranges.get(e)!.end)] : WORKBOOK_PARTS[i] === 'xl/sharedStrings.xml' ? [storedEntry(WORKBOOK_PARTS[i], EMPTY_SHARED_STRINGS)] : [],
  );
}

/** The attributes of the first `<tag …>` in `xml` (names without their namespace prefix). */
function firstTagAttributes(xml: string, tag: string, where: (attrs: Record<string, string>) => boolean = () => true): Record<string, string> | undefined {
  const pattern = new RegExp(`<(?:\\w+:)?${tag}\\b([^>]*)>`, 'g');
  for (const match of xml.matchAll(pattern)) {
    const attrs: Record<string, string> = {};
    for (const a of match[1].matchAll(/(?:[\w-]+:)?([\w-]+)\s*=\s*"([^"]*)"/g)) attrs[a[1]] ??= a[2];
    if (where(attrs)) return attrs;
  }
  return undefined;
}

/** `xl/worksheets/sheetN.xml` of the workbook's first tab, from workbook.xml and its relations. */
function firstTabPartName(workbookXml: string | undefined, relsXml: string | undefined): string | undefined {
  if (!workbookXml || !relsXml) return undefined;
  const sheet = firstTagAttributes(workbookXml, 'sheet');
  if (!sheet?.id) return undefined;
  const target = firstTagAttributes(relsXml, 'Relationship', (a) => a.Id === sheet.id)?.Target;
  if (!target) return undefined;
  return target.startsWith('/') ? target.slice(1) : `xl/${target}`;
}

/** A zip local entry holding `data` uncompressed. */
function storedEntry(name: string, data: Buffer): Buffer {
  const fileName = Buffer.from(name, 'utf8');
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4); // version needed: 2.0
  header.writeUInt32LE(crc32(data), 14);
  header.writeUInt32LE(data.length, 18);
  header.writeUInt32LE(data.length, 22);
  header.writeUInt16LE(fileName.length, 26);
  return Buffer.concat([header, fileName, data]);
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
