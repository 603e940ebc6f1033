/**
 * JSON.parse, except that integers beyond Number.MAX_SAFE_INTEGER become their exact decimal strings instead
 * of silently rounded numbers. Tencent's samples carry account IDs such as 144115233775727695 as bare JSON
 * numbers; JSON.parse would turn that into 144115233775727700, a different account.
 *
 * It quotes such literals in the text (outside strings) before parsing, so the rest is JSON.parse's own work.
 */
export function parseJsonLosslessly(text: string): unknown {
  return JSON.parse(quoteUnsafeIntegers(text));
}

const DIGIT = /[0-9]/;

export function quoteUnsafeIntegers(text: string): string {
  // Almost every answer has no run of 16 digits at all: then there is nothing to quote, and no scan.
  if (!/\d{16}/.test(text)) return text;
  let out = '';
  let copiedUpTo = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '"') {
      // Skip the string, honouring escapes.
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (ch === '-' || DIGIT.test(ch)) {
      let end = i + 1;
      while (end < text.length && /[0-9eE.+-]/.test(text[end] as string)) end++;
      const literal = text.slice(i, end);
      if (/^-?\d{16,}$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
        out += `${text.slice(copiedUpTo, i)}"${literal}"`;
        copiedUpTo = end;
      }
      i = end;
      continue;
    }
    i++;
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}
