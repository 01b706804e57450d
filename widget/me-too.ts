/** "Me too" on a known issue: the call, and what the browser keeps of it (the person's details, the token). */
import type { Api, MeToo } from './api.js';
import { loadToken, saveProfile, saveToken, type Profile } from './store.js';

/** Records the person as affected by incident `ref`; the token it returns lets "My tickets" show the new ticket. */
export async function sayMeToo(api: Api, ref: string, who: Profile): Promise<MeToo> {
  const held = loadToken();
  const body: Record<string, string> = { name: who.name, email: who.email };
  if (who.devCenter) body.devCenter = who.devCenter;
  if (held && held.email === who.email.toLowerCase()) body.requesterToken = held.token;
  const r = await api.meToo(ref, body);
  saveProfile(who);
  if (r.requesterToken) {
    saveToken(r.requesterToken, who.email);
    api.token = r.requesterToken;
  }
  return r;
}
