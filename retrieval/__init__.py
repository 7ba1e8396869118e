"""Document loading, chunking, embedding, FAISS/BM25 indexing and hybrid retrieval."""
