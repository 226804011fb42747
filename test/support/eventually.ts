/**
 * Polls until `check` stops throwing: for effects that arrive asynchronously through a watch.
 * Not a sleep standing in for a clock: it returns as soon as the effect is visible.
 */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await check()
    } catch (err) {
      if (Date.now() > deadline) throw err
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
}
