/**
 * IT vocabulary that means the same thing, folded to one word at index and query time (the synonym lists
 * Zendesk or Elasticsearch admins maintain). Keep groups general: words any IT team would equate.
 */
const GROUPS: string[][] = [
  ['laptop', 'notebook', 'macbook', 'thinkpad', 'computer', 'pc'],
  ['monitor', 'screen', 'display'],
  ['headset', 'headphone', 'headphones', 'earphones', 'earbuds'],
  ['touchpad', 'trackpad'],
  ['wifi', 'wlan', 'wireless', 'wi', 'ssid'],
  ['password', 'pw', 'pwd', 'passwd', 'passcode', 'passphrase'],
  ['login', 'logon', 'signin', 'sign-in', 'log-in'],
  ['unlock', 'unblock'],
  ['phone', 'mobile', 'smartphone', 'cellphone', 'iphone', 'android'],
  ['calendar', 'agenda', 'schedule'],
  ['slow', 'sluggish', 'laggy', 'lag', 'latency'],
  ['windows', 'win', 'win10', 'win11'],
  ['mailbox', 'inbox'],
  ['email', 'mail', 'e-mail'],
  ['vpn', 'globalprotect', 'anyconnect'],
  ['mfa', '2fa', 'authenticator', 'otp'],
  ['printer', 'printing', 'print'],
  ['dock', 'docking'],
  ['install', 'installation', 'setup'],
  ['licence', 'license', 'licensing'],
  ['crash', 'freeze', 'frozen', 'hang', 'hangs'],
  ['permission', 'access', 'rights'],
  ['teams', 'msteams'],
  ['sharepoint', 'intranet'],
  ['phishing', 'phish', 'scam', 'spoofed'],
  ['malware', 'virus', 'trojan'],
  ['stolen', 'theft', 'robbed'],
  ['lost', 'misplaced'],
  ['outage', 'down'],
  ['firewall', 'port'],
  ['distribution', 'mailing', 'dl'],
];

const CANON = new Map<string, string>();
for (const g of GROUPS) for (const w of g) CANON.set(w, g[0]!);

/** The canonical word for a lower-cased word (itself when it has no synonyms). */
export const canonical = (w: string) => CANON.get(w) ?? w;
