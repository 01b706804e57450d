/**
 * Entry of widget.js: registers the hd-* elements. With `<script src=".../widget.js" type="module" data-launcher>`
 * and no <hd-support-widget> on the page, adds a floating launcher (its data-api-base and data-dev-center apply).
 */
import './support-widget.js';
import { HdLauncher } from './launcher.js';

export { HdSupportWidget } from './support-widget.js';
export { HdLauncher };

function addLauncher() {
  // Module scripts have no document.currentScript: find our tag by its resolved URL.
  const self = [...document.querySelectorAll<HTMLScriptElement>('script[src]')].find((s) => s.src === import.meta.url);
  if (!self?.hasAttribute('data-launcher') || document.querySelector('hd-support-widget, hd-launcher')) return;
  const l = document.createElement('hd-launcher') as HdLauncher;
  if (self.dataset.apiBase) l.setAttribute('api-base', self.dataset.apiBase);
  if (self.dataset.devCenter) l.setAttribute('dev-center', self.dataset.devCenter);
  document.body.append(l);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', addLauncher, { once: true });
else addLauncher();
