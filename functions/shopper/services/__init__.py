"""The rules of each resource, one module per resource; handlers in shopper.api call these."""
