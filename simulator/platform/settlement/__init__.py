"""Settlement use cases: sign-in and identity (9001, 1101, decode), visits and fee lines (2201-2205),
settlement (2206/2207, 2102), revoke (2208/2103), reversal (2601), query (5203)."""
