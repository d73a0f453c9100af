import { describe, expect, it } from "vitest";
import { codeChunks, readCodeFile } from "../src/pages/coupons/code-file.ts";

describe("readCodeFile", () => {
  it("counts the lines holding a code, leaving out a header, blank lines and a final newline", () => {
    expect(readCodeFile("code\r\nPARTNER-0001\n\nPARTNER-0002\n").codes).toBe(2);
    expect(readCodeFile('\uFEFF"code",uses\n"P-0001",0\n').codes).toBe(1);
    expect(readCodeFile("P-0001;x\nCODE\n").codes).toBe(2); // "code" is a header on the first line only
    expect(readCodeFile("").codes).toBe(0);
  });
});

describe("codeChunks", () => {
  const lines = ["code", "A-0001", "CODE", "", "A-0003", ""];

  it("cuts the lines so each chunk reads as the file does, with line numbers that lead back to it", () => {
    expect(codeChunks(lines, 2)).toEqual([
      { csvLines: ["code", "A-0001"], lineOffset: 0, size: 2 },
      // The empty first line keeps the code CODE from being read as a header; the server numbers it 2.
      { csvLines: ["", "CODE", ""], lineOffset: 1, size: 2 },
      { csvLines: ["", "A-0003", ""], lineOffset: 3, size: 2 },
    ]);
  });

  it("sends nothing for a chunk of blank lines", () => {
    expect(codeChunks(["A-0001", "", "", "A-0002"], 1).map((c) => c.csvLines)).toEqual([["A-0001"], ["", "A-0002"]]);
  });
});
