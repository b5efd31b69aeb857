// A Node.js echo responder on the npm nats client: the second baseline for messaging.
//   node echo-responder.mjs NATS_URL SUBJECT
import { connect } from 'nats';

const [servers, subject] = process.argv.slice(2);
const nc = await connect({ servers, name: 'bench-node-echo' });
nc.subscribe(subject, {
  queue: 'bench',
  callback: (err, msg) => {
    if (!err) msg.respond(msg.data);
  },
});
await nc.flush();
console.log(`ready: node echo on ${subject}`);
