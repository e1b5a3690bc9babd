import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { bestEffortRedisOptions, closeRedis, redisConfig, type RedisConfig } from '@snip/cache';
import Redis from 'ioredis';
import { visitsConfig, type VisitsConfig } from '../config/visits.config';
import { compareEntryIds, fromStreamFields, toStreamFields, type PendingVisit } from './visit';
import { VisitQueue } from './visit-queue';
import { VisitWriter } from './visit-writer';

type Entry = [id: string, fields: string[] | null];

/** A failed Redis call is logged at most this often; the loop keeps retrying every flush interval. */
const ERROR_LOG_INTERVAL_MS = 5000;

/**
 * The durable visit queue shared by every replica: each redirect appends its visit to a Redis
 * Stream; a consumer group hands batches to the replicas, each writes a batch in one transaction and
 * acknowledges it only after the commit. What a killed replica had read is taken over by another
 * (XAUTOCLAIM) once idle for VISITS_CLAIM_IDLE_MS; re-delivered visits count once (VisitWriter).
 */
@Injectable()
export class VisitStream implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('VisitStream');
  /** Appends, plus the non-blocking reads and acknowledgements of the shutdown drain. */
  private readonly writer: Redis | undefined;
  /** The consumer loop's connection: its reads block for up to a flush interval. */
  private readonly reader: Redis | undefined;
  private readonly key: string;
  /** One consumer per process; in Kubernetes the host name is the pod name. */
  readonly consumer = `${hostname()}-${process.pid}`;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private groupReady = false;
  /** Read this consumer's own unacknowledged visits before new ones (after a failed write or ack). */
  private retryOwn = false;
  private nextClaimAt = 0;
  private lastErrorLogAt = 0;
  private closing = false;
  /**
   * Visits this process appended that no consumer has read yet, in stream order. Should Redis lose
   * them (a restart without persistence, a failover), they are written from memory instead.
   */
  private inTransit: Array<{ readonly entryId: string; readonly visit: PendingVisit }> = [];

  constructor(
    @Inject(redisConfig.KEY) redis: RedisConfig,
    @Inject(visitsConfig.KEY) private readonly config: VisitsConfig,
    private readonly visits: VisitWriter,
    private readonly queue: VisitQueue,
  ) {
    // Prefixed here rather than through ioredis' keyPrefix, which does not reach the keys of XGROUP and XINFO.
    this.key = `${redis.keyPrefix}${config.streamKey}`;
    if (!redis.url) return;
    const options = bestEffortRedisOptions(redis);
    this.writer = new Redis(redis.url, { ...options, connectionName: 'snip-visits' });
    this.reader = new Redis(redis.url, {
      ...options,
      commandTimeout: config.flushIntervalMs + redis.commandTimeoutMs,
      connectionName: 'snip-visits-reader',
    });
    // Connection errors surface through the commands that fail; the loop logs those.
    this.writer.on('error', () => undefined);
    this.writer.on('close', () => this.rescueInTransit('connection to Redis lost'));
    this.reader.on('error', () => undefined);
  }

  onApplicationBootstrap(): void {
    if (!this.reader) return;
    this.nextClaimAt = Date.now();
    this.loop = this.run(this.reader);
  }

  /**
   * Appends a visit in one round trip, bounded by REDIS_COMMAND_TIMEOUT_MS; false when Redis is not
   * connected or did not confirm (the caller keeps the visit in memory; should Redis have stored it
   * after all, the visit id makes the second copy count once).
   */
  async append(visit: PendingVisit): Promise<boolean> {
    if (!this.writer || this.writer.status !== 'ready') return false;
    try {
      const entryId = await this.writer.xadd(this.key, 'MAXLEN', '~', this.config.streamMaxLen, '*', ...toStreamFields(visit));
      if (entryId && this.inTransit.length < this.config.maxQueue) this.inTransit.push({ entryId, visit });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Shutdown: stops reading, lets the batch in progress finish and be acknowledged, then writes
   * this consumer's unacknowledged visits and what the stream still holds, until a read comes back
   * short or `deadline` passes. What is left stays in Redis for the other replicas.
   */
  async drain(deadline: number): Promise<void> {
    if (!this.writer || !this.reader) return;
    this.stopping = true;
    this.wake?.();
    // The loop's Redis calls are cut off (a read may block, and a hung Redis holds any call up to the
    // reader's timeout); what they were delivered or could not acknowledge is read back below as this
    // consumer's own, and re-written batches count once.
    this.reader.disconnect();
    await this.loop;
    this.retryOwn = true;
    while (Date.now() < deadline && this.writer.status === 'ready') {
      try {
        const own = this.retryOwn;
        const full = own ? await this.readOwn(this.writer) : await this.readNew(this.writer);
        if (!own && !full && !this.retryOwn) break;
        if (this.retryOwn && !full) await sleep(Math.min(200, Math.max(0, deadline - Date.now())));
      } catch (error) {
        // Redis did not answer: what it holds is written by the other replicas (or the next process).
        this.logFailure('drain', error);
        break;
      }
    }
    await this.leaveGroup(this.writer);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    this.stopping = true;
    this.wake?.();
    this.reader?.disconnect();
    await this.loop;
    if (this.writer) await closeRedis(this.writer);
  }

  /** Reads every flush interval (at once again after a full batch); a read with nothing to read blocks up to one interval. */
  private async run(redis: Redis): Promise<void> {
    let full = false;
    while (!this.stopping) {
      if (!full) await this.pause(this.config.flushIntervalMs);
      if (this.stopping) break;
      full = false;
      try {
        await this.releaseRead(redis);
        if (this.retryOwn) {
          full = await this.readOwn(redis);
        } else {
          if (Date.now() >= this.nextClaimAt) {
            await this.claim(redis);
            this.nextClaimAt = Date.now() + Math.max(this.config.flushIntervalMs, this.config.claimIdleMs / 2);
          }
          if (!this.stopping) full = await this.readNew(redis, this.config.flushIntervalMs);
        }
      } catch (error) {
        // A read that timed out may still have been delivered (a hung Redis answers later, to nobody):
        // those entries sit unacknowledged under this consumer, so the next turn reads its own first.
        this.retryOwn = true;
        if (!this.stopping) this.logFailure('read', error);
      }
    }
  }

  /** New visits for this consumer; true when the batch was full (more are probably waiting). */
  private async readNew(redis: Redis, blockMs?: number): Promise<boolean> {
    const entries = await this.read(redis, '>', blockMs);
    if (entries.length === 0) return false;
    await this.process(redis, entries, 0);
    return entries.length >= this.config.batchSize;
  }

  /** This consumer's delivered, unacknowledged visits (a failed write, a lost ack, claimed ones). */
  private async readOwn(redis: Redis): Promise<boolean> {
    const entries = await this.read(redis, '0');
    const full = entries.length >= this.config.batchSize;
    if (!full) this.retryOwn = false;
    if (entries.length === 0) return false;
    return (await this.process(redis, entries, entries.length)) && full;
  }

  /** XREADGROUP of up to one batch: `>` new visits, `0` this consumer's pending ones. */
  private async read(redis: Redis, from: '>' | '0', blockMs?: number): Promise<Entry[]> {
    await this.ensureGroup(redis);
    const { streamGroup: group, batchSize } = this.config;
    try {
      const reply = (
        blockMs === undefined
          ? await redis.xreadgroup('GROUP', group, this.consumer, 'COUNT', batchSize, 'STREAMS', this.key, from)
          : await redis.xreadgroup('GROUP', group, this.consumer, 'COUNT', batchSize, 'BLOCK', blockMs, 'STREAMS', this.key, from)
      ) as Array<[string, Entry[]]> | null;
      return reply?.[0]?.[1] ?? [];
    } catch (error) {
      // A Redis that lost its data (restart without persistence) has no group any more: create it again.
      if (String((error as Error).message).startsWith('NOGROUP')) {
        this.groupReady = false;
        this.rescueInTransit('the consumer group is gone (Redis lost its data)');
      }
      throw error;
    }
  }

  /** Takes over visits another consumer (most likely a killed replica) read and left unwritten for VISITS_CLAIM_IDLE_MS. */
  private async claim(redis: Redis): Promise<void> {
    await this.ensureGroup(redis);
    let cursor = '0-0';
    do {
      const [next, entries, deleted] = (await redis.xautoclaim(
        this.key,
        this.config.streamGroup,
        this.consumer,
        this.config.claimIdleMs,
        cursor,
        'COUNT',
        this.config.batchSize,
      )) as [string, Entry[], string[] | undefined];
      if (deleted && deleted.length > 0) {
        this.logger.error({ event: 'visits.trimmed', count: deleted.length, detail: 'trimmed from the stream before they were written (VISITS_STREAM_MAXLEN)' });
      }
      if (entries.length > 0) {
        this.logger.log({ event: 'visits.claimed', count: entries.length, consumer: this.consumer });
        if (!(await this.process(redis, entries, entries.length))) return;
      }
      cursor = next;
    } while (cursor !== '0-0' && !this.stopping);
  }

  /** Writes a batch, then acknowledges and deletes it (the stream keeps only unwritten visits). */
  private async process(redis: Redis, entries: Entry[], redelivered: number): Promise<boolean> {
    const batch: PendingVisit[] = [];
    let unreadable = 0;
    for (const [, fields] of entries) {
      const visit = fromStreamFields(fields);
      if (visit) batch.push(visit);
      else unreadable++;
    }
    // An entry trimmed while pending reads back without fields; anything else unreadable was not written by Snip.
    if (unreadable > 0) this.logger.error({ event: 'visits.unreadable', count: unreadable, stream: this.key });
    try {
      if (batch.length > 0) await this.visits.write(batch, { source: 'stream', redelivered, queueDepth: this.queue.length });
    } catch (error) {
      this.retryOwn = true;
      this.logFailure('write', error, batch.length);
      return false;
    }
    const ids = entries.map(([id]) => id);
    try {
      const results = await redis.multi().xack(this.key, this.config.streamGroup, ...ids).xdel(this.key, ...ids).exec();
      if (!results || results.some(([error]) => error)) throw new Error('acknowledgement refused');
    } catch (error) {
      // Written but not acknowledged: read again later and skipped as already stored.
      this.retryOwn = true;
      this.logFailure('ack', error, ids.length);
    }
    return true;
  }

  /** Forgets the visits a consumer has read (the group's last-delivered id): from there on, the consumer writes them. */
  private async releaseRead(redis: Redis): Promise<void> {
    if (this.inTransit.length === 0) return;
    const groups = (await redis.xinfo('GROUPS', this.key)) as unknown[][];
    const fields = groups.map((g) => new Map(Array.from({ length: g.length / 2 }, (_, i) => [String(g[2 * i]), g[2 * i + 1]])));
    const lastDelivered = fields.find((g) => g.get('name') === this.config.streamGroup)?.get('last-delivered-id');
    if (typeof lastDelivered !== 'string') return;
    const read = this.inTransit.findIndex(({ entryId }) => compareEntryIds(entryId, lastDelivered) > 0);
    this.inTransit.splice(0, read === -1 ? this.inTransit.length : read);
  }

  /** Hands visits no consumer has read to the in-memory fallback; any also written from the stream counts once. */
  private rescueInTransit(reason: string): void {
    if (this.closing || this.inTransit.length === 0) return;
    const visits = this.inTransit.map(({ visit }) => visit);
    this.inTransit = [];
    this.queue.putBack(visits);
    this.logger.warn({ event: 'visits.rescued', count: visits.length, reason });
  }

  private async ensureGroup(redis: Redis): Promise<void> {
    if (this.groupReady) return;
    try {
      // From the stream's start: visits appended before the group existed are written too.
      await redis.xgroup('CREATE', this.key, this.config.streamGroup, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).startsWith('BUSYGROUP')) throw error;
    }
    this.groupReady = true;
  }

  /** Leaves the group on a clean exit when nothing read is left unwritten (a killed consumer's entry stays, empty once claimed). */
  private async leaveGroup(redis: Redis): Promise<void> {
    try {
      const pending = (await redis.xpending(this.key, this.config.streamGroup, '-', '+', 1, this.consumer)) as unknown[];
      if (pending.length === 0) await redis.xgroup('DELCONSUMER', this.key, this.config.streamGroup, this.consumer);
      else this.logger.warn({ event: 'visits.left_pending', count: pending.length, detail: 'another replica takes them over' });
    } catch (error) {
      this.logFailure('leave', error);
    }
  }

  private pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private logFailure(step: string, error: unknown, count?: number): void {
    if (Date.now() - this.lastErrorLogAt < ERROR_LOG_INTERVAL_MS) return;
    this.lastErrorLogAt = Date.now();
    this.logger.warn({ event: 'visits.stream_failed', step, count, detail: error instanceof Error ? error.message : String(error) });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

