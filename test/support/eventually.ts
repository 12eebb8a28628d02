/**
 * Polls a probe until its value holds, or the time is up, and answers the last value (the caller asserts on it, so a
 * failure shows what was seen). For state the service writes after an answer the test has already observed.
 */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  holds: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (holds(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
