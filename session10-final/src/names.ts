/**
 * Uploaded file names are data, never paths: the API keeps a display name for humans and
 * stores every file under a name it makes itself (the job id).
 */

/**
 * A harmless display name for an uploaded file: the last path segment (either slash), without
 * control characters, at most 120 characters; `upload` when nothing is left.
 * @example safeDisplayName('../../etc/passwd.jpg') // 'passwd.jpg'
 */
export function safeDisplayName(name: string | undefined): string {
  const last = (name ?? '').split(/[\\/]/).pop() ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
  const clean = last.replace(/[\u0000-\u001f\u007f"]/g, '').trim();
  const dotless = clean.replace(/^\.+/, '');
  return dotless.slice(0, 120) || 'upload';
}
