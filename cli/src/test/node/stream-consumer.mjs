// Consumes a Metropolis streamed reply with the npm nats client, by the protocol in the README
// ("Streaming"): subscribe to an inbox, publish the request with it as the reply subject, take each
// chunk (Metropolis-Chunk: n) and acknowledge it by replying with n, stop at the message without one.
//   node stream-consumer.mjs NATS_URL SUBJECT BODY
// Prints one line per chunk, "chunk <n> <content type> <body>", then "end <count>" or "error <code> <body>".
import { connect, createInbox } from 'nats';

const [servers, subject, body] = process.argv.slice(2);
const nc = await connect({ servers, name: 'test-stream-consumer' });
const inbox = createInbox();
const sub = nc.subscribe(inbox);
nc.publish(subject, new TextEncoder().encode(body), { reply: inbox });
const text = (data) => new TextDecoder().decode(data);
for await (const m of sub) {
  const chunk = m.headers?.get('Metropolis-Chunk');
  if (chunk) {
    console.log(`chunk ${chunk} ${m.headers.get('Content-Type')} ${text(m.data)}`);
    m.respond(chunk); // acknowledged: the host may send up to its window beyond it
    continue;
  }
  const code = m.headers?.get('Nats-Service-Error-Code');
  console.log(code ? `error ${code} ${text(m.data)}` : `end ${m.headers?.get('Metropolis-End')}`);
  break;
}
await nc.close();
