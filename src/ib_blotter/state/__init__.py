"""The blotter's state: records in the trader's words, the rules that change them, and the
order-ticket rules. Pure Python: imports neither Textual nor ib_async nor sockets."""
