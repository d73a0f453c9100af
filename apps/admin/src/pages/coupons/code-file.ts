/**
 * A file of coupon codes as `coupons.importCodes` takes it: its lines, sent in chunks. The server reads each
 * line's first CSV field and treats a first line reading `code` as a header; this only counts what it will
 * read, to show before anything is sent, and cuts the lines so that each chunk reads as the file does.
 */

/** The first field of a CSV line, near enough to count lines that hold a code. */
const firstField = (line: string) =>
  line
    .trim()
    .replace(/^"/, "")
    .split(/[,;\t"]/)[0]!
    .trim();

export interface CodeFile {
  lines: string[];
  /** Lines holding a code, the header left out. */
  codes: number;
}

export function readCodeFile(text: string): CodeFile {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  while (lines.length > 0 && lines.at(-1)!.trim() === "") lines.pop();
  let codes = 0;
  lines.forEach((line, i) => {
    const value = firstField(line);
    if (value && !(i === 0 && value.toLowerCase() === "code")) codes++;
  });
  return { lines, codes };
}

export interface CodeChunk {
  csvLines: string[];
  /** Added to a line number the server reports for this chunk, it is the file's line number. */
  lineOffset: number;
  /** The file's lines this chunk carries, for the progress bar. */
  size: number;
}

/**
 * The file's lines `size` at a time. Every chunk after the first starts with an empty line, which the server
 * skips: otherwise a chunk starting with the code `CODE` would lose it as a "header".
 */
export function codeChunks(lines: readonly string[], size: number): CodeChunk[] {
  const chunks: CodeChunk[] = [];
  for (let start = 0; start < lines.length; start += size) {
    const part = lines.slice(start, start + size);
    if (!part.some((l) => l.trim() !== "")) continue; // nothing in it to send
    chunks.push(
      start === 0
        ? { csvLines: part, lineOffset: 0, size: part.length }
        : { csvLines: ["", ...part], lineOffset: start - 1, size: part.length },
    );
  }
  return chunks;
}
