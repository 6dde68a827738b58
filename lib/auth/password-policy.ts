/**
 * What a new password is checked against besides its length (T03; NIST 800-63B-4
 * §3.1.1.2 "commonly used, expected or compromised values"; ASVS V6.2.4, V6.2.11,
 * V6.2.12). Pure and offline — no network, no download — so the same check runs in
 * the browser form (zod) and on the server; lib/validation/auth NewPasswordSchema
 * applies it to every password a person sets (invitation, reset, change, first admin).
 *
 * Two checks, never composition rules (no "add a digit / a capital"):
 *  1. the value itself (case, spacing and look-alike digits ignored) is on a small
 *     built-in list of breached and commonly chosen long passwords;
 *  2. the value is predictable: once common words, the product's name and context
 *     words, digits (years, dates, sequences), punctuation and spacing are taken
 *     out, fewer than 4 different characters are left — `Password1234567!`,
 *     `Warden2026Warden2026`, `aaaaaaaaaaaaaaaa`, `qwerty-qwerty-qwerty`.
 *
 * The built-in lists are short on purpose (a deviation from the "top 100k plus
 * offline HIBP range" of the requirements, noted in docs/security/threat-model.md):
 * the length floor of 15 already removes nearly all of any top-N list, and the
 * predictability rule catches the patterns long common passwords are made of.
 */

/** Look-alike substitutions (p@ssw0rd → password). */
const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' };

/** Breached / commonly chosen passwords of 15+ characters, in canonical form (see canonical()). */
const BREACHED = new Set(
  [
    '123456789012345',
    '1234567890123456',
    '12345678901234567890',
    '123456789987654321',
    '111111111111111',
    '000000000000000',
    '147258369147258369',
    '1q2w3e4r5t6y7u8i',
    '1q2w3e4r5t6y7u8i9o0p',
    '1qaz2wsx3edc4rfv',
    '1qaz2wsx3edc4rfv5tgb',
    'zaq12wsxcde34rfv',
    'zaq1xsw2cde3vfr4',
    'qazwsxedcrfvtgbyhn',
    'qwertyuiopasdfgh',
    'qwertyuiopasdfghjkl',
    'qwertyuiopasdfghjklzxcvbnm',
    'asdfghjklqwertyuiop',
    '1234qwerasdfzxcv',
    'abcdefghijklmnop',
    'abcdefghijklmnopqrstuvwxyz',
    'abcdefghijklmno',
    'passwordpassword',
    'password1234567',
    'password12345678',
    'password123456789',
    'mypasswordismypassword',
    'thisismypassword',
    'iloveyouiloveyou',
    'iloveyou12345678',
    'iloveyouforever',
    'ihateyouihateyou',
    'correcthorsebatterystaple',
    'thequickbrownfox',
    'thequickbrownfoxjumpsoverthelazydog',
    'trustno1trustno1',
    'letmeinletmein',
    'welcomewelcome',
    'changemechangeme',
    'administrator123',
    'administrator1234',
    'qwerty123456789',
    'qwertyqwertyqwerty',
    'football12345678',
    'baseball12345678',
    'superman12345678',
    'starwarsstarwars',
    'sunshinesunshine',
    'princessprincess',
    'manchesterunited',
    'liverpoolfc1892',
    'michaeljordan23',
    'blink182blink182',
    'pokemonpokemon',
    'iamthebestintheworld',
    'letmeinpleaseletmein',
    'nopasswordnopassword',
  ].map((p) => canonical(p)),
);

/** Common words, the product's name and context words: what guessable passwords are built from. */
const COMMON_WORDS = [
  'password',
  'passwort',
  'passphrase',
  'pass',
  'warden',
  'console',
  'admin',
  'administrator',
  'superadmin',
  'auditor',
  'support',
  'security',
  'secure',
  'secret',
  'login',
  'logon',
  'signin',
  'user',
  'root',
  'guest',
  'test',
  'default',
  'changeme',
  'change',
  'welcome',
  'letmein',
  'hello',
  'iloveyou',
  'love',
  'trustno',
  'qwerty',
  'qwertz',
  'azerty',
  'asdf',
  'zxcv',
  'qaz',
  'wsx',
  'abc',
  'monkey',
  'dragon',
  'master',
  'shadow',
  'sunshine',
  'princess',
  'superman',
  'batman',
  'football',
  'baseball',
  'soccer',
  'hockey',
  'starwars',
  'pokemon',
  'freedom',
  'whatever',
  'summer',
  'winter',
  'spring',
  'autumn',
  'january',
  'february',
  'march',
  'april',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
  'monday',
  'friday',
  'company',
  'office',
].sort((a, b) => b.length - a.length);

/** Lower case, compatibility-normalised, without spaces, punctuation or symbols of ASCII, look-alikes mapped. */
function canonical(p: string): string {
  return [...p.normalize('NFKC').toLowerCase()]
    .map((c) => LEET[c] ?? c)
    .join('')
    .replace(/[\s!-/:-@[-`{-~]/g, '');
}

/** Fewer than 4 different characters once common words, digits, punctuation and spacing are removed. */
function predictable(p: string, extraWords: readonly string[]): boolean {
  const lower = p.normalize('NFKC').toLowerCase();
  const words = [...COMMON_WORDS, ...extraWords.map((w) => w.normalize('NFKC').toLowerCase()).filter((w) => [...w].length >= 3)].sort(
    (a, b) => b.length - a.length,
  );
  const leftover = (s: string) => {
    for (const w of words) s = s.split(w).join('');
    return new Set([...s.replace(/[\s\d!-/:-@[-`{-~]/g, '')]).size;
  };
  const leet = [...lower].map((c) => LEET[c] ?? c).join('');
  return leftover(lower) < 4 || leftover(leet) < 4;
}

export const BREACHED_PASSWORD_MESSAGE = 'This password appears in lists of breached or common passwords. Choose another.';
export const PREDICTABLE_PASSWORD_MESSAGE =
  'This password is easy to guess: it is made of common words, the product name, dates or repeated characters. Try a longer phrase of your own.';

/**
 * Why a new password is refused, or null when it is acceptable (length is checked
 * separately). `contextWords` are words of the person or place (email local part,
 * name) that a guesser would try; the product's name is always one.
 */
export function passwordProblem(password: string, contextWords: readonly string[] = []): string | null {
  if (BREACHED.has(canonical(password))) return BREACHED_PASSWORD_MESSAGE;
  if (predictable(password, contextWords)) return PREDICTABLE_PASSWORD_MESSAGE;
  return null;
}
