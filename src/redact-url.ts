/** A URL fit for messages and logs: the password hidden (`postgresql://u:***@db/n`), and user info without one too (it may be a token). */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*)(:[^@/]*)?@/, (_match, user: string, password: string | undefined) => (password === undefined ? '//***@' : `//${user}:***@`))
}
