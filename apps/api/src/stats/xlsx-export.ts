import { ExportTable, Lang, tableMatrix } from './dashboard';

/** The dashboard tables as one workbook, one sheet per table, header row bold and frozen. */
export async function toXlsx(tables: ExportTable[], lang: Lang, title: string): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = '心愿 Xinyuan';
  workbook.title = title;
  workbook.created = new Date(0);
  for (const table of tables) {
    // sheet names: at most 31 characters, none of : \ / ? * [ ]
    const sheet = workbook.addWorksheet(table[lang].replace(/[:\\/?*[\]]/g, ' ').slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
    const matrix = tableMatrix(table, lang);
    for (const row of matrix) sheet.addRow(row);
    sheet.getRow(1).font = { bold: true };
    sheet.columns.forEach((column, i) => {
      const widest = Math.max(...matrix.map((r) => String(r[i] ?? '').length));
      column.width = Math.min(48, Math.max(10, widest * 2 + 2));
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
