"""Voice Shopper's voice runtime: one Pipecat pipeline per WebSocket, on Cloud Run."""
