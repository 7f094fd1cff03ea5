import { expect, test } from "bun:test";
import { frameBytes, parseKeys } from "./terminal.ts";

test("raw input becomes key names", () => {
  expect(parseKeys("q")).toEqual(["q"]);
  expect(parseKeys("\x1b[A\x1b[Bj")).toEqual(["up", "down", "j"]);
  expect(parseKeys("\x1bOA")).toEqual(["up"]);
  expect(parseKeys("\x1b")).toEqual(["escape"]);
  expect(parseKeys("\x03")).toEqual(["ctrl-c"]);
  expect(parseKeys("\r")).toEqual(["enter"]);
  expect(parseKeys("\x1b[C\x1b[D\x1b[15~x")).toEqual(["right", "left", "x"]);
  expect(parseKeys("\x7f")).toEqual(["backspace"]);
});

test("a frame overwrites in place: home, each short row cleared to its end, no screen clear", () => {
  const bytes = frameBytes(["ab", "wxyz"], 4);
  expect(bytes).toBe("\x1b[?2026h\x1b[Hab\x1b[K\r\nwxyz\x1b[?2026l");
  expect(bytes).not.toContain("\x1b[2J");
});
