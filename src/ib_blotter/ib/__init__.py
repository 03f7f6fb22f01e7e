"""The IB adapter: ib_async objects in, state records out; order requests out to IB."""
