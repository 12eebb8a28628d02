/**
 * Group commit: calls that arrive while earlier ones run wait, then go together in one statement. Under load a
 * statement, its round trip and (for writes) its commit and statement-level triggers serve many calls; an idle
 * service runs each call at once. Used for logins (login-batches.ts) and the user lookups before them.
 *
 * Hand-written: the batching libraries on npm (dataloader and its kin) gather per event-loop tick, which under load
 * makes groups of one or two; this one gathers for as long as a statement is running, which is what amortises it.
 *
 * When a statement of several items fails, each item runs again alone, so each gets its own answer (one bad value
 * fails only its own call).
 */
export interface GatheredOptions<Item> {
  /** How many statements run at once. */
  atOnce: number;
  /** Most items in one statement. */
  most: number;
  /** Items with the same key never share a statement (a later one waits for the next). */
  apart?: (item: Item) => unknown;
}

interface Waiting<Item, Answer> {
  item: Item;
  resolve(answer: Answer): void;
  reject(error: unknown): void;
}

export class Gathered<Item, Answer> {
  private readonly waiting: Waiting<Item, Answer>[] = [];
  private running = 0;

  /** `run` answers each item, in the order given. */
  constructor(
    private readonly run: (items: Item[]) => Promise<Answer[]>,
    private readonly options: GatheredOptions<Item>,
  ) {}

  add(item: Item): Promise<Answer> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.running < this.options.atOnce && this.waiting.length > 0) {
      const group = this.take();
      this.running++;
      void this.runGroup(group).finally(() => {
        this.running--;
        this.next();
      });
    }
  }

  /** The next statement's items: the longest waiting first, the others keeping their turn. */
  private take(): Waiting<Item, Answer>[] {
    const { most, apart } = this.options;
    const group: Waiting<Item, Answer>[] = [];
    const keys = new Set<unknown>();
    let kept = 0;
    for (const waiting of this.waiting) {
      const key = apart?.(waiting.item);
      if (group.length < most && (!apart || !keys.has(key))) {
        keys.add(key);
        group.push(waiting);
      } else this.waiting[kept++] = waiting;
    }
    this.waiting.length = kept;
    return group;
  }

  private async runGroup(group: Waiting<Item, Answer>[]): Promise<void> {
    try {
      const answers = await this.run(group.map((w) => w.item));
      group.forEach((waiting, i) => waiting.resolve(answers[i]));
    } catch (error) {
      if (group.length === 1) group[0].reject(error);
      else await Promise.all(group.map((waiting) => this.runGroup([waiting])));
    }
  }
}
