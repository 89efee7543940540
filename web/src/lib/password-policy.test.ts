import { describe, expect, it } from 'vitest';
import { passwordAcceptable, passwordRules } from './password-policy.ts';

describe('password policy checklist', () => {
  it.each([
    ['', false],
    ['short1!A', true],
    ['alllowercase1!', false],
    ['ALLUPPERCASE1!', false],
    ['NoDigits!!', false],
    ['NoSymbols123', false],
    ['Ünïcode-ok1', true],
  ])('%j → all met: %s, and agrees with the API schema', (password, ok) => {
    expect(passwordRules(password).every((rule) => rule.met)).toBe(ok);
    expect(passwordAcceptable(password)).toBe(ok);
  });

  it('names each unmet rule', () => {
    expect(
      passwordRules('abc')
        .filter((rule) => !rule.met)
        .map((rule) => rule.id),
    ).toEqual(['length', 'upper', 'digit', 'symbol']);
  });
});
