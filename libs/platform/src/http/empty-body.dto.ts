/**
 * The body of an action that takes no fields (archive, charge, send-email): any field sent is
 * refused by the validation pipe (forbidNonWhitelisted), as the contract wants unknown fields refused.
 */
export class EmptyBodyDto {}
