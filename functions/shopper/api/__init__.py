"""The HTTP API of the functions: routing, auth, CORS, rate limit, body parsing, request logs."""
