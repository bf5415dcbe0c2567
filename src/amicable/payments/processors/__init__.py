"""Payment-processor adapters: one interface (`base.PaymentProcessor`), a simulated processor
for the demo and tests, and a Stripe adapter. No Django here: the service layer chooses and
configures the processor."""
