import { applyDecorators } from '@nestjs/common';
import { IsString, Matches } from 'class-validator';
import { CLIENT_ID_PATTERN } from '@abaxus/domain/client-id';

export const CLIENT_ID_RULE = '1 to 128 characters: letters, digits, "_", ".", ":" or "-", starting with a letter or digit';

/** An id chosen by the client (metric key, plan or customer id), per the contract's pattern. */
export function IsClientId(): PropertyDecorator {
  return applyDecorators(IsString(), Matches(CLIENT_ID_PATTERN, { message: `$property must be ${CLIENT_ID_RULE}` }));
}
