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

  it("takes the issuer's prefix", () => {
    expect(formatInvoiceNumber(7, 'ACME2026')).toBe('ACME2026-000007');
    expect(parseInvoiceNumber('ACME2026-000007')).toBe(7n);
  });

  it.each([0, -1, 1.5, '01', 'x'])('refuses the sequence %p', (sequence) => {
    expect(() => formatInvoiceNumber(sequence as number)).toThrow(RangeError);
  });

  it.each(['', 'inv', 'IN-V', 'ABCDEFGHIJKLM'])('refuses the prefix %p', (prefix) => {
    expect(() => formatInvoiceNumber(1, prefix)).toThrow(RangeError);
  });

  it.each(['INV-000000', 'INV-', 'inv-000001', 'INV000001', 'ABCDEFGHIJKLM-000001'])('does not read %p', (number) => {
    expect(parseInvoiceNumber(number)).toBeUndefined();
  });
});
