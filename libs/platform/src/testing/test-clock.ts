import { Clock } from '../time/clock';

/** Real time shifted by an offset a test moves forward (e.g. past a 24-hour limit). */
export class TestClock extends Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
