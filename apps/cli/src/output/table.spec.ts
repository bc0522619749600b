import { renderTable } from './table';

describe('renderTable', () => {
  it('pads each column to its widest cell and right-aligns the numeric ones', () => {
    const rows = [
      { number: 'INV-000001', total: '47.50', status: 'issued' },
      { number: 'INV-000002', total: '1250.00', status: 'paid' },
    ];
    const table = renderTable(rows, [
      { header: 'NUMBER', value: (row) => row.number },
      { header: 'TOTAL', value: (row) => row.total, align: 'right' },
      { header: 'STATUS', value: (row) => row.status },
    ]);
    expect(table.split('\n')).toEqual([
      'NUMBER        TOTAL  STATUS',
      '----------  -------  ------',
      'INV-000001    47.50  issued',
      'INV-000002  1250.00  paid',
    ]);
  });

  it('prints the header alone when there is no row', () => {
    expect(renderTable([], [{ header: 'ID', value: () => '' }])).toBe('ID\n--');
  });
});
