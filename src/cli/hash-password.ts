// `npm run hash-password`: reads a password from standard input and prints the scrypt hash to put
// in the site config's `passwordHash`. Reading stdin keeps the password out of the shell history.
import { hashPassword } from '../auth/passwords.ts';
import { isRefusedPassword } from '../auth/password-policy.ts';

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
if (password.length < 8) {
  console.error('password too short: use at least 8 characters');
  process.exit(1);
}
if (isRefusedPassword(password)) {
  console.error('that is a demo or common password; Roomwatch refuses it outside demo mode');
  process.exit(1);
}
console.log(await hashPassword(password));
