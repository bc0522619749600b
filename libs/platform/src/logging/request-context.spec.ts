import { currentLogContext, currentRequestId, outsideRequest, runInLogContext } from './log-context';
import { handleInMessageContext } from './message-context';
import { acceptRequestId, newRequestId, requestIdHeaders, withRequestIdHeader } from './request-id';
import { IncomingMessage } from '../bus/message-bus';

describe('acceptRequestId', () => {
  it.each(['req-1', 'b7c1d0e2-2f7a-4c55-9a39-0d1f7d6e5a10', 'Root=1-5759e988-bd862e3f', 'a.b_c:d+e/f', 'x'.repeat(64)])('keeps %s', (id) => {
    expect(acceptRequestId(id)).toBe(id);
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(65)],
    ['with a space', 'req 1'],
    ['with a line break (log injection)', 'req\n{"level":"fatal"}'],
    ['with quotes', 'req"1'],
    ['not a string', ['a', 'b']],
    ['absent', undefined],
  ])('replaces one %s', (_case, id) => {
    expect(acceptRequestId(id)).toBeUndefined();
  });

  it('makes new ids that it would accept', () => {
    const id = newRequestId();
    expect(acceptRequestId(id)).toBe(id);
    expect(newRequestId()).not.toBe(id);
  });
});

describe('request id on outgoing calls and messages', () => {
  it('is added from the request being handled, never over one a message already carries', () => {
    expect(requestIdHeaders()).toEqual({});
    expect(withRequestIdHeader(undefined)).toBeUndefined();
    runInLogContext({ requestId: 'req-9' }, () => {
      expect(requestIdHeaders()).toEqual({ 'x-request-id': 'req-9' });
      expect(withRequestIdHeader({ a: '1' })).toEqual({ a: '1', 'x-request-id': 'req-9' });
      expect(withRequestIdHeader({ 'x-request-id': 'req-earlier' })).toEqual({ 'x-request-id': 'req-earlier' });
    });
  });
});

describe('outsideRequest', () => {
  it('keeps the service and leaves the request, for what outlives it', async () => {
    const seen = await runInLogContext({ service: 'ingestion', requestId: 'req-1' }, () => outsideRequest(async () => currentLogContext()));
    expect(seen).toEqual({ service: 'ingestion', requestId: undefined, requestIds: undefined });
  });
});

describe('handleInMessageContext', () => {
  const message = (offset: number, requestId?: string): IncomingMessage => ({
    topic: 'catalog.events',
    partition: 0,
    offset: String(offset),
    key: 'k',
    value: '{}',
    headers: requestId ? { 'x-request-id': requestId } : {},
    timestamp: new Date(0).toISOString(),
  });

  async function contextSeenBy(messages: IncomingMessage[]) {
    const notes: string[] = [];
    let seen: ReturnType<typeof currentLogContext>;
    await runInLogContext({ service: 'aggregation', requestId: 'outer' }, () =>
      handleInMessageContext({ debug: (note) => void notes.push(`${note} ${currentRequestId()}`) }, 'group-a', messages, async () => {
        seen = currentLogContext();
      }),
    );
    return { seen: seen!, notes };
  }

  it('handles a batch of one request in that request id, keeping the service, and notes it at debug', async () => {
    const { seen, notes } = await contextSeenBy([message(4, 'req-1'), message(5, 'req-1')]);
    expect(seen).toEqual({ service: 'aggregation', requestId: 'req-1', requestIds: undefined });
    expect(notes).toEqual(['group-a handling 2 message(s) of catalog.events[0] from offset 4 req-1']);
  });

  it('names every request of a mixed batch, and no request for messages that carry none', async () => {
    expect((await contextSeenBy([message(1, 'req-1'), message(2, 'req-2'), message(3)])).seen).toMatchObject({
      requestId: undefined,
      requestIds: ['req-1', 'req-2'],
    });
    expect((await contextSeenBy([message(1), message(2, 'bad id\n')])).seen).toMatchObject({ requestId: undefined, requestIds: undefined });
  });
});
