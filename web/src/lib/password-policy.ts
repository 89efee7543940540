import { Password } from '@videoforge/contracts';

export interface PolicyRule {
  id: 'length' | 'upper' | 'lower' | 'digit' | 'symbol';
  label: string;
  met: boolean;
}

/**
 * The API's password policy as a checklist the register form shows while typing. The
 * same rules as contracts' Password schema, which still has the final say.
 */
export function passwordRules(password: string): PolicyRule[] {
  return [
    { id: 'length', label: 'At least 8 characters', met: [...password].length >= 8 },
    { id: 'upper', label: 'An upper-case letter', met: /\p{Lu}/u.test(password) },
    { id: 'lower', label: 'A lower-case letter', met: /\p{Ll}/u.test(password) },
    { id: 'digit', label: 'A digit', met: /\p{Nd}/u.test(password) },
    { id: 'symbol', label: 'A symbol', met: /[^\p{L}\p{Nd}]/u.test(password) },
  ];
}

export function passwordAcceptable(password: string): boolean {
  return Password.safeParse(password).success;
}
