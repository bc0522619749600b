import { appendFileSync, existsSync, realpathSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { EventItemResult } from '@abaxus/sdk';
import { Command, CommandContext, describeFailure, integerOption, UsageError, writeJson } from '../cli';
import { CsvEventMapper, CsvHeaderError, csvRecordContinues, PreparedRecord, prepareNdjsonLine } from '../import/event-lines';
import { fileHead, ImportState, keyPrefixFor, loadState, refusedPathFor, resumeRefusal, saveState, statePathFor } from '../import/import-state';
import { FileRecord, readRecords } from '../import/record-reader';
import { ProgressLine } from '../output/progress';

const LIMITS = { batch: 500, backfill: 5_000 };
const DEFAULT_BATCH_SIZE = { batch: 500, backfill: 1_000 };
/** Well under the gateway's 8 MiB body limit, whatever the lines' length. */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/** One refused line, as written to the refused-lines file (one JSON object per line). */
interface RefusedLine {
  line: number;
  idempotency_key?: string | null;
  code: string;
  message: string;
  /** The invalid fields of the event (paths inside the event: `value`, `timestamp`). */
  errors?: Array<{ field: string; message: string }>;
  input: string;
}

/** A batch of consecutive records: its events go out in one request. */
interface Batch {
  seq: number;
  events: string[];
  eventRecords: FileRecord[];
  refusals: RefusedLine[];
  /** Records handled (events and refused lines; blank lines not counted). */
  records: number;
  bytes: number;
  /** Byte offsets of its first record and just after its last. */
  start: number;
  end: number;
  nextLine: number;
}

export const eventsImportCommand: Command = {
  name: 'events import',
  arguments: '<file.ndjson|file.csv> [--backfill] [--batch-size n] [--concurrency n] [--restart]',
  summary: 'Import usage events from an NDJSON or CSV file, resumably, with progress',
  help: `Sends the file's events through POST /v1/events/batch (500 per request), or with --backfill
through POST /v1/events/backfill (historical usage written straight to the events store, aggregates
rebuilt at once). Progress (bar, events, rate, ETA) goes to stderr.

NDJSON: one event per line, as the API takes it. CSV: a header row naming the columns customer_id,
metric_key, timestamp (required), subscription_id, value, idempotency_key, properties (a JSON
object) and properties.<name> (one property each). Values are sent exactly as written.

Resumable: how far the engine has acknowledged is kept in <file>.abaxus-progress; run the same
command again after an interruption (Ctrl-C, a crash, the engine away) and it goes on from there.
Re-sending is safe: every event has an idempotency key, and a line without one gets a key made of
the file's path and the line number (so keep the file where it is between runs). A file whose
beginning changed is not resumed: --restart imports it from the start.

Refused lines (bad JSON or CSV here, or refused by the engine with its reasons) are written to
<file>.abaxus-refused.ndjson, one JSON object per line: line, code, message, errors, input.

Options:
  --backfill            use the backfill endpoint (up to 5,000 events per request)
  --batch-size <n>      events per request (default 500; 1,000 with --backfill)
  --concurrency <n>     requests in flight (default 4)
  --format <ndjson|csv> when the file's extension does not tell
  --refused <path>      where to write the refused lines
  --restart             ignore the saved progress and start from the beginning

Exit status: 0 when the whole file was imported (refused lines included), 1 on an error (the
progress is kept: run again to resume), 130 when interrupted.`,
  options: {
    backfill: { type: 'boolean' },
    'batch-size': { type: 'string' },
    concurrency: { type: 'string' },
    format: { type: 'string' },
    refused: { type: 'string' },
    restart: { type: 'boolean' },
  },
  run: importEvents,
};

async function importEvents(context: CommandContext): Promise<number> {
  const { values, io } = context;
  if (context.positionals.length !== 1) throw new UsageError('name one file to import');
  let input: string;
  try {
    input = realpathSync(context.positionals[0]);
  } catch {
    throw new UsageError(`no file ${context.positionals[0]}`);
  }
  const format = (values.format as string | undefined) ?? formatOf(input);
  if (format !== 'ndjson' && format !== 'csv') throw new UsageError('--format must be ndjson or csv');
  const endpoint = values.backfill ? 'backfill' : 'batch';
  const batchSize = integerOption(values, 'batch-size', DEFAULT_BATCH_SIZE[endpoint], LIMITS[endpoint]);
  const concurrency = integerOption(values, 'concurrency', 4, 64);
  const statePath = statePathFor(input);
  const refusedPath = (values.refused as string | undefined) ?? refusedPathFor(input);
  const size = statSync(input).size;

  // Where to start: the saved progress, or the beginning (after a CSV header).
  let csv: CsvEventMapper | undefined;
  let dataStart = { offset: 0, line: 1 };
  if (format === 'csv') {
    const header = await firstRecord(input);
    if (!header) throw new UsageError(`${input} is empty: a CSV file starts with a header row`);
    try {
      csv = new CsvEventMapper(header.text);
    } catch (error) {
      if (error instanceof CsvHeaderError) throw new UsageError(`${basename(input)}: ${error.message}`);
      throw error;
    }
    dataStart = { offset: header.end, line: header.lastLine + 1 };
  }
  let state = values.restart ? undefined : loadState(statePath);
  const resumedFrom = state ? { line: state.line, offset: state.offset } : undefined;
  if (state) {
    const refusal = resumeRefusal(state, input, size);
    if (refusal) throw new UsageError(`cannot resume from ${statePath}: ${refusal}. Run with --restart to import the file from the beginning.`);
    if (existsSync(refusedPath) && statSync(refusedPath).size > state.refusedFileBytes) truncateSync(refusedPath, state.refusedFileBytes);
  } else {
    state = { version: 1, input, ...fileHead(input, size), ...dataStart, accepted: 0, refused: 0, refusedFileBytes: 0, updatedAt: new Date().toISOString() };
    if (existsSync(refusedPath)) writeFileSync(refusedPath, '');
    saveState(statePath, state);
  }
  const saved: ImportState = state;
  const keyPrefix = keyPrefixFor(input);
  const prepare = (record: FileRecord): PreparedRecord =>
    csv ? csv.prepare(record.text, `${keyPrefix}${record.line}`) : prepareNdjsonLine(record.text, `${keyPrefix}${record.line}`);

  const progress = new ProgressLine(io.stderr, basename(input), 'events', { enabled: !context.quiet, doneAtStart: saved.offset });
  const client = context.client({
    retry: { maxAttempts: 8, maxDelayMs: 10_000 },
    onRetry: (notice) => progress.note(`retrying (attempt ${notice.attempt} in ${notice.delayMs} ms): ${notice.reason.message}`),
  });
  const send = (events: string[]) => (endpoint === 'backfill' ? client.events.backfillJson(events) : client.events.sendBatchJson(events));

  // Batches complete in any order; the saved progress only moves over an unbroken prefix of them.
  const answered = new Map<number, { batch: Batch; results: EventItemResult[] }>();
  let nextToRecord = 0;
  let handledThisRun = 0;
  const recordAnswered = () => {
    for (let entry = answered.get(nextToRecord); entry; entry = answered.get(nextToRecord)) {
      answered.delete(nextToRecord);
      nextToRecord += 1;
      const refusals = [...entry.batch.refusals, ...refusalsOf(entry.batch, entry.results)].sort((a, b) => a.line - b.line);
      if (refusals.length) {
        const text = refusals.map((refusal) => `${JSON.stringify(refusal)}\n`).join('');
        appendFileSync(refusedPath, text);
        saved.refusedFileBytes += Buffer.byteLength(text);
      }
      saved.refused += refusals.length;
      saved.accepted += entry.batch.records - refusals.length;
      saved.offset = entry.batch.end;
      saved.line = entry.batch.nextLine;
      saved.updatedAt = new Date().toISOString();
      saveState(statePath, saved);
      handledThisRun += entry.batch.records;
      progress.update({ done: saved.offset, total: size, count: handledThisRun, refused: saved.refused });
    }
  };

  let failure: unknown;
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    progress.note('interrupted: waiting for the requests in flight (Ctrl-C again to quit at once; the progress is saved either way)');
  };
  process.on('SIGINT', onSigint);
  const inFlight = new Set<Promise<void>>();
  const dispatch = async (batch: Batch) => {
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure !== undefined) return;
    const request = (batch.events.length ? send(batch.events) : Promise.resolve([]))
      .then(
        (results) => {
          answered.set(batch.seq, { batch, results });
          recordAnswered();
        },
        (error: unknown) => {
          failure ??= error;
        },
      )
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };

  const startedAt = Date.now();
  let seq = 0;
  const newBatch = (offset: number, line: number): Batch => ({
    seq: seq++,
    events: [],
    eventRecords: [],
    refusals: [],
    records: 0,
    bytes: 0,
    start: offset,
    end: offset,
    nextLine: line,
  });
  let batch = newBatch(saved.offset, saved.line);
  let reachedEnd = false;
  progress.update({ done: saved.offset, total: size, count: 0, refused: saved.refused });
  try {
    reading: {
      for await (const record of readRecords(input, { start: saved.offset, startLine: saved.line, continues: csv ? csvRecordContinues : undefined })) {
        const prepared = prepare(record);
        if (prepared.kind === 'event') {
          batch.events.push(prepared.json);
          batch.eventRecords.push(record);
          batch.bytes += prepared.json.length + 1;
        } else if (prepared.kind === 'refused') batch.refusals.push({ line: record.line, code: prepared.code, message: prepared.message, input: record.text });
        if (prepared.kind !== 'blank') batch.records += 1;
        batch.end = record.end;
        batch.nextLine = record.lastLine + 1;
        if (batch.events.length >= batchSize || batch.bytes >= MAX_BATCH_BYTES || batch.records >= batchSize * 4) {
          await dispatch(batch);
          batch = newBatch(batch.end, batch.nextLine);
        }
        if (interrupted || failure !== undefined) break reading;
      }
      reachedEnd = true;
    }
    // The last, partial batch (not when interrupted or failed: a re-run reads it again).
    if (batch.end > batch.start && reachedEnd) await dispatch(batch);
    await Promise.all(inFlight);
  } finally {
    process.removeListener('SIGINT', onSigint);
    progress.finish();
  }

  const completed = reachedEnd && failure === undefined && saved.offset === batch.end;
  const elapsedSeconds = (Date.now() - startedAt) / 1000;
  const summary = {
    file: input,
    endpoint: `POST /v1/events/${endpoint}`,
    completed,
    lines: saved.line - 1,
    accepted: saved.accepted,
    refused: saved.refused,
    refused_file: saved.refused > 0 ? refusedPath : null,
    resumed_from_line: resumedFrom && resumedFrom.offset > dataStart.offset ? resumedFrom.line : null,
    handled_this_run: handledThisRun,
    elapsed_seconds: Number(elapsedSeconds.toFixed(3)),
    events_per_second: elapsedSeconds > 0 ? Math.round(handledThisRun / elapsedSeconds) : null,
    progress_file: statePath,
    error: failure === undefined ? null : describeFailure(failure, context.url),
  };
  if (context.json) writeJson(io, summary);
  else io.stdout.write(`${humanSummary(summary, interrupted)}\n`);
  if (failure !== undefined) {
    io.stderr.write(`abaxus events import: ${summary.error}\nThe progress is saved in ${statePath}: run the same command again to resume.\n`);
    return 1;
  }
  return interrupted && !completed ? 130 : 0;
}

