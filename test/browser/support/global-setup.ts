import { chromiumPath } from './chromium.js';

/** Fails the whole run at once, with the install line, when no Chromium is found: never a skip. */
export default function setup(): void {
  chromiumPath();
}
