"""Code both workloads (functions/ and voice_runtime/) install and run.

- ``shopper_core.tickets``: the voice WebSocket tickets (minted by functions, checked by the
  voice runtime).
- ``shopper_core.log``: structured JSON logs in the shape Cloud Logging reads.
- ``shopper_core.understanding``: the one reader of the shopper's words (prices, ratings,
  colours, sizes, brands, retailers, product references, intents).
"""
