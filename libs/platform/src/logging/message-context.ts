import { IncomingMessage } from '../bus/message-bus';
import { runInLogContext } from './log-context';
import { acceptRequestId, REQUEST_ID_HEADER } from './request-id';

/** Past this many distinct requests in one batch, the line names the first ones only. */
const MAX_REQUEST_IDS_LOGGED = 20;

/**
 * Runs a consumer group's handler for one batch in the log context of the requests that produced
 * its messages (their X-Request-Id header), and notes the batch at debug level.
 */
export async function handleInMessageContext(
  logger: { debug(message: string): void },
  groupId: string,
  messages: IncomingMessage[],
  handle: (messages: IncomingMessage[]) => Promise<void>,
): Promise<void> {
  const ids = new Set<string>();
  for (const message of messages) {
    const id = acceptRequestId(message.headers[REQUEST_ID_HEADER]);
    if (id) ids.add(id);
  }
  const requestIds = [...ids];
  const context =
    requestIds.length === 1
      ? { requestId: requestIds[0], requestIds: undefined }
      : { requestId: undefined, requestIds: requestIds.length > 0 ? requestIds.slice(0, MAX_REQUEST_IDS_LOGGED) : undefined };
  await runInLogContext(context, async () => {
    const first = messages[0];
    logger.debug(`${groupId} handling ${messages.length} message(s) of ${first.topic}[${first.partition}] from offset ${first.offset}`);
    await handle(messages);
  });
}
