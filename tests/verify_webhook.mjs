// The seed's Node `verifyWebhook`, verbatim (usehuma-public-docs.txt), and a
// command line around it for tests/webhooks.rs:
//   node verify_webhook.mjs <file with the raw body> <Huma-Signature> <secret>
// prints true or false.
import fs from 'fs';
import crypto from 'crypto';
function verifyWebhook(rawBody, signature, secret) {
const [tPart, vPart] = signature.split(',');
const timestamp = tPart.replace('t=', '');
const received = vPart.replace('v1=', '');
const payload = `${timestamp}.${rawBody}`;
const expected = crypto
.createHmac('sha256', secret)
.update(payload)
.digest('hex');
return crypto.timingSafeEqual(
Buffer.from(expected),
Buffer.from(received)
);
}

const [bodyFile, signature, secret] = process.argv.slice(2);
const rawBody = fs.readFileSync(bodyFile, 'utf8');
process.stdout.write(String(verifyWebhook(rawBody, signature, secret)));
