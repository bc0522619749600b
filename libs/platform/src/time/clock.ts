/**
 * Where services read the current time. Injected (ServicePlatformModule provides it from the
 * runtime), so a test can move time forward instead of waiting for it.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
