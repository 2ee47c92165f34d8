// What a user would write instead of Leadterra: nodemailer with a pooled SMTP
// transport, sending N personalized HTML messages as fast as it can.
// Usage: node nodemailer_send.mjs PORT COUNT CONNECTIONS  -> prints seconds
import nodemailer from "nodemailer";

const [port, count, connections] = process.argv.slice(2).map(Number);
const transport = nodemailer.createTransport({
  host: "127.0.0.1", port, secure: false, ignoreTLS: true, pool: true,
  maxConnections: connections, maxMessages: Infinity,
});
const started = process.hrtime.bigint();
let next = 0;
async function worker() {
  while (next < count) {
    const i = next++;
    await transport.sendMail({
      from: '"Sam Sender" <sales@sender.test>',
      to: `"First${i} Last${i}" <lead${i}@company${i % 5000}.example>`,
      subject: `Quick question, First${i}`,
      html: `<p>Hi First${i},</p><p>How is Company ${i % 5000} doing?</p>`,
      text: `Hi First${i},\n\nHow is Company ${i % 5000} doing?`,
    });
  }
}
await Promise.all(Array.from({ length: connections * 4 }, worker));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
transport.close();
console.log(seconds.toFixed(3));
