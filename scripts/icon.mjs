// Renders the marketplace icon media/icon.png (128×128, transparent corners) from media/icon.svg with the
// headless Chromium the UI tests use (Debian's package). The PNG is committed: the Marketplace and Open
// VSX take PNG icons only. Run after editing the SVG:  node scripts/icon.mjs
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM } from './vscode-host.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-icon-'));
try {
  const svg = fs.readFileSync(path.join(root, 'media', 'icon.svg'), 'utf8');
  fs.writeFileSync(path.join(dir, 'icon.html'), `<!doctype html><html><body style="margin:0;background:transparent">${svg}</body></html>`);
  const out = path.join(dir, 'icon.png');
  execFileSync(
    CHROMIUM,
    ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--default-background-color=00000000', '--window-size=128,128', `--screenshot=${out}`, `file://${dir}/icon.html`],
    { stdio: 'ignore', timeout: 60000 },
  );
  const png = fs.readFileSync(out);
  const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
  if (w !== 128 || h !== 128) throw new Error(`Chromium made a ${w}×${h} image, not 128×128`);
  fs.copyFileSync(out, path.join(root, 'media', 'icon.png'));
  console.log(`media/icon.png: ${w}×${h}, ${png.length} bytes`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
