import { formatInvoiceNumber, parseInvoiceNumber } from './invoice-number';

describe('invoice numbers', () => {
  it.each([
    [1, 'INV-000001'],
    [42n, 'INV-000042'],
    ['999999', 'INV-999999'],
    [1234567, 'INV-1234567'],
  ])('formats %p as %s and reads it back', (sequence, number) => {
    expect(formatInvoiceNumber(sequence)).toBe(number);
    expect(parseInvoiceNumber(number)).toBe(BigInt(sequence));
  });

  it.each([0, -1, 1.5, '01', 'x'])('refuses the sequence %p', (sequence) => {
    expect(() => formatInvoiceNumber(sequence as number)).toThrow(RangeError);
  });

  it.each(['INV-000000', 'INV-', 'inv-000001', 'X-1'])('does not read %p', (number) => {
    expect(parseInvoiceNumber(number)).toBeUndefined();
  });
});
