import { Client } from 'pg';
import { NotificationHandlers } from './database';

function escapeIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Every NOTIFY channel a process listens to, on one connection of its own (a pooled one would be handed to other
 * work), however many parts listen: the validate copy, Shared Signals and the replica routing would otherwise hold
 * one connection each per process.
 *
 * Each handler is told `onListening` once its channel is listened to on a connection (at first, after every
 * reconnect), and `onGap` as soon as that connection drops; it then tries again every second. Changes are applied
 * one at a time (a promise chain), so a channel added while a connection is being made is never missed. Never
 * throws: a server that is down at the first try is a gap from the start.
 */
export class SharedListener {
  private readonly channels = new Map<string, Set<NotificationHandlers>>();
  private client: Client | null = null;
  /** The channels LISTENed to on `client`. */
  private listened = new Set<string>();
  /** The handlers told `onListening` on `client`. */
  private told = new Set<NotificationHandlers>();
  private applying: Promise<void> = Promise.resolve();
  private retry?: NodeJS.Timeout;

  constructor(private readonly connect: () => Client) {}

  async listen(channel: string, handlers: NotificationHandlers): Promise<() => Promise<void>> {
    let subscribers = this.channels.get(channel);
    if (!subscribers) this.channels.set(channel, (subscribers = new Set()));
    subscribers.add(handlers);
    await this.apply();
    return async () => {
      subscribers.delete(handlers);
      this.told.delete(handlers);
      if (subscribers.size === 0 && this.channels.get(channel) === subscribers) this.channels.delete(channel);
      await this.apply();
    };
  }

  /** Brings the connection in line with `channels`, after whatever change is under way. */
  private apply(): Promise<void> {
    this.applying = this.applying.then(() => this.sync());
    return this.applying;
  }

  private async sync(): Promise<void> {
    clearTimeout(this.retry);
    if (this.channels.size === 0) {
      const client = this.client;
      this.drop();
      await client?.end().catch(() => undefined);
      return;
    }
    const client = this.client ?? (await this.open());
    if (!client) return;
    const removed = [...this.listened].filter((channel) => !this.channels.has(channel));
    const wanted = [...this.channels.keys()];
    try {
      // Every channel in one statement (LISTEN is idempotent): the connection's last query names them all.
      const statements = [
        ...removed.map((channel) => `UNLISTEN ${escapeIdentifier(channel)}`),
        ...wanted.map((channel) => `LISTEN ${escapeIdentifier(channel)}`),
      ];
      if (removed.length > 0 || wanted.some((channel) => !this.listened.has(channel)))
        await client.query(statements.join('; '));
    } catch {
      this.lost(client);
      return;
    }
    if (client !== this.client) return;
    this.listened = new Set(wanted);
    for (const subscribers of this.channels.values())
      for (const handlers of subscribers)
        if (!this.told.has(handlers)) {
          this.told.add(handlers);
          handlers.onListening?.();
        }
  }

  /** A new connection, or null (and a retry in a second) when the server does not take one. */
  private async open(): Promise<Client | null> {
    const client = this.connect();
    client.on('notification', (message) => {
      for (const handlers of this.channels.get(message.channel) ?? []) handlers.onNotify(message.payload ?? '');
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
    } catch {
      client.end().catch(() => undefined);
      this.scheduleRetry();
      return null;
    }
    this.client = client;
    return client;
  }

  /** The connection dropped: every handler told it was listening hears of the gap; a new one in a second. */
  private lost(client: Client): void {
    if (client !== this.client) return;
    const told = this.told;
    this.drop();
    client.end().catch(() => undefined);
    for (const handlers of told) handlers.onGap?.();
    this.scheduleRetry();
  }

  private drop(): void {
    this.client = null;
    this.listened = new Set();
    this.told = new Set();
  }

  private scheduleRetry(): void {
    clearTimeout(this.retry);
    if (this.channels.size > 0) this.retry = setTimeout(() => void this.apply(), 1000);
  }
}