function refusalsOf(batch: Batch, results: EventItemResult[]): RefusedLine[] {
  return results
    .filter((result) => result.status === 400)
    .map((result) => {
      const record = batch.eventRecords[result.index];
      return {
        line: record.line,
        idempotency_key: result.idempotency_key,
        code: result.error?.code ?? 'refused',
        message: result.error?.detail ?? 'refused by the engine',
        // `events[3].value` → `value`: the path inside the event on that line.
        errors: (result.error?.errors ?? []).map((error) => ({ field: error.field.replace(/^events\[\d+\]\.?/, '') || '(event)', message: error.message })),
        input: record.text,
      };
    });
}

function humanSummary(summary: { [key: string]: unknown; accepted: number; refused: number; lines: number }, interrupted: boolean): string {
  const counts = `${summary.accepted.toLocaleString('en')} events accepted, ${summary.refused.toLocaleString('en')} lines refused`;
  const lines = [
    summary.completed
      ? `Imported ${summary.file} through ${summary.endpoint}: ${counts} (${summary.lines.toLocaleString('en')} lines).`
      : `${interrupted ? 'Interrupted' : 'Stopped'} at line ${(summary.lines + 1).toLocaleString('en')} of ${summary.file}: ${counts} so far. Run the same command again to resume.`,
  ];
  if (summary.resumed_from_line !== null) lines.push(`Resumed at line ${Number(summary.resumed_from_line).toLocaleString('en')}.`);
  lines.push(
    `This run: ${Number(summary.handled_this_run).toLocaleString('en')} lines in ${summary.elapsed_seconds} s (${Number(summary.events_per_second ?? 0).toLocaleString('en')} lines/s).`,
  );
  if (summary.refused_file) lines.push(`Refused lines and their reasons: ${summary.refused_file}`);
  return lines.join('\n');
}

function formatOf(path: string): string | undefined {
  const extension = extname(path).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (['.ndjson', '.jsonl', '.json'].includes(extension)) return 'ndjson';
  throw new UsageError(`cannot tell the format of ${basename(path)} from its extension: add --format ndjson or --format csv`);
}

async function firstRecord(path: string): Promise<FileRecord | undefined> {
  for await (const record of readRecords(path, { continues: csvRecordContinues })) return record;
  return undefined;
}
