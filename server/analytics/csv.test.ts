/** CSV fields: quoted when they must be, and never a formula a spreadsheet would run (CSV injection). */
import { describe, it, expect } from 'vitest';
import { csvField } from './csv.js';

describe('csvField', () => {
  it.each([
    [null, ''],
    [undefined, ''],
    ['plain', 'plain'],
    [42, '42'],
    ['-3', '-3'],
    ['-3.25', '-3.25'],
    ['-12', '-12'],
    ['=1-2', "'=1-2"],
    ['-12.50', '-12.50'],
    ['-1.', "'-1."],
    ['-.5', "'-.5"],
    [new Date('2026-01-02T03:04:05.678Z'), '2026-01-02T03:04:05.678Z'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rhere', '"cr\rhere"'],
    ['=1+1', "'=1+1"],
    ['+1+1', "'+1+1"],
    ['-1+1', "'-1+1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\r=cmd', `"'\r=cmd"`],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['mid=dle', 'mid=dle'],
  ])('%j → %j', (input, out) => {
    expect(csvField(input)).toBe(out);
  });
});
