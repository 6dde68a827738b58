/** Loads .env (if present) into process.env for the CLIs; Next.js does this itself for the server. */
import fs from 'node:fs';

if (fs.existsSync('.env')) process.loadEnvFile('.env');
