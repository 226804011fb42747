// Debian's headless Chromium through playwright-core, and screenshots under test-results/.
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'

const SHOTS = fileURLToPath(new URL('../../test-results/', import.meta.url))

export function launchChromium(): Promise<Browser> {
  mkdirSync(SHOTS, { recursive: true })
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

/** A page in a context of its own (sessionStorage, where the token lives, is not shared), in UTC. */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, timezoneId: 'UTC', locale: 'en-GB' })
  return context.newPage()
}

export async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  const path = `${SHOTS}console-${name}.png`
  await page.screenshot({ path, fullPage })
  console.log(`screenshot: ${path}`)
}
