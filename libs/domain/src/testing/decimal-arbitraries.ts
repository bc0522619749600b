import Big from 'big.js';
import fc from 'fast-check';

/*
 * fast-check arbitraries for exact decimals, shared by the domain's property tests. Values are
 * built from a bigint mantissa and a scale, so they never pass through a JS float.
 */
export interface DecimalArbitraryOptions {
  maxIntegerDigits?: number;
  maxFractionDigits?: number;
  allowNegative?: boolean;
  /** Exclude zero (e.g. for package sizes and tier widths). */
  positive?: boolean;
}

export function decimalString(options: DecimalArbitraryOptions = {}): fc.Arbitrary<string> {
  const { maxIntegerDigits = 6, maxFractionDigits = 4, allowNegative = false, positive = false } = options;
  return fc
    .integer({ min: 0, max: maxFractionDigits })
    .chain((scale) =>
      fc.tuple(
        fc.bigInt({ min: positive ? 1n : 0n, max: 10n ** BigInt(maxIntegerDigits + scale) - 1n }),
        fc.constant(scale),
        allowNegative ? fc.boolean() : fc.constant(false),
      ),
    )
    .map(([mantissa, scale, negative]) => {
      const digits = mantissa.toString().padStart(scale + 1, '0');
      const text = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
      return negative && mantissa !== 0n ? `-${text}` : text;
    });
}

export function decimalBig(options: DecimalArbitraryOptions = {}): fc.Arbitrary<Big> {
  return decimalString(options).map((text) => new Big(text));
}
