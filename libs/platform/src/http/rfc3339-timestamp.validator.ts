import { registerDecorator, ValidationArguments } from 'class-validator';
import { parseTimestamp } from '@abaxus/domain/time/rfc3339-timestamp';

// Billing dates live in this range; outside it PostgreSQL may not store them (it has no year 0).
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(10000, 0, 1);

export function isBillingTimestamp(value: unknown): boolean {
  const parsed = parseTimestamp(value);
  return parsed.ok && parsed.value.getTime() >= EARLIEST && parsed.value.getTime() < LATEST;
}

/** An RFC 3339 timestamp with an offset ("2026-01-01T00:00:00Z"), from 1970 to 9999; one without an offset is ambiguous. */
export function IsRfc3339Timestamp(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isRfc3339Timestamp',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => isBillingTimestamp(value),
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'value'} must be an RFC 3339 timestamp with an offset between 1970 and 9999, such as "2026-01-01T00:00:00Z"`,
      },
    });
  };
}
