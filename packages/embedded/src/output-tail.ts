/**
 * The last lines a child process printed. Server output is too chatty for the log (Postgres reports every
 * failed query), but when a start fails those lines are the explanation, so they go into the Error.
 */
export class OutputTail {
  private lines: string[] = [];

  constructor(private readonly maxLines = 200) {}

  push(chunk: string): void {
    for (const line of chunk.split(/\r?\n/)) {
      if (line.trim() !== "") this.lines.push(line);
    }
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
  }

  includes(text: string): boolean {
    return this.lines.some((line) => line.includes(text));
  }

  toString(): string {
    return this.lines.length === 0 ? "(no output)" : this.lines.join("\n");
  }
}
