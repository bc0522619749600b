export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  /** Numbers and amounts read better right-aligned. */
  align?: 'left' | 'right';
}

/** A plain-text table: a header, a rule, one line per row, columns padded to their widest cell. */
export function renderTable<Row>(rows: Row[], columns: Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => line[i].length)));
  const format = (line: string[]) =>
    line
      .map((cell, i) => (columns[i].align === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [format(columns.map((column) => column.header)), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.map(format)].join('\n');
}
