/**
 * Development centres come from a fixed list (seeds/agents.json). Free text from the widget or a deflection would
 * otherwise land in the console's and the analytics page's filters, where anyone could plant any label.
 */

/** The listed centre that `text` names (case and surrounding space ignored), or null. */
export function knownCentre(text: string | null | undefined, centres: readonly string[]): string | null {
  const t = (text ?? '').trim().toLocaleLowerCase('en');
  if (!t) return null;
  return centres.find((c) => c.toLocaleLowerCase('en') === t) ?? null;
}
