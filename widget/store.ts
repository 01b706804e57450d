/** What the widget remembers in localStorage: the person's details and their requester token. */

export interface Profile {
  name: string;
  email: string;
  devCenter: string;
}

const KEY = 'hd-widget';

interface Saved {
  profile?: Partial<Profile>;
  token?: string;
  tokenEmail?: string;
}

function read(): Saved {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '{}') ?? {};
  } catch {
    return {}; // storage disabled (privacy mode) or corrupted: start afresh
  }
}

function write(patch: Saved) {
  try {
    localStorage.setItem(KEY, JSON.stringify({ ...read(), ...patch }));
  } catch {
    /* storage full or disabled: the widget still works for this visit */
  }
}

/** The remembered name, email and development center. */
export const loadProfile = (): Partial<Profile> => read().profile ?? {};
/** Remembers name, email and development center for the next visit. */
export const saveProfile = (profile: Profile) => write({ profile });
/** The requester token (scoped to one email) from the last ticket created in this browser. */
export const loadToken = (): { token: string; email: string } | null => {
  const s = read();
  return s.token && s.tokenEmail ? { token: s.token, email: s.tokenEmail } : null;
};
/** Keeps the newest requester token. */
export const saveToken = (token: string, email: string) => write({ token, tokenEmail: email.toLowerCase() });
