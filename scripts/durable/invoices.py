# A stream-triggered task: every message published to invoices.requested is stored by JetStream
# (stream INVOICES) and handled once by one of the hosts serving this file. A failure is retried
# after 1 s, then 10 s; a request without a customer is refused for good (a 4xx TaskError); after
# its fourth failed delivery a message goes to dead.invoices with its failure in headers.
#
#   nats pub invoices.requested '{"customer": "ada", "amount": 42}'
#
# /// metropolis
# stream = "INVOICES"
# subject = "invoices.requested"
# durable = "invoicing"
# timeout = "10s"
# max_deliver = 4
# backoff = ["1s", "10s"]
# dead_letter = "dead.invoices"
# input = { type = "object", required = ["customer"] }   # a message without one fails for good (422), unrun
# [allow]
# subjects = ["invoices.issued"]
# ///
import metropolis


def handle(body, msg):
    if not body.get("customer"):
        raise metropolis.TaskError("an invoice needs a customer", code=422)
    # The stream sequence is the invoice's number: the same on a redelivery, so a retry
    # re-issues the same invoice instead of a second one.
    invoice = {"number": msg.stream_sequence, "customer": body["customer"], "amount": body.get("amount", 0),
               "attempt": msg.deliveries}
    metropolis.publish("invoices.issued", invoice)
