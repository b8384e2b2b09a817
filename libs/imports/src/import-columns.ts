/** The shared, pure part of every spreadsheet import: columns, header mapping, reading a row's cells. */

export interface RowProblem {
  row: number;
  column: string;
  message: string;
}

/** A template column: the Chinese header people see, what else is accepted, required or not, an example. */
export interface ColumnSpec {
  readonly key: string;
  readonly header: string;
  readonly aliases: readonly string[];
  readonly required: boolean;
  readonly example: string;
}

export type ColumnIndex = Partial<Record<string, number>>;

/** Which column of the file holds each field; the required ones that are missing (by their Chinese header). */
export function mapColumns(columns: readonly ColumnSpec[], headers: string[]): { index: ColumnIndex; missing: string[] } {
  const index: ColumnIndex = {};
  for (const col of columns) {
    const i = headers.findIndex((h) => h === col.header || col.aliases.includes(h));
    if (i >= 0) index[col.key] = i;
  }
  const missing = columns.filter((c) => c.required && index[c.key] === undefined).map((c) => c.header);
  return { index, missing };
}

/** Reads one row's cells by column key and collects its problems under the column's Chinese header. */
export function rowCells(columns: readonly ColumnSpec[], row: number, cells: string[], index: ColumnIndex) {
  const problems: RowProblem[] = [];
  const cell = (key: string) => (index[key] === undefined ? '' : (cells[index[key]!] ?? '').trim());
  const header = (key: string) => columns.find((c) => c.key === key)?.header ?? key;
  const bad = (key: string, message: string) => problems.push({ row, column: header(key), message });
  return { problems, cell, bad, header };
}

/** 是/否 cells (and the English words): true, false, or undefined when the cell says something else. */
export function yesNo(raw: string): boolean | undefined {
  const v = raw.trim().toLowerCase();
  if (['是', '有', 'y', 'yes', 'true', '1', '启用'].includes(v)) return true;
  if (['否', '无', 'n', 'no', 'false', '0', '停用'].includes(v)) return false;
  return undefined;
}

/** A list cell: 、，, ; or spaces between the words. */
export const listWords = (raw: string) => raw.split(/[,，、;；\s]+/).filter(Boolean);

/**
 * Skills as people write them: the skill id (`haircut`) or its Chinese name from the skill list
 * (理发). Unknown words are problems; the answer keeps the order of first appearance, without repeats.
 */
export function readSkills(raw: string, labels: Map<string, string>, bad: (message: string) => void): string[] {
  const skills: string[] = [];
  for (const word of listWords(raw)) {
    const code = /^[a-z][a-z0-9_]{1,39}$/.test(word) ? word : labels.get(word);
    if (!code) bad(`没有「${word}」这项技能；请填技能名称（如 理发）或技能代码（如 haircut）`);
    else if (!skills.includes(code)) skills.push(code);
  }
  return skills;
}
