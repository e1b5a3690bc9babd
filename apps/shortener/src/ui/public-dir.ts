import { join } from 'node:path';

/** The self-contained web UI (no CDN): `apps/shortener/public`, next to both `src/` and `dist/`. */
export const PUBLIC_DIR = join(__dirname, '..', '..', 'public');
