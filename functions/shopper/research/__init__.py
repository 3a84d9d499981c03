"""Research: turn a shopper's query into ranked products.

Layout (each piece testable on its own):
- catalog_data: the bundled product files -> one normalised `CatalogItem` type.
- text, engine: the retrieval engine (stemming, synonyms, BM25F, phrase/brand/type boosts).
- lexicon: derives the words the shared reader knows (shopper_core.understanding) from the catalog;
  types.parse_text maps that reader's Search onto the research types.
- providers/: one module per product source behind `providers.base.Provider`.
- pipeline: normalise, dedupe, filter, preference re-ranking, concurrent aggregation.
- service, tasks, worker: the job itself (Firestore + Cloud Tasks).
"""
