"""Documents a request names instead of sending: automatic persisted queries (Apollo's protocol) and trusted documents."""
