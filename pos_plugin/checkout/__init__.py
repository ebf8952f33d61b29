"""The counter's checkout: identify the patient from a credential, quote and settle a sale, revoke, refund."""
